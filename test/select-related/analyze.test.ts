// The select-related analysis on small projects: what it reads, the lookups and edits it proposes,
// and every reason it holds back, checked finding by finding.
import { extractFacts } from '../../src/facts';
import type { Finding } from '../../src/model';
import { applyEdits } from '../../src/edits';
import { parsePython } from '../../src/parse';
import { buildIndex } from '../../src/project/index';
import type { Version } from '../../src/project/django-version';
import { moduleNameOf } from '../../src/project/modules';
import { selectRelated } from '../../transforms/select-related';

const MODELS: Record<string, string> = {
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
  'shop/__init__.py': '',
  'shop/settings.py': 'INSTALLED_APPS = ["django.contrib.auth", "customers", "orders"]\n',
  'customers/__init__.py': '',
  'customers/models.py': [
    'from django.conf import settings',
    'from django.db import models',
    '',
    'class Customer(models.Model):',
    '    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer")',
    '    phone = models.CharField(max_length=20)',
    '',
    'class Passport(models.Model):',
    '    holder = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="passport", related_query_name="passport_holder")',
  ].join('\n'),
  'orders/__init__.py': '',
  'orders/models.py': [
    'from django.db import models',
    'from customers.models import Customer',
    '',
    'class Order(models.Model):',
    '    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")',
    '    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.CASCADE)',
    '    created = models.DateTimeField()',
    '',
    '    def describe(self):',
    '        return [line.product for line in self.lines.all()]',
    '',
    'class Product(models.Model):',
    '    name = models.CharField(max_length=20)',
    '',
    'class OrderLine(models.Model):',
    '    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")',
    '    product = models.ForeignKey(Product, on_delete=models.CASCADE)',
  ].join('\n'),
};

/** The findings for `reports.py` (in the orders app) holding `code`. */
function analyze(code: string, options: { django?: Version; files?: Record<string, string>; path?: string } = {}): { findings: Finding[]; text: string } {
  const path = options.path ?? 'orders/reports.py';
  const files = { ...MODELS, ...options.files, [path]: code };
  const packages = new Set(Object.keys(files).filter((file) => file.endsWith('__init__.py')).map((file) => file.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([file, text]) => ({ path: file, ...moduleNameOf(file, (dir) => packages.has(dir)), hash: file, facts: extractFacts(parsePython(text), text) }));
  const index = buildIndex(inputs, { version: options.django ?? null, source: 'test' });
  const entry = index.files[path];
  const file = { path, module: entry.module, role: entry.role, text: code, tree: parsePython(code) };
  const findings = selectRelated.analyze({ file, index, options: {}, readText: () => undefined, isSuppressed: () => false });
  // The screen of the text and the test before any second read must let through every file with findings.
  if (findings.length > 0) expect(selectRelated.mayApply({ path, role: entry.role, screened: selectRelated.screen!(code) }, index)).toBe(true);
  return { findings, text: code };
}

/** The text after the fixes, and the codes and reasons of the findings. */
function run(code: string, options: Parameters<typeof analyze>[1] = {}) {
  const { findings, text } = analyze(code, options);
  const edits = findings.flatMap((finding) => finding.change?.files.flatMap((file) => (file.kind === 'edit' ? file.edits : [])) ?? []);
  return { after: applyEdits(text, edits), codes: findings.map((finding) => finding.code), findings };
}

const HEAD = 'from .models import Order, OrderLine\n\n\n';

describe('messages', () => {
  test('the fix says what is read, where, through which relations, and what it costs', () => {
    const { findings } = analyze(`${HEAD}def report():\n    for order in Order.objects.filter(created__year=2024):\n        print(order.customer.phone)\n`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: 'n-plus-one',
      location: { path: 'orders/reports.py', line: 5, column: 5 },
      message: 'orders/reports.py:5 loops over Order.objects.filter(...) and reads order.customer (ForeignKey to customers.Customer; line 6) on every row: 1 + N queries; select_related("customer") makes it 1.',
      change: { safety: 'review' },
    });
  });

  test('nested relations count a query per related row, and prefetch makes it one per level', () => {
    const { findings } = analyze(`${HEAD}def report():\n    for order in Order.objects.all():\n        for line in order.lines.all():\n            print(line.product.name, order.customer.user.email)\n`);
    expect(findings[0].message).toBe(
      'orders/reports.py:5 loops over Order.objects.all() and reads order.lines.all() (reverse ForeignKey from orders.OrderLine; line 6), ' +
        'line.product (ForeignKey to orders.Product; line 7) and order.customer.user (ForeignKey to customers.Customer, then OneToOneField to auth.User; line 7) ' +
        'on every row: 1 + 3N + N·M queries (M = lines per Order); select_related("customer__user") and prefetch_related("lines__product") make it 3.',
    );
  });

  test('a variable is named with the chain it was assigned', () => {
    const { findings } = analyze(`${HEAD}def report():\n    orders = Order.objects.all()\n    return [order.customer for order in orders]\n`);
    expect(findings[0].message).toMatch(/^orders\/reports\.py:6 loops over orders \(Order\.objects\.all\(\), line 5\) and reads order\.customer /);
  });
});

