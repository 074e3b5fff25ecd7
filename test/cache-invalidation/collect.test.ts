// The per-file facts: which calls are cache writes, what their keys are built from, where the
// instance comes from, what the cached value reads, and which code already deletes keys.
import { parsePython } from '../../src/parse';
import { collectBulkFacts, collectCacheFacts, mayHoldBulk } from '../../transforms/cache-invalidation/collect';
import { Scope } from '../../transforms/cache-invalidation/scope';
import type { CacheFileFacts, KeyFact, OriginFact } from '../../transforms/cache-invalidation/facts';
import { renderKey } from '../../transforms/cache-invalidation/plan-key';

function facts(lines: string[]): CacheFileFacts {
  const text = lines.join('\n') + '\n';
  const collected = collectCacheFacts(parsePython(text), text);
  if (!collected) throw new Error('no facts');
  return collected;
}

const HEAD = ['from django.core.cache import cache', 'from .models import Product', ''];

/** The key of the only write of a function body. */
function keyOf(...body: string[]): KeyFact {
  const collected = facts([...HEAD, 'def view(request, product_id, lang):', ...body.map((line) => `    ${line}`)]);
  expect(collected.writes).toHaveLength(1);
  return collected.writes[0].entries[0].key;
}

function receiverKey(key: KeyFact): string {
  if (key.kind !== 'instance') throw new Error(`${key.kind}: ${'reason' in key ? key.reason : ''}`);
  return renderKey(key.source, key.slots, (slot) => `instance${slot.tail}`);
}

describe('key forms', () => {
  const fetch = 'product = Product.objects.get(pk=product_id)';

  test('f-strings, % formatting, .format() and concatenation are rebuilt from instance', () => {
    expect(receiverKey(keyOf(fetch, 'cache.set(f"p:{product.pk}:{product.slug!s:>10}", product.name)'))).toBe('f"p:{instance.pk}:{instance.slug!s:>10}"');
    expect(receiverKey(keyOf(fetch, 'cache.set("p:%s:%s" % (product.pk, product.slug), product.name)'))).toBe('"p:%s:%s" % (instance.pk, instance.slug)');
    expect(receiverKey(keyOf(fetch, 'cache.set("p:%(pk)s" % {"pk": product.pk}, product.name)'))).toBe('"p:%(pk)s" % {"pk": instance.pk}');
    expect(receiverKey(keyOf(fetch, 'cache.set("p:{}:{pk}".format(product.slug, pk=product.pk), product.name)'))).toBe('"p:{}:{pk}".format(instance.slug, pk=instance.pk)');
    expect(receiverKey(keyOf(fetch, 'cache.set("p:" + str(product.pk) + ":" + product.slug.lower(), product.name)'))).toBe('"p:" + str(instance.pk) + ":" + instance.slug.lower()');
  });

  test('a key assigned to a variable first is followed', () => {
    const key = keyOf(fetch, 'key = f"p:{product.pk}"', 'cache.set(key, product.name)');
    expect(receiverKey(key)).toBe('f"p:{instance.pk}"');
  });

  test('a variable holding the pk looked up in the same function stands for instance.pk', () => {
    expect(receiverKey(keyOf(fetch, 'cache.set(f"p:{product_id}", product.name)'))).toBe('f"p:{instance.pk}"');
    // As an operand of `+` it was a string: the receiver needs str() around the pk.
    expect(receiverKey(keyOf('name = Product.objects.filter(id=product_id).values_list("name").first()', 'cache.set("p:" + product_id, name)'))).toBe('"p:" + str(instance.id)');
  });

  test('a key helper call keeps the helper, with the instance passed in', () => {
    const collected = facts([...HEAD, 'from .keys import product_key', '', 'def view(product_id):', '    product = Product.objects.get(pk=product_id)', '    cache.set(product_key(product, "card"), product.name)']);
    const key = collected.writes[0].entries[0].key;
    expect(receiverKey(key)).toBe('product_key(instance, "card")');
    expect(key.kind === 'instance' && key.helpers).toEqual([{ callee: 'product_key', argument: 0 }]);
  });

  test('module-level names are carried along to be imported; the time, the language, parameters are not', () => {
    const collected = facts([...HEAD, 'PREFIX = "shop"', '', 'def view(product_id):', '    product = Product.objects.get(pk=product_id)', '    cache.set(f"{PREFIX}:{product.pk}", product.name)']);
    expect(collected.writes[0].entries[0].key).toMatchObject({ kind: 'instance', names: ['PREFIX'] });
    expect(keyOf('cache.set(f"page:{lang}", 1)')).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('`lang` (a parameter of view())') });
    expect(keyOf(fetch, 'cache.set(f"p:{product.pk}:{now()}", product.name)')).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('calls now(), which is not defined in this file') });
    // An imported function is recorded as a call for analysis to check against the project's key helpers.
    const imported = facts([...HEAD, 'from django.utils.timezone import now', '', 'def view(product: Product):', '    cache.set(f"p:{product.pk}:{now()}", product.name)']);
    expect(imported.writes[0].entries[0].key).toMatchObject({ kind: 'instance', helpers: [{ callee: 'now', argument: -1 }] });
    expect(keyOf(fetch, 'cache.set(f"p:{product}", product.name)')).toMatchObject({ kind: 'unresolved' });
    expect(keyOf(fetch, 'cache.set(f"p:{product.category.slug}", product.name)')).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('through a related object') });
    expect(keyOf(fetch, 'cache.set(f"p:{product.pk}:{request.GET[\'q\']}", product.name)')).toMatchObject({ kind: 'unresolved' });
  });

  test('global keys and keys of two instances', () => {
    expect(keyOf('cache.set("products:all", 1)')).toMatchObject({ kind: 'global' });
    expect(keyOf('other = Product.objects.first()', 'product = Product.objects.last()', 'cache.set(f"{product.pk}-{other.pk}", 1)')).toMatchObject({
      kind: 'unresolved',
      reason: expect.stringContaining('built from product and other'),
    });
  });
});

