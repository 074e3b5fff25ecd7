// Loops are found from the text's `for` keywords, each looked up in the tree, rather than by a query
// over every node: the two must find the same loops, in the same order, whatever the spelling.
import { parsePython, query } from '../../src/parse';
import { findLoops } from '../../transforms/select-related/loops';

const EVERY_LOOP = query('[(for_statement) (for_in_clause)] @loop');

const byQuery = (code: string) => EVERY_LOOP.captures(parsePython(code).rootNode).map((capture) => [capture.node.type, capture.node.startIndex]);
const byText = (code: string) => findLoops(parsePython(code).rootNode, code).map((node) => [node.type, node.startIndex]);

describe('findLoops', () => {
  it.each([
    ['a for statement', 'for order in orders:\n    print(order.customer)\n'],
    ['nested statements', 'for a in x:\n    for b in a.items:\n        pass\n'],
    ['comprehensions of every kind, nested', 'a = [x for x in y]\nb = {k: v for k, v in d.items()}\nc = {x for x in [z for z in w]}\nd = (x for x in y for z in x)\n'],
    ['a comprehension in a loop iterable', 'for x in [y for y in z]:\n    pass\n'],
    ['async loops', 'async def f():\n    async for x in y:\n        pass\n    return [a async for a in b]\n'],
    ['a number run into the keyword', 'a = [1for x in y]\n'],
    ['the word in strings, comments and names', 'format = "for x in y"  # for each\nbefore, forward, for_ = 1, 2, 3\nfor x in y: pass\n'],
    ['names in other scripts', 'forå = 1\nåfor = 2\nfor ø in y:\n    pass\n'],
    ['CRLF and tabs', 'for x in y:\r\n\tfor z in x:\r\n\t\tpass\r\n'],
    ['line continuations and brackets', 'total = sum(\n    row.amount\n    for row in rows\n)\nfor \\\n  x in y:\n    pass\n'],
    ['text before the first loop in another script', '# café, naïve, 日本語\nfor x in y:\n    pass\n'],
  ])('finds what a query over the tree finds: %s', (_, code) => {
    expect(byText(code)).toEqual(byQuery(code));
    expect(byQuery(code).length).toBeGreaterThan(0);
  });
});
