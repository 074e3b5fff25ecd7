// Which lines a `# djfix: ignore` comment covers, read from the tree: the comment's own line, and the
// statement (or compound statement header) that starts on it. Text in strings is never a comment.
import { parsePython } from '../../src/parse';
import { suppressionFor, suppressionOutcome, suppressionsIn } from '../../src/suppressions';

const covered = (code: string) => suppressionsIn(parsePython(code)).map(({ line, lastLine, ids, malformed }) => ({ line, lastLine, ids, malformed }));

test('a trailing comment on a one-line statement covers its line', () => {
  expect(covered('x = 1\ny = 2  # djfix: ignore\nz = 3\n')).toEqual([{ line: 2, lastLine: 2, ids: undefined, malformed: undefined }]);
});

test('on the first line of a multi-line statement it covers the whole statement', () => {
  const middleware = 'MIDDLEWARE = [  # djfix: ignore[middleware-order]\n    "a",\n    "b",\n]\nOTHER = 1\n';
  expect(covered(middleware)).toEqual([{ line: 1, lastLine: 4, ids: ['middleware-order'], malformed: undefined }]);
  expect(covered('from shop.models import (  # djfix: ignore\n    Order,\n    Product,\n)\n')[0]).toMatchObject({ line: 1, lastLine: 4 });
  // On a later line of the statement it covers only that line.
  expect(covered('MIDDLEWARE = [\n    "a",  # djfix: ignore\n    "b",\n]\n')[0]).toMatchObject({ line: 2, lastLine: 2 });
});

test('on a compound statement it covers the header, not the body', () => {
  expect(covered('for order in Order.objects.filter(  # djfix: ignore\n    paid=True,\n):\n    print(order.customer)\n')[0]).toMatchObject({ line: 1, lastLine: 3 });
  expect(covered('if x:  # djfix: ignore\n    y = [\n        1,\n    ]\n')[0]).toMatchObject({ line: 1, lastLine: 1 });
  expect(covered('@decorator  # djfix: ignore\ndef view(\n    request,\n):\n    return 1\n')[0]).toMatchObject({ line: 1, lastLine: 4 });
  expect(covered('class A(  # djfix: ignore\n    Base,\n):\n    x = 1\n')[0]).toMatchObject({ line: 1, lastLine: 3 });
  // A statement of the body that starts on the header's line is covered whole.
  expect(covered('if x: y = [  # djfix: ignore\n    1,\n]\n')[0]).toMatchObject({ line: 1, lastLine: 3 });
});

test('strings are not comments; other comments and trailing text are allowed', () => {
  expect(covered('x = "# djfix: ignore"\ny = """\n# djfix: ignore\n"""\n')).toEqual([]);
  expect(covered('x = 1  # noqa: E501  # djfix: ignore[select-related, database-url] the loop is tiny\n')).toEqual([{ line: 1, lastLine: 1, ids: ['select-related', 'database-url'], malformed: undefined }]);
  expect(covered('x = 1  # see the djfix: ignore docs\n')).toEqual([]);
});

test('comments djfix cannot use are malformed and suppress nothing', () => {
  expect(covered('a = 1  # djfix: ignroe\nb = 1  # djfix: ignore[\nc = 1  # djfix: ignore[]\nd = 1  # djfix: ignore[x,]\n').map((found) => found.malformed)).toEqual([
    'djfix knows only "# djfix: ignore" and "# djfix: ignore[transform-id, ...]"',
    'its [ has no closing ]',
    'an empty name in its [...] list',
    'an empty name in its [...] list',
  ]);
  const malformed = suppressionsIn(parsePython('a = 1  # djfix: ignore[\n'));
  expect(suppressionFor(malformed, 'select-related', 1)).toBeUndefined();
});

test('a suppression applies to the transforms it names, on the lines it covers', () => {
  const suppressions = suppressionsIn(parsePython('x = [  # djfix: ignore[database-url]\n    1,\n]\ny = 1  # djfix: ignore\n'));
  expect(suppressionFor(suppressions, 'database-url', 2)?.line).toBe(1);
  expect(suppressionFor(suppressions, 'select-related', 2)).toBeUndefined();
  expect(suppressionFor(suppressions, 'select-related', 4)?.line).toBe(4);
  expect(suppressionFor(suppressions, 'database-url', 5)).toBeUndefined();
});

test('the outcome: the count, unused comments, unknown ids and malformed comments', () => {
  const suppressions = suppressionsIn(parsePython('a = 1  # djfix: ignore\nb = 1  # djfix: ignore[select-related]\nc = 1  # djfix: ignore[nope]\nd = 1  # djfix: ignore[database-url]\ne = 1  # djfix: ignore[\n'));
  const outcome = suppressionOutcome(
    [{ path: 'shop/views.py', suppressions, suppressed: [{ transform: 'select-related', code: 'n-plus-one', path: 'shop/views.py', line: 2, by: 2 }] }],
    ['select-related', 'middleware-order'],
    ['select-related', 'middleware-order', 'database-url'],
  );
  expect(outcome.suppressed).toBe(1);
  // d names a transform that did not run: it cannot be judged unused.
  expect(outcome.unused).toEqual([{ path: 'shop/views.py', line: 1, comment: '# djfix: ignore' }]);
  expect(outcome.problems).toEqual([
    { path: 'shop/views.py', line: 3, message: '"# djfix: ignore[nope]" names unknown transform "nope" (known: select-related, middleware-order, database-url)' },
    { path: 'shop/views.py', line: 5, message: '"# djfix: ignore[" is not a suppression djfix understands (its [ has no closing ]); it suppresses nothing' },
  ]);
});
