// What a settings value can be when the settings load, read from the source: literals, the usual
// readers of the environment, path builders, and names followed to their one assignment.
import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { buildIndex } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';
import { fileScope } from '../../transforms/database-url/scope';
import { classify } from '../../transforms/database-url/values';

/** The kinds of `PROBE` in a settings module made of `header` then `PROBE = expression`. */
function kindsOf(header: string, expression: string, base = ''): string[] {
  const text = `${header}\nPROBE = ${expression}\n`;
  const files: Record<string, string> = { 'mysite/__init__.py': '', 'mysite/settings.py': text, 'mysite/base_settings.py': base };
  const inputs = Object.entries(files).map(([path, source]) => ({ path, ...moduleNameOf(path, () => true), hash: path, facts: extractFacts(parsePython(source), source) }));
  const index = buildIndex(inputs, { version: null, source: 'test' });
  const tree = parsePython(text);
  const probe = tree.rootNode.namedChildren[tree.rootNode.namedChildren.length - 1].firstNamedChild!;
  const scope = fileScope('mysite/settings.py', text, tree.rootNode, 'mysite.settings', index)(probe.startIndex);
  return [...classify(probe.childForFieldName('right')!, scope).kinds].sort();
}

describe('classify', () => {
  test('literals', () => {
    expect(kindsOf('', '"text"')).toEqual(['str']);
    expect(kindsOf('', '"a" "b"')).toEqual(['str']);
    expect(kindsOf('', 'f"{X}/db"')).toEqual(['str']);
    expect(kindsOf('', 'b"bytes"')).toEqual(['other']);
    expect(kindsOf('', '5432')).toEqual(['int']);
    expect(kindsOf('', 'None')).toEqual(['none']);
  });

  test('os.environ and os.getenv: text, or the default, or None', () => {
    expect(kindsOf('import os', 'os.environ["X"]')).toEqual(['str']);
    expect(kindsOf('import os', 'os.environ.get("X", "d")')).toEqual(['str']);
    expect(kindsOf('import os', 'os.environ.get("X")')).toEqual(['none', 'str']);
    expect(kindsOf('import os', 'os.getenv("X", 5432)')).toEqual(['int', 'str']);
    expect(kindsOf('from os import environ, getenv', 'environ.get("X", default="")')).toEqual(['str']);
    expect(kindsOf('from os import getenv', 'getenv("X") or "fallback"')).toEqual(['str']);
  });

  test('django-environ: the cast, or the default as given; names with a declared cast are not followed', () => {
    const header = 'import environ\nenv = environ.Env(DEBUG=(bool, False), PORT=(int, 5432))';
    expect(kindsOf(header, 'env("NAME")')).toEqual(['str']);
    expect(kindsOf(header, 'env("NAME", default=None)')).toEqual(['none', 'str']);
    expect(kindsOf(header, 'env.str("NAME", "x")')).toEqual(['str']);
    expect(kindsOf(header, 'env.int("P", default=5432)')).toEqual(['int']);
    expect(kindsOf(header, 'env("P", int)')).toEqual(['int']);
    expect(kindsOf(header, 'env("PORT")')).toEqual(['other']);
    expect(kindsOf('env = make_env()', 'env("NAME")')).toEqual(['other']);
  });

  test('python-decouple: the cast applies to the default too', () => {
    expect(kindsOf('from decouple import config', 'config("NAME", default="x")')).toEqual(['str']);
    expect(kindsOf('from decouple import config', 'config("PORT", default="5432", cast=int)')).toEqual(['int']);
    expect(kindsOf('from decouple import config', 'config("NAME", default=None)')).toEqual(['none', 'str']);
  });

  test('paths', () => {
    const header = 'from pathlib import Path\nimport os\nBASE_DIR = Path(__file__).resolve().parent.parent';
    expect(kindsOf(header, 'BASE_DIR / "db.sqlite3"')).toEqual(['path']);
    expect(kindsOf(header, 'BASE_DIR.parent / "var" / "db.sqlite3"')).toEqual(['path']);
    expect(kindsOf(header, 'os.path.join(BASE_DIR, "db.sqlite3")')).toEqual(['str']);
    expect(kindsOf(header, 'os.getenv("DB", BASE_DIR / "db.sqlite3")')).toEqual(['path', 'str']);
    expect(kindsOf(header, 'str(BASE_DIR / "db.sqlite3")')).toEqual(['str']);
  });

  test('names: one unconditional assignment, here or in a star-imported settings file', () => {
    expect(kindsOf('import os\nDB_NAME = os.getenv("DB_NAME", "shop")', 'DB_NAME')).toEqual(['str']);
    expect(kindsOf('DB_NAME = "a"\nDB_NAME = "b"', 'DB_NAME')).toEqual(['other']);
    expect(kindsOf('if DEBUG:\n    DB_NAME = "a"', 'DB_NAME')).toEqual(['other']);
    expect(kindsOf('DB_NAME, OTHER = "a", "b"', 'DB_NAME')).toEqual(['other']);
    expect(kindsOf('from elsewhere import DB_NAME', 'DB_NAME')).toEqual(['other']);
    expect(kindsOf('from .base_settings import *', 'DB_NAME', 'import os\nDB_NAME = os.environ["DB_NAME"]\n')).toEqual(['str']);
    expect(kindsOf('', 'ANYTHING')).toEqual(['other']);
  });

  test('calls djfix does not know, and conditionals', () => {
    expect(kindsOf('', 'secret("DB_PASSWORD")')).toEqual(['other']);
    expect(kindsOf('', '"a" if DEBUG else "b"')).toEqual(['str']);
    expect(kindsOf('', '"a" if DEBUG else None')).toEqual(['none', 'str']);
  });
});
