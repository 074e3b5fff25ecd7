import { applyEdits } from '../../src/edits';
import { addImport, addImports, addLocalImport, addTypeCheckingImports, ImportSpec, removeImportedName, removeImportedNames } from '../../src/imports';
import type { TextEdit } from '../../src/model';
import { countSyntaxErrors, parsePython } from '../../src/parse';

function add(text: string, spec: ImportSpec): string {
  const result = applyEdits(text, addImport(text, parsePython(text), spec));
  expect(countSyntaxErrors(parsePython(result))).toBe(0);
  return result;
}

function remove(text: string, module: string, name: string): string {
  const tree = parsePython(text);
  const statement = tree.rootNode.descendantsOfType('import_from_statement').find((node) => node.childForFieldName('module_name')?.text === module)!;
  const result = applyEdits(text, removeImportedName(text, statement, name));
  expect(countSyntaxErrors(parsePython(result))).toBe(0);
  return result;
}

describe('addImport', () => {
  const apps = { module: 'django.apps', name: 'apps' };

  test('goes at the end of the first import block, after docstring and __future__', () => {
    expect(add('"""Doc."""\nfrom __future__ import annotations\n\nimport os\nfrom x import y\n\nZ = 1\n', apps)).toBe(
      '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nfrom x import y\nfrom django.apps import apps\n\nZ = 1\n',
    );
  });

  test('joins an existing from-import of the same module', () => {
    expect(add('from django.apps import AppConfig\n', apps)).toBe('from django.apps import AppConfig, apps\n');
    expect(add('from django.apps import (\n    AppConfig,\n)\n', apps)).toBe('from django.apps import (\n    AppConfig, apps,\n)\n');
  });

  test('never duplicates', () => {
    const text = 'from django.apps import apps\n';
    expect(addImport(text, parsePython(text), apps)).toEqual([]);
    const plain = 'import dj_database_url\n';
    expect(addImport(plain, parsePython(plain), { module: 'dj_database_url' })).toEqual([]);
  });

  test('no imports yet: after the docstring and comments, with the file line endings', () => {
    expect(add('"""Doc."""\r\nX = 1\r\n', { module: 'dj_database_url' })).toBe('"""Doc."""\r\nimport dj_database_url\r\n\r\nX = 1\r\n');
    expect(add('# comment\n\nX = 1\n', { module: 'os' })).toBe('# comment\nimport os\n\nX = 1\n');
    expect(add('', { module: 'os' })).toBe('import os\n');
  });

  test('a file that ends on its last import without a newline', () => {
    expect(add('import os', { module: 'sys' })).toBe('import os\nimport sys');
  });
});

describe('removeImportedName', () => {
  test('removes one name and its comma', () => {
    expect(remove('from a.models import A, B, C\n', 'a.models', 'B')).toBe('from a.models import A, C\n');
    expect(remove('from a.models import A, B\n', 'a.models', 'B')).toBe('from a.models import A\n');
    expect(remove('from a.models import (\n    A,\n    B,\n)\n', 'a.models', 'A')).toBe('from a.models import (\n    B,\n)\n');
  });

  test('removes the statement and its line when nothing is left', () => {
    expect(remove('import os\nfrom a.models import A  # noqa\nX = 1\n', 'a.models', 'A')).toBe('import os\nX = 1\n');
  });

  test('between blank lines, takes one of them with it', () => {
    expect(remove('import os\n\nfrom a.models import A\n\n\nX = 1\n', 'a.models', 'A')).toBe('import os\n\n\nX = 1\n');
    expect(remove('from a.models import A\n\nX = 1\n', 'a.models', 'A')).toBe('\nX = 1\n');
  });

  test('leaves pass when the statement was alone in its block', () => {
    expect(remove('if TYPE_CHECKING:\n    from a.models import A\n', 'a.models', 'A')).toBe('if TYPE_CHECKING:\n    pass\n');
  });
});