describe('lookups', () => {
  test('reverse one-to-one: select_related takes the related_query_name, prefetch_related the accessor', () => {
    const code = 'from .models import Customer\n\n\ndef a():\n    return [c.passport for c in Customer.objects.all()]\n';
    expect(run(code, { path: 'customers/reports.py' }).after).toContain('Customer.objects.select_related("passport_holder").all()');
  });

  test('a read that goes further replaces the shorter one; reads of a relation the loop assigns are left out', () => {
    const { after } = run(`${HEAD}def a():\n    for order in Order.objects.all():\n        order.customer.phone\n        order.customer.user.email\n`);
    expect(after).toContain('Order.objects.select_related("customer__user").all()');
    const assigned = run(`${HEAD}def a(c):\n    for order in Order.objects.all():\n        order.customer = c\n        print(order.customer.phone)\n`);
    expect(assigned.codes).toEqual([]);
  });

  test('no lookup for stored keys, reads in nested functions, shadowing comprehensions, or first()', () => {
    const code = [
      `${HEAD}def a():`,
      '    for order in Order.objects.all():',
      '        order.customer_id',
      '        callbacks.append(lambda: order.customer.phone)',
      '        def later():',
      '            return order.customer',
      '        [order.customer for order in other]',
      '        order.lines.first()',
      '',
    ].join('\n');
    expect(run(code).codes).toEqual([]);
  });
});

describe('edits', () => {
  test('new lookups join an existing call after its last argument, in the call\'s layout', () => {
    const multiline = run(`${HEAD}def a():\n    qs = Order.objects.select_related(\n        "vendor",\n    )\n    return [o.customer for o in qs]\n`);
    expect(multiline.after).toContain('select_related(\n        "vendor",\n        "customer",\n    )');
    const empty = run(`${HEAD}def a():\n    return [len(o.lines.all()) for o in Order.objects.prefetch_related()]\n`);
    expect(empty.after).toContain('Order.objects.prefetch_related("lines")]');
  });

  test('a new call uses the quote most of the file uses, double on a tie', () => {
    expect(run(`${HEAD}X = 'a'\n\ndef a():\n    return [o.customer for o in Order.objects.all()]\n`).after).toContain("select_related('customer')");
    expect(run(`${HEAD}X = 'a'\nY = "b"\n\ndef a():\n    return [o.customer for o in Order.objects.all()]\n`).after).toContain('select_related("customer")');
  });
});

