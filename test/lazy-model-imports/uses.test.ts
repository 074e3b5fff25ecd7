import { parsePython } from '../../src/parse';
import { bodyInsertion, preferredQuote } from '../../transforms/lazy-model-imports/layout';
import { moduleBindingLines } from '../../transforms/lazy-model-imports/module-scan';
import { findImportUses, ImportBinding } from '../../transforms/lazy-model-imports/uses';

function uses(text: string) {
  return findImportUses(parsePython(text), text);
}

function binding(text: string, local: string): ImportBinding {
  const found = uses(text).bindings.find((candidate) => candidate.local === local);
  if (!found) throw new Error(`no binding ${local}`);
  return found;
}

/** `line:context[/kind]` for the bare name's uses. */
function places(text: string, local: string): string[] {
  return binding(text, local).sites.map((site) => `${site.line}:${site.bare.context}${site.bare.kind ? `/${site.bare.kind}` : ''}`);
}

describe('where a use of an imported model sits', () => {
  test('function bodies: functions, methods, nested functions, lambdas and comprehensions inside them', () => {
    const text = [
      'from app.models import Order',
      'def f():',
      '    return [o for o in Order.objects.all()]',
      'class View:',
      '    def get(self):',
      '        def inner():',
      '            return Order',
      '        return sorted(Order.objects.all(), key=lambda o: Order)',
    ].join('\n');
    expect(places(text, 'Order')).toEqual(['3:function', '7:function', '8:function', '8:function']);
    const sites = binding(text, 'Order').sites;
    expect(sites.map((site) => site.bare.function?.childForFieldName('name')?.text)).toEqual(['f', 'inner', 'get', 'get']);
    expect(sites[0].bare.topFunction).toBe('f');
    expect(sites[1].bare.topFunction).toBeUndefined();
  });

  test('relation targets at import time: first argument, to= and through=, plain or through a module', () => {
    const text = [
      'from django.db import models',
      'from app.models import Order',
      'from app import models as app_models',
      'class Line(models.Model):',
      '    order = models.ForeignKey(Order, on_delete=models.CASCADE)',
      '    orders = models.ManyToManyField(to=Order, through=Order)',
      '    other = models.OneToOneField(app_models.Order, on_delete=models.CASCADE)',
      '    limited = models.ForeignKey("x.Y", limit_choices_to={"pk__in": Order.objects.all()})',
    ].join('\n');
    expect(places(text, 'Order')).toEqual(['5:relation', '6:relation', '6:relation', '8:blocked/class-body']);
    const viaModule = binding(text, 'app_models').sites[0];
    expect([viaModule.member, viaModule.viaMember?.context]).toEqual(['Order', 'relation']);
  });

  test('annotations: evaluated ones are quotable as a whole; strings and postponed ones only type checkers read', () => {
    const text = ['from app.models import Order', 'x: Order = None', 'def f(o: "Order", p: list[Order] = None) -> Order | None:', '    y: Order = o', '    return y'].join('\n');
    expect(places(text, 'Order')).toEqual(['2:annotation', '3:type-string', '3:annotation', '3:annotation', '4:annotation']);
    expect(binding(text, 'Order').sites[2].bare.annotation?.text).toBe('list[Order]');
    expect(places(`from __future__ import annotations\n${text}`, 'Order')).toEqual(['3:type-string', '4:type-string', '4:type-string', '4:type-string', '5:type-string']);
    expect(places('from app.models import Order\ndef f(o: Literal["a", \'b\'] | Order): pass\n', 'Order')).toEqual(['2:blocked/unquotable-annotation']);
    expect(places('from app.models import Order\nif TYPE_CHECKING:\n    Orders = QuerySet[Order]\n', 'Order')).toEqual(['3:type-string']);
  });

  test('uses while the module is imported, each with its kind', () => {
    const text = [
      'from app.models import Order',
      'class Special(Order):',
      '    pass',
      '@receiver(post_save, sender=Order)',
      'def saved(sender, **kwargs): pass',
      '@register(Order)',
      'class OrderAdmin:',
      '    model = Order',
      'def g(model=Order):',
      '    pass',
      'key = lambda: Order',
      'COUNT = Order.objects.count()',
      'type Alias = Order',
    ].join('\n');
    expect(places(text, 'Order')).toEqual([
      '2:blocked/base-class',
      '4:blocked/signal-sender',
      '6:blocked/decorator',
      '8:blocked/class-body',
      '9:blocked/default-argument',
      '11:blocked/lambda',
      '12:blocked/module-level',
      '13:blocked/type-alias',
    ]);
  });

  test('a function whose body is on its def line has no room for a lookup', () => {
    expect(places('from app.models import Order\ndef f(): return Order\ndef g():\n    "Doc."; return Order\n', 'Order')).toEqual(['2:blocked/one-line-body', '4:blocked/one-line-body']);
  });

  test('modules: `import a.b` reads chains a.b.X; a module used on its own is a module object', () => {
    const text = ['import app.models', 'import app.models as m', 'def f():', '    return app.models.Order, m.Order, m'].join('\n');
    const plain = binding(text, 'app').sites.map((site) => `${site.member}:${site.viaMember?.context}`);
    expect(plain).toEqual(['Order:function']);
    expect(binding(text, 'm').sites.map((site) => site.member ?? site.bare.kind)).toEqual(['Order', 'module-object']);
  });
});