describe('removeImportedNames', () => {
  const removeAll = (text: string, names: string[]) => {
    const statement = parsePython(text).rootNode.firstNamedChild!;
    const result = applyEdits(text, removeImportedNames(text, statement, names));
    expect(countSyntaxErrors(parsePython(result))).toBe(0);
    return result;
  };

  test('removes several names, leading, middle and trailing runs', () => {
    expect(removeAll('from m import A, B, C, D\n', ['A', 'C'])).toBe('from m import B, D\n');
    expect(removeAll('from m import A, B, C, D\n', ['C', 'D'])).toBe('from m import A, B\n');
    expect(removeAll('from m import (\n    A,\n    B,\n    C,\n)\n', ['B', 'C'])).toBe('from m import (\n    A,\n)\n');
  });

  test('matches what a name binds (alias) or what it imports; the statement goes when all do', () => {
    expect(removeAll('from m import A as B, C\nX = 1\n', ['B', 'C'])).toBe('X = 1\n');
    expect(removeAll('import a.b as c, d\n', ['c'])).toBe('import d\n');
    expect(removeAll('import a.b, d\n', ['a.b'])).toBe('import d\n');
  });
});

describe('addTypeCheckingImports', () => {
  const spec = { module: '.models', name: 'Person' };
  /** Applies the caller's edits (made on the original text) with the helper's, as a transform does. */
  function move(text: string, caller: (text: string, statement: ReturnType<typeof parsePython>['rootNode']) => TextEdit[], specs: ImportSpec[] = [spec]): string {
    const tree = parsePython(text);
    const near = tree.rootNode.namedChildren.find((node) => node.text.includes('.models'))!;
    const alongside = caller(text, near);
    const edits = [...alongside, ...addTypeCheckingImports(text, tree, specs, near, alongside)];
    const merged: TextEdit[] = [];
    for (const edit of edits) {
      const same = edit.start === edit.end ? merged.find((other) => other.start === edit.start && other.end === edit.start) : undefined;
      if (same) same.text += edit.text;
      else merged.push({ ...edit });
    }
    const result = applyEdits(text, merged);
    expect(countSyntaxErrors(parsePython(result))).toBe(0);
    return result;
  }
  const removeNear = (text: string, near: ReturnType<typeof parsePython>['rootNode']) => removeImportedName(text, near, 'Person');

  test('a new block after the import run, with typing imported where the block goes', () => {
    expect(move('import os\nfrom .models import Person\n\n\ndef f(p: "Person"):\n    pass\n', removeNear)).toBe(
      'import os\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .models import Person\n\n\ndef f(p: "Person"):\n    pass\n',
    );
  });

  test('typing already imported: the block takes the place of the removed import, blank lines kept', () => {
    expect(move('from typing import Optional, TYPE_CHECKING\n\nfrom .models import Person\n\n\nX: "Person"\n', removeNear)).toBe(
      'from typing import Optional, TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .models import Person\n\n\nX: "Person"\n',
    );
  });

  test('an import the caller adds where the block goes comes first, with a blank line before the block', () => {
    const addApps = (text: string, near: ReturnType<typeof parsePython>['rootNode']) => [
      ...removeNear(text, near),
      ...addImport(text, parsePython(text), { module: 'django.apps', name: 'apps' }),
    ];
    expect(move('from typing import TYPE_CHECKING\nfrom .models import Person\nX = 1\n', addApps)).toBe(
      'from typing import TYPE_CHECKING\nfrom django.apps import apps\n\nif TYPE_CHECKING:\n    from .models import Person\n\nX = 1\n',
    );
  });

  test('typing joins a later from-import: the block goes below it', () => {
    expect(move('from .models import Person, Other\n\nfrom typing import Optional\nX = 1\n', removeNear)).toBe(
      'from .models import Other\n\nfrom typing import Optional, TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .models import Person\n\nX = 1\n',
    );
  });

  test('an existing block gets the import after its imports, before aliases built from it, with its indentation, once', () => {
    const text = 'from typing import TYPE_CHECKING\nfrom .models import Person\n\nif TYPE_CHECKING:\n\tfrom os import PathLike\n\tPeople = list[Person]\n\nX = 1\n';
    expect(move(text, removeNear)).toBe('from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n\tfrom os import PathLike\n\tfrom .models import Person\n\tPeople = list[Person]\n\nX = 1\n');
    const aliasOnly = 'from typing import TYPE_CHECKING\nfrom .models import Person\n\nif TYPE_CHECKING:\n    People = list[Person]\n';
    expect(move(aliasOnly, removeNear)).toBe('from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .models import Person\n    People = list[Person]\n');
    const already = 'from typing import TYPE_CHECKING\nfrom .models import Person\nif TYPE_CHECKING:\n    from .models import Person\n';
    expect(addTypeCheckingImports(already, parsePython(already), [spec], parsePython(already).rootNode.namedChildren[1])).toEqual([]);
  });

  test('plain and aliased module imports; CRLF and tab indentation', () => {
    const text = 'import app.models as m\r\n\r\ndef f(x: "m.Thing"):\r\n\tpass\r\n';
    const result = move(text, (t, near) => removeImportedName(t, near, 'm'), [{ module: 'app.models', alias: 'm' }]);
    expect(result).toBe('from typing import TYPE_CHECKING\r\n\r\nif TYPE_CHECKING:\r\n\timport app.models as m\r\n\r\ndef f(x: "m.Thing"):\r\n\tpass\r\n');
  });
});

