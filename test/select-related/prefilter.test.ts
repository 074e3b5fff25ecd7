// The text test select-related runs before parsing a file: it may let through files without
// findings, never turn away one with findings, whatever the spacing, comments or names.
import type { ProjectIndex } from '../../src/project/index';
import { parsePython } from '../../src/parse';
import { findLoops, loopOf } from '../../transforms/select-related/loops';
import { loopMayReadRelations, mayReadRelations } from '../../transforms/select-related/prefilter';

const index = {
  models: {
    'orders.Order': { fields: [{ name: 'customer', relation: 'fk' }, { name: 'total' }], reverse: [{ accessor: 'lines' }] },
    'orders.Käufer': { fields: [{ name: 'straße', relation: 'fk' }], reverse: [] },
  },
} as unknown as ProjectIndex;

const passes = (code: string) => mayReadRelations(code, index);

describe('select-related text test', () => {
  it.each([
    ['a plain loop', 'for order in orders:\n    print(order.customer)\n'],
    ['a comprehension', 'names = [order.customer.name for order in orders]\n'],
    ['enumerate with parentheses and a comment in the target', 'for (i,  # position\n     order) in enumerate(orders):\n    order.lines.all()\n'],
    ['a line continuation before the dot', 'for order in orders:\n    x = order \\\n        .customer\n'],
    ['a comment and a line break between the dot and the name', 'for order in orders:\n    x = (order.  # the buyer\n         customer)\n'],
    ['CRLF line endings', 'for order in orders:\r\n    x = (order\r\n         .customer)\r\n'],
    ['non-ASCII names', 'for käufer in Käufer.objects.all():\n    käufer.straße\n'],
    ['an f-string', 'for order in orders:\n    print(f"{order.customer}")\n'],
    ['a nested loop over a relation', 'for line in (order.lines.all() for order in orders):\n    pass\n'],
  ])('lets through %s', (_, code) => {
    expect(passes(code)).toBe(true);
  });

  it.each([
    ['loops that read plain fields only', 'for order in orders:\n    print(order.total)\n'],
    ['relations read on a name that no loop binds', 'for order in orders:\n    print(order.total, invoice.customer)\n'],
    ['a name that only ends like the loop variable', 'for order in orders:\n    print(suborder.customer, order.total)\n'],
    ['a relation name that is the start of a longer name', 'for order in orders:\n    print(order.customer_name)\n'],
    ['no loop', 'print(order.customer)\n'],
  ])('turns away %s', (_, code) => {
    expect(passes(code)).toBe(false);
  });

  it('never scans a file twice over when a `for` has no `in` after it', () => {
    expect(passes('# for '.repeat(100_000))).toBe(false);
  });
});

describe('select-related text test for one loop', () => {
  const loops = (code: string) => findLoops(parsePython(code).rootNode, code).map((node) => loopOf(node)!);

  it('looks in every region a loop runs per row, and only there', () => {
    const [comprehension] = loops('names = [1 for order in orders if order.customer]\n');
    expect(loopMayReadRelations('names = [1 for order in orders if order.customer]\n', comprehension, index)).toBe(true);
    const code = 'for order in orders:\n    order.total\nfor other in orders:\n    order.customer\n';
    const [first, second] = loops(code);
    expect(loopMayReadRelations(code, first, index)).toBe(false);
    expect(loopMayReadRelations(code, second, index)).toBe(false);
  });
});