describe('what stops an import from changing whatever its uses are', () => {
  test('the name is bound again: assignment, parameter, loop target, global, another import', () => {
    const text = [
      'from app.models import A, B, C, D, E',
      'A = None',
      'def f(B): pass',
      'for C in []: pass',
      'def g():',
      '    global D',
      'from other import E',
    ].join('\n');
    for (const name of ['A', 'B', 'C', 'D', 'E']) expect(binding(text, name).problems.map((problem) => problem.kind)).toContain('rebound');
  });

  test('listed in __all__; star imports', () => {
    expect(binding('from app.models import A\n__all__ = ["A"]\n', 'A').problems).toEqual([{ line: 2, kind: 'exported' }]);
    expect(binding('from app.models import *\n', '*').problems).toEqual([{ line: 1, kind: 'star' }]);
  });

  test('imports inside try/if blocks and class bodies run at import time but are not top level; TYPE_CHECKING and function imports are not bindings', () => {
    const text = 'try:\n    from app.models import A\nexcept ImportError:\n    pass\nif TYPE_CHECKING:\n    from app.models import B\ndef f():\n    from app.models import C\n';
    expect(uses(text).bindings.map((found) => [found.local, found.topLevel])).toEqual([['A', false]]);
  });

  test('django, typing and __future__ imports are never followed', () => {
    expect(uses('from django.db import models\nimport typing\nfrom __future__ import annotations\n').bindings).toEqual([]);
  });
});

describe('file facts', () => {
  test("the app registry's name: apps, an existing alias, or taken by something else", () => {
    expect(uses('x = 1\n')).toMatchObject({ registry: 'apps', registryTaken: undefined });
    expect(uses('from django.apps import apps as registry\n')).toMatchObject({ registry: 'registry', registryTaken: undefined });
    expect(uses('def forwards(apps, schema_editor):\n    pass\n')).toMatchObject({ registry: 'apps', registryTaken: 1 });
    expect(uses('def f():\n    from myproject import apps\n')).toMatchObject({ registry: 'apps', registryTaken: 2 });
    expect(uses('from django.apps import apps\ndef f():\n    return apps.get_models()\n').registryTaken).toBeUndefined();
    expect(uses('from django.apps import AppConfig\nimport django.apps\n').registryTaken).toBeUndefined();
  });

  test('callees run at import time: module level, conditions, class bodies, decorators, defaults; not function or lambda bodies', () => {
    const text = [
      'from .rewards import tier_for',
      'LEVEL = tier_for(3)',
      'if enabled():',
      '    setup()',
      '@register',
      'class A(base()):',
      '    field = make_field()',
      '    key = lambda: lazy()',
      '    @cached(size())',
      '    def method(self, x=default()):',
      '        later()',
    ].join('\n');
    expect(uses(text).importTimeCalls).toEqual(['base', 'cached', 'default', 'enabled', 'make_field', 'register', 'setup', 'size', 'tier_for']);
  });

  test('comments and other strings are not uses; names are whole words, non-ASCII ones too', () => {
    const text = 'from app.models import Café, Order\n# Order is cached\nLABEL = "Order"\ndef f():\n    return Café, OrderLine\n';
    expect(places(text, 'Order')).toEqual([]);
    expect(places(text, 'Café')).toEqual(['5:function']);
  });

  test('string annotations name a module member the way Python would read it', () => {
    const text = 'import app.models\nfrom app import models\ndef f(a: "app.models.Order", b: "models.Line") -> "app.other.X":\n    pass\n';
    expect(binding(text, 'app').sites.map((site) => site.member)).toEqual(['Order']);
    expect(binding(text, 'models').sites.map((site) => [site.member, site.viaMember?.context])).toEqual([['Line', 'type-string']]);
  });

  test("the file's quote", () => {
    expect(preferredQuote(parsePython(`a = 'x'\nb = 'y'\nc = "z"\n`))).toBe("'");
    expect(preferredQuote(parsePython(`a = """x"""\nb = "y"\n`))).toBe('"');
  });
});

describe('bodyInsertion', () => {
  const at = (text: string) => {
    const definition = parsePython(text).rootNode.descendantsOfType('function_definition')[0];
    const found = bodyInsertion(definition, text);
    return found && { line: text.slice(0, found.at).split('\n').length, indent: found.indent };
  };

  test("after the docstring, else on the line after the def line (before comments that lead the first statement), with the first statement's indentation", () => {
    expect(at('def f():\n    """Doc.\n\n    More."""\n    return 1\n')).toEqual({ line: 5, indent: '    ' });
    expect(at('def f():  # why\n    # what\n\treturn 1\n')).toEqual({ line: 2, indent: '\t' });
    expect(at('def f(\n    a,\n) -> int:\n    return a\n')).toEqual({ line: 4, indent: '    ' });
  });

  test('no line of its own for a lookup', () => {
    expect(at('def f(): return 1\n')).toBeUndefined();
    expect(at('def f():\n    """Doc."""; return 1\n')).toBeUndefined();
  });
});

describe('moduleBindingLines', () => {
  test('definitions, assignments, imports and loop targets at module level, in blocks too; not in classes, functions or TYPE_CHECKING', () => {
    const text = [
      'import a.b as ab, c.d',
      'from .m import X as Y, Z',
      'A, (B, C) = 1, (2, 3)',
      'D: int',
      'E: int = 1',
      'try:',
      '    F = 1',
      'except ImportError:',
      '    F = None',
      'for G in []:',
      '    pass',
      'if TYPE_CHECKING:',
      '    from x import H',
      'else:',
      '    H = object',
      'class K:',
      '    inner = 1',
      '@decorator',
      'def f():',
      '    local = 1',
    ].join('\n');
    expect(Object.fromEntries(moduleBindingLines(parsePython(text)))).toEqual({
      ab: [1], c: [1], Y: [2], Z: [2], A: [3], B: [3], C: [3], E: [5], F: [7, 9], G: [10], H: [15], K: [16], f: [18],
    });
  });
});
