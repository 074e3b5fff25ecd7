// How djfix follows the statements that build MIDDLEWARE, on small in-memory projects.
import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { buildIndex } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';
import { buildMiddleware, type Build, type Value } from '../../transforms/middleware-order/effective';

const SESSION = 'django.contrib.sessions.middleware.SessionMiddleware';
const AUTH = 'django.contrib.auth.middleware.AuthenticationMiddleware';
const COMMON = 'django.middleware.common.CommonMiddleware';
const SECURITY = 'django.middleware.security.SecurityMiddleware';

/** Builds MIDDLEWARE as `file` (default settings.py) of this project would. */
function build(files: Record<string, string>, file = 'settings.py'): Build {
  const packages = new Set(Object.keys(files).filter((path) => path.endsWith('__init__.py')).map((path) => path.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([path, text]) => ({ path, ...moduleNameOf(path, (dir) => packages.has(dir)), hash: path, facts: extractFacts(parsePython(text), text) }));
  const index = buildIndex(inputs, { version: null, source: 'test' });
  return buildMiddleware(file, parsePython(files[file]), index, (path) => files[path]);
}

const one = (text: string) => build({ 'settings.py': text });

/** Each variant as its entries' paths (or `?text` for an opaque entry), or `unknown: why`. */
function variants(result: Build): Array<string[] | string | undefined> {
  return result.variants.map((variant) => shown(variant.value));
}

function shown(value: Value | undefined): string[] | string | undefined {
  if (!value) return undefined;
  if (value.kind === 'list') return value.entries.map((entry) => entry.path ?? `?${entry.text}`);
  if (value.kind === 'unknown') return `unknown: ${value.why} (line ${value.line})`;
  return `${value.kind}`;
}

const list = (...paths: string[]) => `[\n${paths.map((path) => `    "${path}",\n`).join('')}]`;

describe('one module', () => {
  test('a literal list: one variant, the literal itself, each entry with its line', () => {
    const result = one(`MIDDLEWARE = ${list(SECURITY, SESSION)}\n`);
    expect(variants(result)).toEqual([[SECURITY, SESSION]]);
    const value = result.variants[0].value!;
    expect(value.kind === 'list' && value.literal?.type).toBe('list');
    expect(value.kind === 'list' && value.entries.map((entry) => entry.line)).toEqual([2, 3]);
    expect(result.changes.map((change) => [change.description, change.conditional, change.literal !== undefined])).toEqual([['set to a list at line 1', false, true]]);
  });

  test('append, extend, +=, insert (negative, computed) and remove, as Python runs them', () => {
    const result = one(
      [
        `MIDDLEWARE = ${list(SECURITY, AUTH)}`,
        `MIDDLEWARE.append("a.Appended")`,
        `MIDDLEWARE.extend(["b.Extended"])`,
        `MIDDLEWARE += ("c.Added",)`,
        `MIDDLEWARE.insert(-1, "d.BeforeLast")`,
        `MIDDLEWARE.insert(MIDDLEWARE.index("${AUTH}"), "${SESSION}")`,
        `MIDDLEWARE.insert(len(MIDDLEWARE), "e.End")`,
        `MIDDLEWARE.remove("a.Appended")`,
      ].join('\n'),
    );
    expect(variants(result)).toEqual([[SECURITY, SESSION, AUTH, 'b.Extended', 'd.BeforeLast', 'c.Added', 'e.End']]);
    expect(result.changes.map((change) => change.description)).toEqual([
      'set to a list at line 1',
      'changed by MIDDLEWARE.append() at line 5',
      'changed by MIDDLEWARE.extend() at line 6',
      'extended with += at line 7',
      'changed by MIDDLEWARE.insert() at line 8',
      'changed by MIDDLEWARE.insert() at line 9',
      'changed by MIDDLEWARE.insert() at line 10',
      'changed by MIDDLEWARE.remove() at line 11',
    ]);
  });

  test('a position kept in a name, and a list copied into another name, are followed', () => {
    const result = one(
      [
        `BASE = ${list(SECURITY, AUTH)}`,
        'MIDDLEWARE = list(BASE)',
        `at = MIDDLEWARE.index("${AUTH}")`,
        `MIDDLEWARE.insert(at, "${SESSION}")`,
      ].join('\n'),
    );
    expect(variants(result)).toEqual([[SECURITY, SESSION, AUTH]]);
  });

  test('strings bound to names, and lists splatted in, are entries', () => {
    const result = one([`SESSIONS = "${SESSION}"`, `HEAD = ["${SECURITY}"]`, `MIDDLEWARE = (*HEAD, SESSIONS, "${COMMON}")`].join('\n'));
    expect(variants(result)).toEqual([[SECURITY, SESSION, COMMON]]);
    const value = result.variants[0].value!;
    expect(value.kind === 'list' && value.entries.map((entry) => [entry.text, entry.line])).toEqual([[`"${SECURITY}"`, 2], ['SESSIONS', 3], [`"${COMMON}"`, 3]]);
  });

  test('what djfix cannot resolve stays in the list as an opaque entry, saying why', () => {
    const result = one(`from silk import SILKY\nMIDDLEWARE = [SILKY, "${SESSION}", get_extra()]\n`);
    expect(variants(result)).toEqual([['?SILKY', SESSION, '?get_extra()']]);
    const value = result.variants[0].value!;
    expect(value.kind === 'list' && value.entries.map((entry) => entry.unknown?.why)).toEqual([
      'SILKY is imported from a module djfix does not evaluate',
      undefined,
      '`get_extra(...)` is an expression djfix does not evaluate',
    ]);
  });

  test.each([
    ['a comprehension', `MIDDLEWARE = [m for m in BASE if m]`, 'unknown: `[... for ...]` is an expression djfix does not evaluate (line 1)'],
    ['an index it cannot compute', `MIDDLEWARE = ["${SESSION}"]\nMIDDLEWARE.insert(where(), "x.Y")`, 'unknown: MIDDLEWARE.insert() puts an entry at a position djfix cannot compute (where()) (line 2)'],
    ['removing an entry that is not there', `MIDDLEWARE = ["${SESSION}"]\nMIDDLEWARE.remove("x.Y")`, 'unknown: MIDDLEWARE.remove("x.Y") removes an entry djfix does not find in the list (line 2)'],
    ['a call that may change it', `MIDDLEWARE = ["${SESSION}"]\nconfigure(MIDDLEWARE)`, 'unknown: MIDDLEWARE is passed to configure(), which may change it (line 2)'],
    ['a method djfix does not follow', `MIDDLEWARE = ["${SESSION}"]\nMIDDLEWARE.sort()`, 'unknown: MIDDLEWARE.sort() changes it in a way djfix does not follow (line 2)'],
    ['an index assignment', `MIDDLEWARE = ["${SESSION}"]\nMIDDLEWARE[0] = "x.Y"`, 'unknown: MIDDLEWARE is changed by index or unpacking (line 2)'],
    ['+= before it is set', `MIDDLEWARE += ["${SESSION}"]`, 'unknown: MIDDLEWARE is extended before it is set (line 1)'],
  ])('%s makes it unknown from there, saying where and why', (_, text, expected) => {
    expect(variants(one(text))).toEqual([expected]);
  });

  test('a loop that only appends keeps the list, followed by the entries it adds', () => {
    const result = one(`MIDDLEWARE = ["${SESSION}"]\nfor name in PLUGINS:\n    if name:\n        MIDDLEWARE.extend(load(name))\n`);
    expect(variants(result)).toEqual([[SESSION, '?the entries the loop adds']]);
    const other = one(`MIDDLEWARE = ["${SESSION}"]\nfor name in PLUGINS:\n    MIDDLEWARE = [name]\n`);
    expect(variants(other)).toEqual(['unknown: MIDDLEWARE is changed in the loop at line 2 (line 2)']);
  });
});

describe('branches', () => {
  test('an if without else: two variants, each saying which branch it assumes', () => {
    const result = one(`MIDDLEWARE = ["${SECURITY}"]\nif DEBUG:\n    MIDDLEWARE.append("debug_toolbar.middleware.DebugToolbarMiddleware")\n`);
    expect(variants(result)).toEqual([[SECURITY, 'debug_toolbar.middleware.DebugToolbarMiddleware'], [SECURITY]]);
    expect(result.variants.map((variant) => variant.assumptions.map((assumption) => assumption.text))).toEqual([['`if DEBUG:` (line 2) is true'], ['`if DEBUG:` (line 2) is false']]);
    expect(result.changes[1]).toMatchObject({ description: 'changed by MIDDLEWARE.append() at line 3', conditional: true });
  });

  test('branches that end the same are one variant, assuming nothing about them', () => {
    const result = one(`if A:\n    MIDDLEWARE = ["${SESSION}"]\nelif B:\n    MIDDLEWARE = ["${SESSION}"]\nelse:\n    MIDDLEWARE = ["${SESSION}"]\nX = 1\n`);
    // Three literals at three places are three variants; the same list from one place is one.
    expect(result.variants).toHaveLength(3);
    const same = one(`MIDDLEWARE = ["${SESSION}"]\nif A:\n    X = MIDDLEWARE\nelse:\n    Y = 2\n`);
    expect(same.variants).toEqual([expect.objectContaining({ assumptions: [] })]);
  });

  test('a conditional expression is two variants', () => {
    const result = one(`MIDDLEWARE = ["${SESSION}"] + (["${AUTH}"] if DEBUG else [])\n`);
    expect(variants(result)).toEqual([[SESSION, AUTH], [SESSION]]);
    expect(result.variants[0].assumptions.map((assumption) => assumption.text)).toEqual(['`DEBUG` (line 1) is true']);
  });

  test('try/except: the try completing, or the handler running', () => {
    const result = one(`MIDDLEWARE = ["${SESSION}"]\ntry:\n    import debug_toolbar\n    MIDDLEWARE.append("debug_toolbar.middleware.DebugToolbarMiddleware")\nexcept ImportError:\n    pass\n`);
    expect(variants(result)).toEqual([[SESSION, 'debug_toolbar.middleware.DebugToolbarMiddleware'], [SESSION]]);
    expect(result.variants.map((variant) => variant.assumptions.map((assumption) => assumption.text))).toEqual([['the `try:` (line 2) completes'], ['`except ImportError:` (line 5) runs']]);
  });

  test('past 32 combinations the value is unknown, saying so', () => {
    const ifs = Array.from({ length: 6 }, (_, i) => `if FLAG_${i}:\n    MIDDLEWARE.append("x.M${i}")`).join('\n');
    expect(variants(one(`MIDDLEWARE = []\n${ifs}\n`))).toEqual(['unknown: MIDDLEWARE depends on more than 32 combinations of conditional blocks (line 12)']);
  });
});

describe('layered settings', () => {
  const base = `import os\nPREFIX = ["${SECURITY}"]\n_PRIVATE = ["x.Private"]\nMIDDLEWARE = [*PREFIX, "${SESSION}"]\nif os.environ.get("X"):\n    MIDDLEWARE.append("x.Conditional")\n`;

  test('a star-import brings the base list, its names (not the private ones) and its branches', () => {
    const files = {
      'shop/__init__.py': '',
      'shop/settings/__init__.py': '',
      'shop/settings/base.py': base,
      'shop/settings/prod.py': 'from .base import *\nMIDDLEWARE += PREFIX\nMIDDLEWARE += _PRIVATE\n',
    };
    const result = build(files, 'shop/settings/prod.py');
    expect(variants(result)).toEqual([
      [SECURITY, SESSION, 'x.Conditional', SECURITY, '?_PRIVATE'],
      [SECURITY, SESSION, SECURITY, '?_PRIVATE'],
    ]);
    const [variant] = result.variants;
    expect(variant.value?.kind === 'list' && variant.value.entries.map((entry) => `${entry.file}:${entry.line}`)).toEqual([
      'shop/settings/base.py:2',
      'shop/settings/base.py:4',
      'shop/settings/base.py:6',
      'shop/settings/prod.py:2',
      'shop/settings/prod.py:3',
    ]);
    expect(variant.assumptions.map((assumption) => assumption.text)).toEqual(['`if os.environ.get("X"):` (shop/settings/base.py:5) is true']);
    expect(result.changes.map((change) => change.description)).toEqual(['taken from shop/settings/base.py (star-import at line 1)', 'extended with += at line 2', 'extended with += at line 3']);
  });

  test('a named import, under an alias', () => {
    const files = { 'conf/__init__.py': '', 'conf/base.py': `MIDDLEWARE = ["${SESSION}"]\n`, 'conf/local.py': `from conf.base import MIDDLEWARE as BASE\nMIDDLEWARE = BASE + ["${AUTH}"]\n` };
    expect(variants(build(files, 'conf/local.py'))).toEqual([[SESSION, AUTH]]);
  });

  test('star-imports that import each other do not loop', () => {
    const files = { 'a/__init__.py': '', 'a/one.py': `from .two import *\nMIDDLEWARE = ["${SESSION}"]\n`, 'a/two.py': 'from .one import *\n' };
    expect(variants(build(files, 'a/one.py'))).toEqual([[SESSION]]);
  });

  test('a module the project does not hold changes nothing', () => {
    expect(variants(one(`MIDDLEWARE = ["${SESSION}"]\ntry:\n    from .local_settings import *\nexcept ImportError:\n    pass\n`))).toEqual([[SESSION]]);
  });
});

describe('class-based settings', () => {
  test('a class attribute is evaluated where the class is defined; a property is only noted', () => {
    const result = one(
      [
        `HEAD = "${SECURITY}"`,
        'class Base(Configuration):',
        `    MIDDLEWARE = [HEAD, "${SESSION}"]`,
        'class Dev(Base):',
        '    @property',
        '    def MIDDLEWARE(self):',
        '        return super().MIDDLEWARE + ["x.Debug"]',
      ].join('\n'),
    );
    expect(result.changes).toEqual([]);
    expect(result.classSettings.map((setting) => [setting.owner, setting.line, setting.values.map(shown)])).toEqual([
      ['Base', 3, [[SECURITY, SESSION]]],
      ['Dev', 5, []],
    ]);
  });
});
