// Uses of DATABASES, and what later statements (here or in layered settings) do to an alias.
import { parsePython } from '../../src/parse';
import { aliasEffects } from '../../transforms/database-url/layers';
import { collectDatabaseUses, DatabaseUse } from '../../transforms/database-url/statements';

function uses(text: string): DatabaseUse[] {
  return collectDatabaseUses(parsePython(text).rootNode, text) ?? [];
}

test('every use with its kind, literal keys and place', () => {
  const text = [
    'DATABASES: dict = {"default": {}}',
    'DATABASES["default"]["HOST"] = "db"',
    'DATABASES["default"].update({"NAME": "x", **more}, PORT=5)',
    'del DATABASES["legacy"]',
    'if DEBUG:',
    '    DATABASES[alias]["NAME"] = "debug"',
    'def backup():',
    '    return settings.DATABASES["default"]["NAME"]',
    'x = dict(DATABASES=1)',
    'DATABASES.update(extra)',
    'f(config=DATABASES)',
  ].join('\n');
  expect(uses(text).map((use) => [use.kind, use.keys, use.method ?? null, use.setsKeys ?? null, use.line, use.conditional, use.inFunction])).toEqual([
    ['assign', [], null, ['default'], 1, false, false],
    ['item', ['default', 'HOST'], null, null, 2, false, false],
    ['method', ['default'], 'update', ['NAME', null, 'PORT'], 3, false, false],
    ['delete', ['legacy'], null, null, 4, false, false],
    ['item', [null, 'NAME'], null, null, 6, true, false],
    ['read', ['default', 'NAME'], null, null, 8, false, true],
    ['method', [], 'update', null, 10, false, false],
    ['read', [], null, null, 11, false, false],
  ]);
  expect(collectDatabaseUses(parsePython('X = 1\n').rootNode, 'X = 1\n')).toBeUndefined();
});

describe('aliasEffects', () => {
  const effects = (own: string, layers: Record<string, string> = {}) =>
    aliasEffects(
      'default',
      uses(own),
      Object.entries(layers).map(([path, text]) => ({ path, uses: uses(text) })),
      'settings.py',
    );

  test('a connection key set later would override the URL', () => {
    expect(effects('DATABASES["default"]["HOST"] = "x"').blocking).toEqual(['settings.py:1 sets HOST, which would override what the URL says']);
    expect(effects('', { 'prod.py': 'from .base import *\nDATABASES["default"].update(OTHER)' }).blocking).toEqual(['a statement at prod.py:2 changes the default database in a way djfix cannot read']);
    expect(effects('DATABASES[name]["PORT"] = 1').blocking).toHaveLength(1);
    expect(effects('DATABASES["replica"]["HOST"] = "x"').blocking).toEqual([]);
  });

  test('other keys, whole aliases and layers with a DATABASES of their own are harmless', () => {
    expect(effects('DATABASES["default"]["TEST"] = {}\nDATABASES["default"] = other\ndel DATABASES["default"]').blocking).toEqual([]);
    expect(effects('', { 'local.py': 'DATABASES = {}\nDATABASES["default"]["HOST"] = "x"' }).blocking).toEqual([]);
  });

  test('CONN_MAX_AGE and CONN_HEALTH_CHECKS set later in the same file; a pool anywhere', () => {
    const found = effects('DATABASES["default"]["CONN_MAX_AGE"] = 60\nDATABASES["default"]["CONN_HEALTH_CHECKS"] = True');
    expect([found.connMaxAge, found.healthChecks]).toEqual(['settings.py:1', 'settings.py:2']);
    expect(effects('', { 'prod.py': 'DATABASES["default"]["CONN_MAX_AGE"] = 60' }).connMaxAge).toBeUndefined();
    expect(effects('', { 'prod.py': 'DATABASES["default"]["OPTIONS"]["pool"] = True' }).pool).toBe('prod.py:1');
    expect(effects('DATABASES["default"]["OPTIONS"].update(pool=True)').pool).toBe('settings.py:1');
    expect(effects('DATABASES["default"]["OPTIONS"]["sslmode"] = "require"').pool).toBeUndefined();
  });
});
