import { ImportRun, ImportStatement, ImportWorld } from '../../transforms/lazy-model-imports/simulate';

interface Module {
  imports?: ImportStatement[];
  /** name -> the line binding it */
  binds?: Record<string, number>;
  reads?: Array<{ line: number; target: string; member: string }>;
}

function world(modules: Record<string, Module>): ImportWorld {
  return {
    imports: (module) => modules[module]?.imports ?? [],
    isModule: (module) => module in modules,
    bindingLine: (module, name) => modules[module]?.binds?.[name],
    memberReads: (module, running) => (modules[module]?.reads ?? []).filter((read) => running(read.target)),
  };
}

const from = (line: number, to: string, ...names: string[]): ImportStatement => ({ line, to, names: names.map((name) => ({ name })) });
const plain = (line: number, to: string): ImportStatement => ({ line, to });

const run = (modules: Record<string, Module>, entry: string, watched = Object.keys(modules)) => new ImportRun(world(modules), new Set(watched)).import(entry);

test('`from m import name` fails while m is half imported and has not bound the name yet', () => {
  const modules = {
    'app.models': { imports: [from(3, 'app.views', 'render')], binds: { Thing: 6 } },
    'app.views': { imports: [from(1, 'app.models', 'Thing')], binds: { render: 4 } },
  };
  expect(run(modules, 'app.models')).toEqual({
    importer: 'app.views',
    line: 1,
    target: 'app.models',
    name: 'Thing',
    pausedAt: 3,
    boundAt: 6,
    stack: [
      { module: 'app.models', line: 3 },
      { module: 'app.views', line: 1 },
    ],
  });
  // Entered from the other side, the name it asks for is bound first.
  expect(run({ ...modules, 'app.views': { imports: [from(5, 'app.models', 'Thing')], binds: { render: 2 } } }, 'app.views')).toBeUndefined();
});

test('names bound before the import back, plain imports and submodules never fail', () => {
  expect(run({ a: { imports: [from(5, 'b', 'f')], binds: { X: 2 } }, b: { imports: [from(1, 'a', 'X')], binds: { f: 3 } } }, 'a')).toBeUndefined();
  expect(run({ a: { imports: [plain(1, 'b')], binds: { X: 4 } }, b: { imports: [plain(1, 'a')] } }, 'a')).toBeUndefined();
  expect(run({ pkg: { imports: [from(1, 'pkg.sub', 'f')] }, 'pkg.sub': { imports: [from(1, 'pkg', 'sub')], binds: { f: 3 } } }, 'pkg')).toBeUndefined();
});

test('reading a member of a half-imported module while importing fails too', () => {
  const modules = {
    a: { imports: [plain(1, 'b')], binds: { Base: 5 } },
    b: { imports: [plain(1, 'a')], reads: [{ line: 3, target: 'a', member: 'Base' }] },
  };
  expect(run(modules, 'a')).toMatchObject({ importer: 'b', line: 3, target: 'a', name: 'Base', pausedAt: 1 });
});

test('packages run before their submodules, as Python imports them', () => {
  // Importing pkg.b runs pkg first, which imports pkg.a, which imports pkg.b before it binds f.
  const modules = {
    pkg: { imports: [from(1, 'pkg.a', 'g')] },
    'pkg.a': { imports: [from(1, 'pkg.b', 'f')], binds: { g: 3 } },
    'pkg.b': { imports: [from(1, 'pkg.a', 'g')], binds: { f: 3 } },
  };
  expect(run(modules, 'pkg.b')).toMatchObject({ importer: 'pkg.b', target: 'pkg.a', name: 'g' });
});

test('only the watched modules count: other cycles fail on their own', () => {
  const modules = {
    a: { imports: [from(1, 'b', 'f')], binds: { X: 5 } },
    b: { imports: [from(1, 'a', 'X')], binds: { f: 3 } },
  };
  expect(run(modules, 'a', ['c'])).toBeUndefined();
});

test('a fork continues from what was imported; the original is left as it was', () => {
  const modules = { a: { imports: [from(3, 'b', 'f')], binds: { X: 1 } }, b: { imports: [from(1, 'a', 'X')], binds: { f: 2 } } };
  const first = new ImportRun(world(modules), new Set(['a', 'b']));
  expect(first.import('a')).toBeUndefined();
  const fork = first.fork();
  expect(fork.import('b')).toBeUndefined();
  expect(first.imported().sort()).toEqual(['a', 'b']);
});
