import { applyEdits } from '../../src/edits';
import { countSyntaxErrors, parsePython } from '../../src/parse';
import { cutEdits } from '../../transforms/lazy-model-imports/edit';
import type { LazyBinding, ModelRef } from '../../transforms/lazy-model-imports/judge';
import { summarize } from '../../transforms/lazy-model-imports/summary';
import { findImportUses } from '../../transforms/lazy-model-imports/uses';

const order: ModelRef = { key: 'sales.Order', label: 'sales', name: 'Order', labelSource: 'the label of OrdersConfig in orders/apps.py' };
const line: ModelRef = { key: 'sales.Line', label: 'sales', name: 'Line', labelSource: 'the label of OrdersConfig in orders/apps.py' };

/** Makes the bindings named lazy, as a cut would, and returns the new text and what the finding says. */
function cut(text: string, lazy: Array<{ local: string; kind: 'class' | 'module'; models: Record<string, ModelRef> }>) {
  const tree = parsePython(text);
  const summary = summarize(tree, text);
  const bindings: LazyBinding[] = lazy.map((entry) => {
    const binding = summary.bindings.find((candidate) => candidate.local === entry.local)!;
    return { ...entry, line: binding.line, binding };
  });
  const result = cutEdits(text, tree, findImportUses(tree, text), bindings);
  if (!result.ok) throw new Error(result.reason);
  const after = applyEdits(text, result.edits);
  expect(countSyntaxErrors(parsePython(after))).toBe(0);
  return { after, summary: result.summary, labels: result.labels };
}

test('a module binding: members become lookups in functions and lazy strings in relations; the import goes', () => {
  const text = [
    'from django.db import models',
    'import orders.models as sales_models',
    '',
    '',
    'class Refund(models.Model):',
    "    order = models.ForeignKey(sales_models.Order, on_delete=models.CASCADE)",
    '',
    '    def lines(self):',
    '        """Its order\'s lines."""',
    '        return sales_models.Line.objects.filter(order=sales_models.Order.objects.get(pk=self.order_id))',
    '',
  ].join('\n');
  const { after, summary, labels } = cut(text, [{ local: 'sales_models', kind: 'module', models: { Order: order, Line: line } }]);
  expect(after).toBe(
    [
      'from django.db import models',
      'from django.apps import apps',
      '',
      '',
      'class Refund(models.Model):',
      '    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE)',
      '',
      '    def lines(self):',
      '        """Its order\'s lines."""',
      '        Line = apps.get_model("sales", "Line")',
      '        Order = apps.get_model("sales", "Order")',
      '        return Line.objects.filter(order=Order.objects.get(pk=self.order_id))',
      '',
    ].join('\n'),
  );
  expect(summary).toEqual(['sales_models.Order and sales_models.Line looked up with apps.get_model("sales", "Line") and apps.get_model("sales", "Order") at the top of lines() and named by "sales.Order" in the relation field at line 6']);
  expect(labels).toEqual(['"sales" is the label of OrdersConfig in orders/apps.py']);
});

test("the file's quotes; an annotation holding them is quoted with the other kind", () => {
  const text = "from orders.models import Order\nfrom typing import Literal\n\n\ndef state(order: Order, kind: Literal['a'] | Order) -> Order:\n    return order\n\n\nNAME = 'x'\n";
  const { after } = cut(text, [{ local: 'Order', kind: 'class', models: { Order: order } }]);
  expect(after).toBe(
    "from typing import Literal, TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from orders.models import Order\n\n\ndef state(order: 'Order', kind: \"Literal['a'] | Order\") -> 'Order':\n    return order\n\n\nNAME = 'x'\n",
  );
});

test('bindings treated alike share one clause', () => {
  const text = 'from __future__ import annotations\n\nfrom orders.models import Line, Order\n\n\ndef total(order: Order, line: Line) -> int:\n    return 0\n';
  const { after, summary } = cut(text, [
    { local: 'Order', kind: 'class', models: { Order: order } },
    { local: 'Line', kind: 'class', models: { Line: line } },
  ]);
  expect(after).toBe('from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from orders.models import Order, Line\n\n\ndef total(order: Order, line: Line) -> int:\n    return 0\n');
  expect(summary).toEqual(['Order and Line imported under if TYPE_CHECKING: for type checkers', 'annotations stay as they are: from __future__ import annotations keeps them unevaluated']);
});
