// Small pieces with rules of their own: when two keys are the same key, the house style of a file,
// and the one edit that turns a text into another.
import { parsePython } from '../../src/parse';
import { canonicalKey } from '../../transforms/cache-invalidation/canonical';
import { diffEdit } from '../../transforms/cache-invalidation/render';
import { styleOf } from '../../transforms/cache-invalidation/render';
import { applyEdits } from '../../src/edits';

function canonical(expression: string, instance = 'instance'): string {
  return canonicalKey(parsePython(expression).rootNode.firstNamedChild!.firstNamedChild!, instance);
}

describe('canonicalKey', () => {
  test('quotes, layout and the name of the instance do not matter', () => {
    expect(canonical('f"p:{instance.pk}"')).toBe(canonical("f'p:{obj.pk}'", 'obj'));
    expect(canonical('"p:%s" % (instance.pk,)')).toBe(canonical('"p:%s"  %  ( self.pk , )', 'self'));
    expect(canonical('keys.user_key(instance)')).toBe(canonical('user_key(instance)'));
  });

  test('different keys differ', () => {
    expect(canonical('f"p:{instance.pk}"')).not.toBe(canonical('f"p:{instance.id}"'));
    expect(canonical('f"p:{instance.pk}"')).not.toBe(canonical('f"q:{instance.pk}"'));
    expect(canonical('f"p:{instance.pk:>5}"')).not.toBe(canonical('f"p:{instance.pk}"'));
    expect(canonical('f"p:{instance.pk}"')).not.toBe(canonical('f"p:{other.pk}"'));
  });
});

describe('styleOf', () => {
  const style = (text: string) => styleOf(text, parsePython(text));
  test('quotes by majority, the first indentation, line endings', () => {
    expect(style("x = 'a'\ny = 'b'\nz = \"c\"\n")).toEqual({ quote: "'", indent: '    ', eol: '\n' });
    expect(style('def f():\r\n\t"""Doc."""\r\n\treturn "a"\r\n')).toEqual({ quote: '"', indent: '\t', eol: '\r\n' });
    expect(style('class A:  # note\n\n  x = 1\n')).toMatchObject({ indent: '  ' });
    expect(style('')).toEqual({ quote: '"', indent: '    ', eol: '\n' });
  });
});

test('diffEdit is one edit between the common prefix and suffix', () => {
  for (const [before, after] of [['abc', 'abXc'], ['import a\n\nx = 1\n', 'import a\nimport b\n\nx = 1\n\n\ny = 2\n'], ['', 'new'], ['same', 'same'], ['aaa', 'aa']]) {
    const edit = diffEdit(before, after);
    expect(applyEdits(before, [edit])).toBe(after);
  }
  expect(diffEdit('x = 1\n', 'x = 1\ny = 2\n')).toEqual({ start: 6, end: 6, text: 'y = 2\n' });
});
