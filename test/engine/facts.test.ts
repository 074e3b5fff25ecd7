// Facts are read with a tree cursor. tricky.py holds every shape of statement, class body and literal
// the facts read; tricky.expected.json is what the node-by-node reader that came before the cursor
// gave for it (the two also agreed on every file of 15 real Django projects, 15,542 files). Imports
// and string literals are read from their text: on 18,658 files of those projects and saleor, that
// gave the cursor's facts but for two module names continued with a backslash, which it read whole.
// Since then, lists, tuples and dicts in class bodies are kept as text, and only calls that may
// declare fields have their arguments read (the expected facts changed there, and nowhere else).
import fs from 'node:fs';
import path from 'node:path';
import { extractFacts } from '../../src/facts';
import { parsePython, stringValue } from '../../src/parse';

const DIR = path.join(__dirname, '..', '..', '..', 'test', 'engine', 'facts');

test('the facts of every statement shape are what they were', () => {
  const text = fs.readFileSync(path.join(DIR, 'tricky.py'), 'utf8');
  const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'tricky.expected.json'), 'utf8'));
  expect(JSON.parse(JSON.stringify(extractFacts(parsePython(text), text)))).toEqual(expected);
});

const importsOf = (text: string) => extractFacts(parsePython(text), text).imports.map(({ line, ...fact }) => fact);

test('imports are read from their text, whatever their layout', () => {
  const text = [
    'from a.b \\',
    '    .c import (  # why',
    '    d as e,  # more',
    '    f,',
    ')',
    'import x . y as z, w',
    'from ... import *',
    'from .import q',
    'from .r.s import t',
    'import données.modèle as m',
  ].join('\r\n');
  expect(importsOf(text)).toEqual([
    { module: 'a.b.c', level: 0, names: [{ name: 'd', alias: 'e' }, { name: 'f' }], scope: 'module' },
    { module: 'x.y', level: 0, alias: 'z', scope: 'module' },
    { module: 'w', level: 0, scope: 'module' },
    { module: '', level: 3, names: [{ name: '*' }], scope: 'module' },
    { module: '', level: 1, names: [{ name: 'q' }], scope: 'module' },
    { module: 'r.s', level: 1, names: [{ name: 't' }], scope: 'module' },
    { module: 'données.modèle', level: 0, alias: 'm', scope: 'module' },
  ]);
});

test.each([
  ['"plain"', 'plain'],
  ["'single'", 'single'],
  ['""', ''],
  ['"""tri\n"ple"\n"""', 'tri\n"ple"\n'],
  ["r'\\d+'", '\\d+'],
  ['Rb"raw"', 'raw'],
  ['u"text"', 'text'],
  ['"esc\\n"', undefined],
  ['f"{x}"', undefined],
  ['F"plain"', undefined],
  ['rf"{x}"', undefined],
  ['t"{x}"', undefined],
])('the string literal %s has the value %p', (literal, value) => {
  const tree = parsePython(`x = ${literal}\n`);
  expect(stringValue(tree.rootNode.firstNamedChild!.firstNamedChild!.childForFieldName('right')!)).toBe(value);
});
