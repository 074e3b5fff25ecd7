// The default URL: literal values percent-encoded so that dj-database-url gives them back unchanged,
// expressions quoted at run time, and the values no URL can carry refused with the reason. The round
// trip is checked against the dj-database-url installed here (Debian's 0.5.0).
import { spawnSync } from 'node:child_process';
import { PYTHON } from '../helpers/django';
import { urlCode } from '../../transforms/database-url/render';
import { buildUrl, percentEncode, UrlInput } from '../../transforms/database-url/url';
import type { Classified } from '../../transforms/database-url/values';
import { schemeFor } from '../../transforms/database-url/versions';

const literal = (value: string | number): Classified => ({ text: JSON.stringify(value), kinds: new Set([typeof value === 'number' ? 'int' : 'str']), literal: value });
const fromEnv = (name: string): Classified => ({ text: `os.environ[${JSON.stringify(name)}]`, kinds: new Set(['str']) });

function url(values: UrlInput['values'], scheme = 'postgres', floor: [number, number] = [0, 5]) {
  return buildUrl({ scheme, values, floor, quote: '"' });
}

function code(values: UrlInput['values'], scheme = 'postgres'): string {
  const result = url(values, scheme);
  if (!result.ok) throw new Error(result.reason);
  return urlCode(result.parts, '"').join(' + ');
}

describe('percentEncode', () => {
  test('encodes what Python quote(safe="") encodes', () => {
    expect(percentEncode("p@ss:w/rd !'()*~._-")).toBe('p%40ss%3Aw%2Frd%20%21%27%28%29%2A~._-');
    expect(percentEncode('ü')).toBe('%C3%BC');
  });
  test('keeps "/" in a path', () => expect(percentEncode('/var/db/a b.sqlite3', true)).toBe('/var/db/a%20b.sqlite3'));
});

describe('buildUrl', () => {
  test('literals: one string, only what needs it encoded', () => {
    expect(code({ USER: literal('shop'), PASSWORD: literal('s3cr@t'), HOST: literal('db.internal'), PORT: literal('5432'), NAME: literal('shop') })).toBe('"postgres://shop:s3cr%40t@db.internal:5432/shop"');
    expect(code({ NAME: literal('/srv/db.sqlite3') }, 'sqlite')).toBe('"sqlite:////srv/db.sqlite3"');
    expect(code({ NAME: literal('db.sqlite3') }, 'sqlite')).toBe('"sqlite:///db.sqlite3"');
  });

  test('expressions stay expressions, quoted when the settings load', () => {
    expect(code({ USER: fromEnv('DB_USER'), HOST: literal('localhost'), NAME: fromEnv('DB_NAME') })).toBe(
      '"postgres://" + quote(os.environ["DB_USER"], safe="") + "@localhost/" + quote(os.environ["DB_NAME"])',
    );
    const path: Classified = { text: 'BASE_DIR / "db.sqlite3"', kinds: new Set(['path']) };
    expect(code({ NAME: path }, 'sqlite')).toBe('"sqlite:///" + quote(str(BASE_DIR / "db.sqlite3"))');
    const port: Classified = { text: 'env.int("PORT", default=5432)', kinds: new Set(['int']) };
    expect(code({ HOST: literal('db'), PORT: port })).toBe('"postgres://db:" + str(env.int("PORT", default=5432)) + "/"');
  });

  test('names every representation change', () => {
    const result = url({ HOST: literal('DB.Example.com'), PORT: literal('5432'), NAME: { text: 'BASE', kinds: new Set(['path']) } });
    expect(result.ok && result.notes.map((note) => note.key)).toEqual(['HOST', 'PORT', 'NAME']);
    const oracle = url({ HOST: literal('ora'), PORT: literal(1521) }, 'oracle');
    expect(oracle.ok && oracle.notes.map((note) => note.text)).toEqual(['1521 may come back as the text "1521" (dj-database-url returns oracle ports as text), which Django accepts as well']);
  });

  test('IPv6 hosts in brackets; socket directories percent-encoded', () => {
    expect(code({ HOST: literal('::1') })).toBe('"postgres://[::1]/"');
    expect(code({ HOST: literal('/var/run/postgresql'), NAME: literal('shop') })).toBe('"postgres://%2Fvar%2Frun%2Fpostgresql/shop"');
  });

  test('refuses what a URL cannot carry, with the reason', () => {
    const reason = (result: ReturnType<typeof url>) => (result.ok ? 'ok' : result.reason);
    expect(reason(url({ USER: { text: 'os.environ.get("U")', kinds: new Set(['str', 'none']) } }))).toMatch(/can be None/);
    expect(reason(url({ PASSWORD: { text: 'secret()', kinds: new Set(['other']) } }))).toMatch(/cannot tell that PASSWORD \(`secret\(\)`\) is always text/);
    expect(reason(url({ PORT: literal('port') }))).toMatch(/not a port number/);
    expect(reason(url({ HOST: literal('/run/PostgreSQL') }))).toMatch(/lower-case it/);
    expect(reason(url({ HOST: literal('/cloudsql/proj:region:db') }))).toMatch(/pin dj-database-url>=1.2/);
    expect(reason(url({ HOST: literal('/cloudsql/proj:region:db') }, 'postgres', [1, 2]))).toBe('ok');
    expect(reason(url({ HOST: literal('/var/run/postgresql'), PORT: literal('5433') }))).toMatch(/port glued to the directory/);
    expect(reason(url({ HOST: literal('/var/run/postgresql'), PORT: literal('5433') }, 'postgres', [3, 0]))).toBe('ok');
    expect(reason(url({ NAME: literal('') }, 'sqlite'))).toMatch(/in-memory/);
    expect(reason(url({ NAME: literal('x.db'), HOST: literal('h') }, 'sqlite'))).toMatch(/no USER, PASSWORD, HOST or PORT/);
  });
});