describe('addImports', () => {
  function addAll(text: string, specs: ImportSpec[]): string {
    const result = applyEdits(text, addImports(text, parsePython(text), specs));
    expect(countSyntaxErrors(parsePython(result))).toBe(0);
    return result;
  }

  test('new statements go together, in order, at the end of the first import block', () => {
    expect(addAll('from pathlib import Path\n\nX = 1\n', [{ module: 'dj_database_url' }, { module: 'urllib.parse', name: 'quote' }])).toBe(
      'from pathlib import Path\nimport dj_database_url\nfrom urllib.parse import quote\n\nX = 1\n',
    );
  });

  test('no imports yet: one block, one separating blank line', () => {
    expect(addAll('"""Doc."""\nX = 1\n', [{ module: 'os' }, { module: 'sys' }])).toBe('"""Doc."""\nimport os\nimport sys\n\nX = 1\n');
  });

  test('names of one module join its statement, or one new statement', () => {
    expect(addAll('from urllib.parse import urlsplit\n', [{ module: 'urllib.parse', name: 'quote' }, { module: 'urllib.parse', name: 'unquote' }])).toBe(
      'from urllib.parse import urlsplit, quote, unquote\n',
    );
    expect(addAll('import os\n', [{ module: 'urllib.parse', name: 'quote' }, { module: 'urllib.parse', name: 'unquote' }])).toBe(
      'import os\nfrom urllib.parse import quote, unquote\n',
    );
  });

  test('a joined name and a new statement on a last line without a line break', () => {
    expect(addAll('from a import b', [{ module: 'a', name: 'c' }, { module: 'os' }])).toBe('from a import b, c\nimport os');
  });

  test('skips what is imported already and repeated specs', () => {
    const text = 'import dj_database_url\n';
    expect(addImports(text, parsePython(text), [{ module: 'dj_database_url' }, { module: 'os' }, { module: 'os' }])).toEqual([{ start: text.length, end: text.length, text: 'import os\n' }]);
  });
});

describe('addLocalImport', () => {
  const signals = { module: '.', name: 'signals' };
  function addLocal(text: string, comment?: string): string | undefined {
    const tree = parsePython(text);
    const body = tree.rootNode.descendantsOfType('function_definition')[0].childForFieldName('body')!;
    const edits = addLocalImport(text, body, signals, comment);
    if (edits === undefined) return undefined;
    const result = applyEdits(text, edits);
    expect(countSyntaxErrors(parsePython(result))).toBe(0);
    return result;
  }

  test('goes first in the body, with its indentation and the file line endings', () => {
    expect(addLocal('class C:\n    def ready(self):\n        super().ready()\n', 'noqa: F401')).toBe(
      'class C:\n    def ready(self):\n        from . import signals  # noqa: F401\n        super().ready()\n',
    );
    expect(addLocal('class C:\r\n\tdef ready(self):\r\n\t\tpass\r\n')).toBe('class C:\r\n\tdef ready(self):\r\n\t\tfrom . import signals\r\n\t\tpass\r\n');
  });

  test('after the docstring, also when the docstring ends the file', () => {
    expect(addLocal('def ready(self):\n    """Doc."""\n    pass\n')).toBe('def ready(self):\n    """Doc."""\n    from . import signals\n    pass\n');
    expect(addLocal('def ready(self):\n    """Doc."""')).toBe('def ready(self):\n    """Doc."""\n    from . import signals');
  });

  test('never duplicates; no place in a one-line body', () => {
    expect(addLocal('def ready(self):\n    from . import signals  # noqa\n')).toBe('def ready(self):\n    from . import signals  # noqa\n');
    expect(addLocal('def ready(self): pass\n')).toBeUndefined();
  });
});