describe('names', () => {
  test('models from function-level imports, module-level get_user_model(), and apps.get_model', () => {
    const code = [
      'from django.apps import apps',
      'from django.contrib.auth import get_user_model',
      '',
      'User = get_user_model()',
      '',
      'def a():',
      '    from orders.models import Order',
      '    return [o.customer for o in Order.objects.all()]',
      '',
      'def b():',
      '    return [u.customer for u in User.objects.all()]',
      '',
      'def c():',
      '    Line = apps.get_model("orders", "orderline")',
      '    return [l.product for l in Line.objects.all()]',
      '',
    ].join('\n');
    const { after } = run(code, { path: 'orders/tasks.py' });
    expect(after).toContain('Order.objects.select_related("customer").all()');
    expect(after).toContain('User.objects.select_related("customer").all()');
    expect(after).toContain('Line.objects.select_related("product").all()');
  });

  test('get_user_model() follows AUTH_USER_MODEL', () => {
    const files = {
      'shop/settings.py': 'INSTALLED_APPS = ["customers", "orders"]\nAUTH_USER_MODEL = "customers.Customer"\n',
    };
    const code = 'from django.contrib.auth import get_user_model\n\n\ndef a():\n    return [u.passport for u in get_user_model().objects.all()]\n';
    expect(run(code, { files, path: 'orders/tasks.py' }).after).toContain('get_user_model().objects.select_related("passport_holder").all()');
  });

  test('a model name rebound in the function, or a parameter, is not a model', () => {
    expect(run(`${HEAD}def a(Order):\n    return [o.customer for o in Order.objects.all()]\n`).codes).toEqual([]);
    expect(run(`${HEAD}def a():\n    Order = pick()\n    return [o.customer for o in Order.objects.all()]\n`).codes).toEqual([]);
  });

  test('a queryset variable assigned twice from different roots, or after the loop, is not followed', () => {
    expect(run(`${HEAD}def a(x):\n    qs = Order.objects.all()\n    if x:\n        qs = OrderLine.objects.all()\n    return [o.customer for o in qs]\n`).codes).toEqual([]);
    expect(run(`${HEAD}def a():\n    for o in qs:\n        o.customer\n    qs = Order.objects.all()\n`).codes).toEqual([]);
  });
});