/** Values that stress every part of a URL, as literals and as environment variables. */
const ROUND_TRIPS: Array<{ engine: string; values: Record<string, string | number> }> = [
  { engine: 'django.db.backends.sqlite3', values: { NAME: '/srv/with space/db.sqlite3' } },
  { engine: 'django.db.backends.sqlite3', values: { NAME: '/a/b?c#d%e;f/db' } },
  { engine: 'django.db.backends.sqlite3', values: { NAME: ':memory:' } },
  { engine: 'django.db.backends.sqlite3', values: { NAME: 'file:memdb?mode=memory&cache=shared' } },
  { engine: 'django.db.backends.sqlite3', values: { NAME: 'C:\\data\\ünï.db' } },
  { engine: 'django.db.backends.postgresql', values: { USER: 'us:er@x', PASSWORD: 'p:a%ss#?&=;/@', HOST: 'db.internal', PORT: '5432', NAME: 'sh/op;x' } },
  { engine: 'django.db.backends.postgresql', values: { PASSWORD: 'only-a-password', HOST: '127.0.0.1', NAME: 'shop' } },
  { engine: 'django.db.backends.postgresql', values: { USER: 'u', HOST: '::1', PORT: 5432, NAME: 'shop' } },
  { engine: 'django.db.backends.postgresql', values: { USER: 'u', HOST: '/var/run/postgresql', NAME: 'shop' } },
  { engine: 'django.db.backends.mysql', values: { USER: 'root', PASSWORD: 'ü', HOST: 'mysql', PORT: '3306', NAME: 'crm' } },
  { engine: 'django.db.backends.oracle', values: { USER: 'system', HOST: 'ora', PORT: '1521', NAME: 'xe' } },
  { engine: 'django_prometheus.db.backends.postgresql', values: { HOST: 'db', NAME: 'shop' } },
];

test('dj-database-url gives every value back, for literals and for values read from the environment', () => {
  const checks: string[] = [];
  for (const [i, { engine, values }] of ROUND_TRIPS.entries()) {
    for (const mode of ['literal', 'environment']) {
      const env: Record<string, string> = {};
      const classified: UrlInput['values'] = {};
      for (const [key, value] of Object.entries(values)) {
        // A socket directory or an IPv6 address from the environment does not survive 0.5.0 (the finding says so).
        const viaEnv = mode === 'environment' && typeof value === 'string' && !(key === 'HOST' && /[/:]/.test(value));
        if (viaEnv) env[`DB_${key}`] = value;
        classified[key as keyof UrlInput['values']] = viaEnv ? fromEnv(`DB_${key}`) : literal(value);
      }
      const scheme = schemeFor(engine, [0, 5])!;
      const result = buildUrl({ scheme: scheme.scheme, values: classified, floor: [0, 5], quote: '"' });
      if (!result.ok) throw new Error(`${engine} ${JSON.stringify(values)}: ${result.reason}`);
      const relaxed = result.notes.map((note) => note.key);
      checks.push(`check(${i}, ${JSON.stringify(mode)}, ${JSON.stringify(env)}, lambda: ${urlCode(result.parts, '"').join(' + ')}, ${scheme.needsEngine ? JSON.stringify(engine) : 'None'}, ${JSON.stringify(values)}, ${JSON.stringify(relaxed)})`);
    }
  }
  const script = [
    'import json, os',
    'from urllib.parse import quote',
    'import dj_database_url',
    'differences = []',
    'def check(case, mode, env, url, engine, old, relaxed):',
    '    os.environ.update(env)',
    '    new = dj_database_url.config(env="DJFIX_UNSET_DATABASE_URL", default=url(), engine=engine)',
    '    for key, value in old.items():',
    '        got = new.get(key)',
    '        same = got == value or (key in relaxed and str(got) == str(value).lower())',
    '        if not same:',
    '            differences.append(f"{case} {mode} {key}: {value!r} -> {got!r}")',
    '    for name in env:',
    '        del os.environ[name]',
    ...checks,
    'print(json.dumps(differences))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});