describe('writes that are not left to a receiver', () => {
  test('a write in save(), delete() or a receiver reacts to the change itself', () => {
    const text = [
      'from django.core.cache import cache',
      'from django.dispatch import receiver',
      '',
      'class Product(models.Model):',
      '    def save(self, *args, **kwargs):',
      '        super().save(*args, **kwargs)',
      '        cache.set(f"p:{self.pk}", self.name)',
      '',
      '@receiver(post_save, sender=Product)',
      'def refresh(sender, instance, **kwargs):',
      '    cache.set(f"p:{instance.pk}", instance.name)',
      '',
    ].join('\n');
    expect(collectCacheFacts(parsePython(text), text)?.writes ?? []).toEqual([]);
  });

  test('self.CONSTANT of the class is the same for every instance', () => {
    const collected = facts([...HEAD, 'class Release(models.Model):', '    CACHE_KEY = "current"', '', '    def remember(self):', '        cache.set(self.CACHE_KEY, self.version)', '        cache.set(f"{self.CACHE_KEY}:{self.pk}", self.version)']);
    expect(collected.writes[0].entries[0].key).toMatchObject({ kind: 'global' });
    expect(receiverKey(collected.writes[1].entries[0].key)).toBe('f"{instance.CACHE_KEY}:{instance.pk}"');
  });
});