describe('holding back', () => {
  const held = (code: string, options: Parameters<typeof analyze>[1] = {}) => {
    const { findings } = analyze(code, options);
    return findings.map((finding) => ({ code: finding.code, fixed: finding.change !== undefined, reason: finding.notFixed }));
  };

  test('writes to what would be loaded; saving the row itself is fine', () => {
    const loop = (body: string) => held(`${HEAD}from .models import Product\n\ndef a(cache, data):\n    for line in OrderLine.objects.all():\n        print(line.product.name)\n        ${body}\n`);
    expect(loop('line.product.save()')[0]).toMatchObject({ code: 'writes', reason: expect.stringContaining('writes to orders.Product (line 9: line.product.save())') });
    expect(loop('Product.objects.filter(pk=1).update(name="x")')[0]).toMatchObject({ code: 'writes' });
    expect(loop('Product(name="x").save()')[0]).toMatchObject({ code: 'writes' });
    expect(loop('Unknown.objects.create()')[0]).toMatchObject({ code: 'writes', reason: expect.stringContaining('a model djfix cannot resolve') });
    expect(loop('line.delete()')[0]).toMatchObject({ code: 'writes', reason: expect.stringContaining('cascades') });
    for (const harmless of ['line.save()', 'cache.delete("k")', 'data.update(x=1)', 'data.add(1)', 'Order.objects.create()']) {
      expect(loop(harmless)).toEqual([{ code: 'n-plus-one', fixed: true, reason: undefined }]);
    }
    const manager = held(`${HEAD}def a(p):\n    for order in Order.objects.all():\n        order.lines.add(p)\n        print(len(order.lines.all()))\n`);
    expect(manager[0]).toMatchObject({ code: 'writes', reason: expect.stringContaining('orders.OrderLine') });
  });

  test('a loop variable assigned again', () => {
    expect(held(`${HEAD}def a():\n    for o in Order.objects.all():\n        print(o.customer)\n        o = None\n`)[0]).toMatchObject({ code: 'rebound', reason: expect.stringContaining('line 7: o = None') });
  });

  test('chains djfix cannot vouch for, and chain calls the lookups would conflict with', () => {
    const loop = (chain: string, options: Parameters<typeof analyze>[1] = {}) => held(`${HEAD}def a(other):\n    return [(o.customer, len(o.lines.all())) for o in ${chain}]\n`, options);
    expect(loop('Order.objects.recent()').map((finding) => finding.code)).toEqual(['opaque-chain']);
    expect(loop('Order.objects.select_related()')).toEqual([
      { code: 'n-plus-one', fixed: true, reason: undefined },
      { code: 'select-all', fixed: false, reason: expect.stringContaining('without arguments') },
    ]);
    expect(loop('Order.objects.select_for_update()').map((finding) => [finding.code, finding.fixed])).toEqual([['n-plus-one', true], ['select-for-update', false]]);
    expect(loop('Order.objects.select_for_update(of=("self",))').map((finding) => finding.code)).toEqual(['n-plus-one']);
    expect(loop('Order.objects.only("created")').map((finding) => finding.code)).toEqual(['n-plus-one', 'only-defer']);
    expect(loop('Order.objects.all().iterator(chunk_size=10)', { django: [4, 0] }).map((finding) => finding.code)).toEqual(['n-plus-one', 'iterator']);
    expect(loop('Order.objects.all().iterator(chunk_size=10)', { django: [4, 1] }).map((finding) => finding.code)).toEqual(['n-plus-one']);
    expect(loop('Order.objects.values("id")')).toEqual([]);
  });

  test('a queryset variable used elsewhere with only(), defer() or a combinator', () => {
    const found = held(`${HEAD}def a(other):\n    qs = Order.objects.all()\n    rows = [o.customer for o in qs]\n    return other.union(qs)\n`);
    expect(found[0]).toMatchObject({ code: 'variable-use', reason: expect.stringContaining('other.union(qs) (line 7)') });
  });

  test('related managers that a caller may have prefetched', () => {
    const self = analyze(MODELS['orders/models.py'], { path: 'orders/models.py' }).findings;
    expect(self.map((finding) => finding.code)).toEqual(['caller-prefetch']);
    const instance = held(`${HEAD}def a():\n    order = Order.objects.prefetch_related("lines").get(pk=1)\n    return [l.product for l in order.lines.all()]\n`);
    expect(instance[0]).toMatchObject({ code: 'caller-prefetch', reason: expect.stringContaining('order was fetched with prefetch_related(...) at line 5') });
  });

  test('a related manager that is queried anew (filter, order_by...) is no prefetch cache to bypass', () => {
    const models = MODELS['orders/models.py'].replace('for line in self.lines.all()', 'for line in self.lines.filter(order__isnull=False)');
    const self = run(models, { path: 'orders/models.py' });
    expect(self.codes).toEqual(['n-plus-one']);
    expect(self.after).toContain('self.lines.select_related("product").filter(order__isnull=False)');
    const instance = run(`${HEAD}def a():\n    order = Order.objects.prefetch_related("lines").get(pk=1)\n    return [l.product for l in order.lines.order_by("pk")]\n`);
    expect(instance.after).toContain('order.lines.select_related("product").order_by("pk")');
  });

  test('re-queried relations and relations to models outside the project are reported', () => {
    const found = analyze(`${HEAD}def a():\n    for o in Order.objects.all():\n        print(o.lines.filter(pk=1), o.vendor.name)\n`).findings;
    expect(found.map((finding) => [finding.code, finding.notFixed])).toEqual([
      ['requery', expect.stringContaining('Prefetch("lines", queryset=..., to_attr="...")')],
      ['unknown-model', expect.stringContaining('select_related("vendor") is the likely fix')],
    ]);
    expect(found[1].message).toContain('o.vendor (ForeignKey to vendors.Vendor; line 6)');
  });
});
