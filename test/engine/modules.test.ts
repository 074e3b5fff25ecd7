// Module names and import resolution: what the index resolves every import of the project with.
import { importBindings, qualify, resolveImportModule } from '../../src/project/modules';
import { emptyFacts } from '../../src/facts';

test('relative imports resolve against the importing module, as Python does', () => {
  const resolve = (module: string, level: number, from: string, isPackage = false) => resolveImportModule({ module, level }, from, isPackage);
  expect(resolve('django.db', 0, 'shop.models')).toBe('django.db');
  expect(resolve('base', 1, 'shop.models.product')).toBe('shop.models.base');
  expect(resolve('', 1, 'shop.models.product')).toBe('shop.models');
  expect(resolve('base', 1, 'shop.models', true)).toBe('shop.models.base');
  expect(resolve('', 1, 'shop.models', true)).toBe('shop.models');
  expect(resolve('utils', 2, 'shop.models.product')).toBe('shop.utils');
  expect(resolve('utils', 3, 'shop.models.product')).toBe('utils');
  expect(resolve('', 3, 'shop.models.product')).toBeUndefined();
  // Beyond the top-level package: not importable.
  expect(resolve('utils', 4, 'shop.models.product')).toBeUndefined();
  expect(resolve('utils', 3, 'shop', true)).toBeUndefined();
  expect(resolve('a.b', 1, 'top')).toBe('a.b');
  // The root package of a project without an import root of its own.
  expect(resolve('x', 1, '', true)).toBe('.x');
  expect(resolve('', 1, '', true)).toBeUndefined();
  expect(resolve('x', 1, '')).toBe('x');
});

test('module-level imports bind names to qualified names; function-level and star imports bind none', () => {
  const facts = {
    ...emptyFacts(),
    imports: [
      { module: 'django.db', level: 0, names: [{ name: 'models' }], scope: 'module' as const, line: 1 },
      { module: 'os.path', level: 0, scope: 'module' as const, line: 2 },
      { module: 'json', level: 0, alias: 'j', scope: 'module' as const, line: 3 },
      { module: 'base', level: 1, names: [{ name: 'Timestamped', alias: 'Base' }, { name: '*' }], scope: 'module' as const, line: 4 },
      { module: 'late', level: 0, names: [{ name: 'thing' }], scope: 'function' as const, line: 5 },
      { module: 'x', level: 9, names: [{ name: 'lost' }], scope: 'module' as const, line: 6 },
    ],
  };
  const targets = facts.imports.map((fact) => resolveImportModule(fact, 'shop.models', false));
  const bindings = importBindings(facts, targets);
  expect({ ...bindings }).toEqual({ models: 'django.db.models', os: 'os', j: 'json', Base: 'shop.base.Timestamped' });
  expect(Object.getPrototypeOf(bindings)).toBeNull();
  expect(qualify('models.Model', bindings, 'shop.models', new Set())).toBe('django.db.models.Model');
  expect(qualify('Base', bindings, 'shop.models', new Set())).toBe('shop.base.Timestamped');
  expect(qualify('Local.Inner', bindings, 'shop.models', new Set(['Local']))).toBe('shop.models.Local.Inner');
  expect(qualify('other.Thing', bindings, 'shop.models', new Set())).toBe('other.Thing');
  expect(qualify('constructor', bindings, 'shop.models', new Set())).toBe('constructor');
});