describe('where the instance comes from', () => {
  function originOf(...body: string[]): OriginFact {
    const key = keyOf(...body);
    if (key.kind !== 'instance') throw new Error(`${key.kind}`);
    return key.origin;
  }

  test('manager and queryset lookups, shortcuts, tuples of get_or_create, constructors', () => {
    expect(originOf('product = Product.objects.filter(slug=lang).select_related("category").first()', 'cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'class', ref: { text: 'Product' }, manager: 'objects' });
    expect(originOf('product = get_object_or_404(Product.available, slug=lang)', 'cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'class', ref: { text: 'Product' }, manager: 'available' });
    expect(originOf('product, created = Product.objects.get_or_create(slug=lang)', 'cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'class', ref: { text: 'Product' } });
    expect(originOf('product = await Product.objects.aget(pk=product_id)', 'cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'class' });
  });

  test('loops over querysets, names bound to querysets and relations of instances', () => {
    expect(originOf('products = Product.objects.all()', 'for product in products[:10]:', '    cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'class', how: 'for product in products[:10]' });
    expect(originOf('category = Category.objects.get(pk=product_id)', 'for product in category.products.all():', '    cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'accessor', attribute: 'products', base: { kind: 'class', ref: { text: 'Category' } } });
    expect(originOf('for product in Product.objects.values("pk"):', '    cache.set(f"p:{product.pk}", 1)')).toMatchObject({ kind: 'unknown' });
  });

  test('annotations (plain, quoted, Optional, | None), self in a method, request.user', () => {
    const annotated = (annotation: string) => {
      const collected = facts([...HEAD, `def view(product: ${annotation}):`, '    cache.set(f"p:{product.pk}", product.name)']);
      const key = collected.writes[0].entries[0].key;
      return key.kind === 'instance' ? key.origin : undefined;
    };
    for (const annotation of ['Product', '"Product"', 'Optional[Product]', 'Product | None', 'models.Product']) {
      expect(annotated(annotation)).toMatchObject({ kind: 'class', ref: { text: annotation.replace(/^"|"$|^Optional\[|\]$| \| None$/g, '') } });
    }
    const method = facts([...HEAD, 'class Product(models.Model):', '    def label(self):', '        cache.set(f"p:{self.pk}", self.name)']);
    expect(method.writes[0].entries[0].key).toMatchObject({ kind: 'instance', instance: 'self', origin: { kind: 'self', className: 'Product' } });
    expect(originOf('cache.set(f"u:{request.user.pk}", request.user.email)')).toMatchObject({ kind: 'user' });
  });

  test('a name assigned different things is not guessed', () => {
    expect(originOf('product = Product.objects.first()', 'if lang:', '    product = Category.objects.first()', 'cache.set(f"p:{product.pk}", product.name)')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('assigned 2 times') });
  });
});

describe('caches', () => {
  test('the default cache under any name, caches["alias"], names bound to a cache', () => {
    const collected = facts([
      'from django.core.cache import cache as c, caches, DEFAULT_CACHE_ALIAS',
      'import django.core.cache',
      'REPORTS = "reports"',
      'reports = caches[REPORTS]',
      '',
      'def view(product: Product):',
      '    local = caches["sessions"]',
      '    c.set(f"a:{product.pk}", product.name)',
      '    caches["x"].add(f"b:{product.pk}", product.name)',
      '    reports.set(f"c:{product.pk}", product.name)',
      '    local.get_or_set(f"d:{product.pk}", product.name)',
      '    caches[DEFAULT_CACHE_ALIAS].set(f"e:{product.pk}", product.name)',
      '    django.core.cache.cache.set(f"f:{product.pk}", product.name)',
      '    caches[product.slug].set(f"g:{product.pk}", product.name)',
    ]);
    expect(collected.writes.map((write) => write.cache.alias)).toEqual(['default', 'x', 'reports', 'sessions', 'default', 'default', undefined]);
  });

  test('a local name that is not a cache, and dict.set-like calls, are not writes', () => {
    const text = ['from django.core.cache import cache', '', 'def view(product: Product):', '    cache = {}', '    cache.set(f"a:{product.pk}", 1)', '    store.set(f"b:{product.pk}", 1)', ''].join('\n');
    expect(collectCacheFacts(parsePython(text), text)).toBeUndefined();
  });

  test('set_many with a dict or a dict comprehension; anything else is reported', () => {
    const collected = facts([...HEAD, 'def warm(data):', '    cache.set_many({f"p:{p.pk}": p.name for p in Product.objects.all()})', '    cache.set_many(data)']);
    expect(collected.writes[0].entries[0].key).toMatchObject({ kind: 'instance', instance: 'p' });
    expect(collected.writes[1].entries[0].key).toMatchObject({ kind: 'unresolved', reason: expect.stringContaining('set_many() is given data') });
  });
});

describe('cached values', () => {
  function valueOf(...body: string[]) {
    const collected = facts([...HEAD, 'def view(customer: Customer, lang):', ...body.map((line) => `    ${line}`)]);
    return collected.writes[0].entries[0].value!;
  }

  test('a counter read back from the cache does not use the instance', () => {
    expect(valueOf('key = f"views:{customer.pk}"', 'views = cache.get(key, 0)', 'cache.set(key, views + 1)')).toMatchObject({ usesInstance: false, queries: [] });
  });

  test('reads through relations, and queries with the lookups that tie them to the instance', () => {
    const value = valueOf(
      'data = {"name": customer.name}',
      'data["orders"] = [o.pk for o in customer.orders.all()]',
      'lines = []',
      'lines.append(Line.objects.filter(order__customer_id=customer.pk, shipped=True).count())',
      'cache.set(f"c:{customer.pk}", [data, lines])',
    );
    expect(value.usesInstance).toBe(true);
    // customer.pk as a lookup value picks Line rows: it is not a read of the customer's own data.
    expect([...value.reads].sort((a, b) => a.line - b.line)).toEqual([
      { attribute: 'name', chained: false, line: 5 },
      { attribute: 'orders', chained: true, line: 6 },
    ]);
    expect(value.whole).toBe(false);
    expect(value.queries).toEqual([expect.objectContaining({ ref: { text: 'Line' }, manager: 'objects', lookups: ['order__customer_id'], untied: false })]);
  });
});

test('the instance used whole, or its pk variable passed on, counts as its own data', () => {
  const whole = facts([...HEAD, 'def view(customer: Customer):', '    cache.set(f"c:{customer.pk}", render(customer))']);
  expect(whole.writes[0].entries[0].value).toMatchObject({ usesInstance: true, whole: true, reads: [] });
  const byPk = facts([...HEAD, 'def view(pk):', '    product = Product.objects.get(pk=pk)', '    cache.set(f"p:{pk}", compute(pk))']);
  expect(byPk.writes[0].entries[0].value).toMatchObject({ usesInstance: true, whole: true });
  const lookupOnly = facts([...HEAD, 'def view(customer: Customer):', '    cache.set(f"c:{customer.pk}", Order.objects.filter(customer=customer).count())']);
  expect(lookupOnly.writes[0].entries[0].value).toMatchObject({ usesInstance: true, whole: false, reads: [], queries: [expect.objectContaining({ lookups: ['customer'] })] });
});

describe('code that already deletes keys', () => {
  test('receivers with their signals and senders, closures, model save() overrides, connect() calls', () => {
    const collected = facts([
      'from django.core.cache import cache',
      'from django.db.models.signals import post_delete, post_save',
      'from django.dispatch import receiver',
      '',
      '@receiver([post_save, post_delete], sender="catalog.Product")',
      'def forget(sender, instance, **kwargs):',
      '    keys = [f\'p:{instance.pk}\', "q:%s" % instance.slug]',
      '    def clear():',
      '        cache.delete_many(keys)',
      '    transaction.on_commit(clear)',
      '',
      'class Product(models.Model):',
      '    def save(self, *args, **kwargs):',
      '        super().save(*args, **kwargs)',
      '        cache.delete(f"p:{self.pk}")',
      '',
      'post_save.connect(forget, sender=Category)',
    ]);
    expect(collected.deleters).toEqual([
      {
        name: 'forget',
        line: 6,
        signals: [
          { signal: 'post_save', sender: { text: '"catalog.Product"' } },
          { signal: 'post_delete', sender: { text: '"catalog.Product"' } },
        ],
        deletes: [expect.objectContaining({ canonical: 'sf("p:"interpolation({ attribute($ . pk) }))' }), expect.objectContaining({ line: 7 })],
      },
      expect.objectContaining({ name: 'Product.save', className: 'Product', deletes: [expect.objectContaining({ canonical: 'sf("p:"interpolation({ attribute($ . pk) }))' })] }),
    ]);
    expect(collected.connects).toEqual([{ signal: 'post_save', receiver: 'forget', sender: { text: 'Category' }, line: 17 }]);
  });
});

describe('bulk operations', () => {
  const bulkFacts = (lines: string[]) => {
    const text = lines.join('\n');
    return collectBulkFacts(parsePython(text), text);
  };

  test('update(), bulk_create() and bulk_update() on querysets and relations; dict.update() is not one', () => {
    const collected = bulkFacts([
      'from .models import Category, Product',
      '',
      'def act(category: Category, options):',
      '    Product.objects.filter(category=category).update(price=0)',
      '    qs = Product.objects.exclude(price=0)',
      '    qs.update(price=1)',
      '    category.products.update(price=2)',
      '    Product.objects.bulk_create([])',
      '    options.update({"a": 1})',
    ]);
    expect(collected.bulk.map((bulk) => [bulk.method, bulk.line, bulk.target.kind])).toEqual([
      ['update', 4, 'class'],
      ['update', 6, 'class'],
      ['update', 7, 'accessor'],
      ['bulk_create', 8, 'class'],
    ]);
  });

  test('are left out of the facts for the index, which most files with a dict.update() never need', () => {
    const text = 'from .models import Product\n\ndef act():\n    Product.objects.all().update(price=0)\n    data = {}\n    data.update(a=1)\n';
    expect(collectCacheFacts(parsePython(text), text)).toBeUndefined();
    expect(mayHoldBulk(text)).toBe(true);
  });
});

test('method names outside calls (a reference, a string, a comment, a longer name) are not calls', () => {
  const collected = facts([
    ...HEAD,
    'def view(request, product_id):',
    '    product = Product.objects.get(pk=product_id)',
    '    setter = cache.set',
    '    note = "cache.set(f\'p:{product.pk}\', 1)"',
    '    # cache.set(f"p:{product.pk}", 1)',
    '    cache.reset(f"p:{product.pk}")',
    '    cache.set(f"p:{product.pk}", product.name)',
  ]);
  expect(collected.writes.map((write) => write.line)).toEqual([10]);
});

test('a module binds what its statements bind and the names of its functions and classes, not what is inside them', () => {
  const text = ['import os', 'try:', '    from json import loads', 'except ImportError:', '    loads = None', '@register(hook := make())', 'def view():', '    inner = 1', 'class Thing:', '    attribute = 2', 'for item in []:', '    seen = item', ''].join('\n');
  const module = new Scope(parsePython(text).rootNode, undefined);
  expect(module.entries().map(([name]) => name).sort()).toEqual(['Thing', 'hook', 'item', 'loads', 'os', 'seen', 'view']);
  expect(module.own('loads').map((binding) => binding.kind)).toEqual(['import', 'assign']);
});
