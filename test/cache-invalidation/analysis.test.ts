// What djfix reports and changes for whole (small) projects: the codes and messages of what it holds
// back, bulk operations on cached models, and the wiring cases the fixtures do not cover.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { djfix } from '../helpers/cli';

const SETTINGS = 'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "catalog"]\n';
const MODELS = [
  'from django.db import models',
  '',
  'class Category(models.Model):',
  '    name = models.CharField(max_length=100)',
  '',
  'class Product(models.Model):',
  '    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="products")',
  '    name = models.CharField(max_length=100)',
  '',
  'class Cheap(Product):',
  '    class Meta:',
  '        proxy = True',
  '',
].join('\n');
const APPS = 'from django.apps import AppConfig\n\n\nclass CatalogConfig(AppConfig):\n    name = "catalog"\n';
const CARD = [
  'from django.core.cache import cache',
  'from .models import Product',
  '',
  'def card(pk):',
  '    product = Product.objects.get(pk=pk)',
  '    cache.set(f"card:{product.pk}", product.name)',
  '',
].join('\n');

interface Reported {
  code: string;
  path: string;
  line: number;
  status: string;
  message: string;
  reason: string | null;
  files: string[];
}

async function analyse(files: Record<string, string>, extra: string[] = []): Promise<{ findings: Reported[]; changes: Array<{ path: string; diff: string }>; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-cache-'));
  const all: Record<string, string> = { 'settings.py': SETTINGS, 'catalog/__init__.py': '', 'catalog/models.py': MODELS, 'catalog/apps.py': APPS, ...files };
  for (const [file, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const run = await djfix(['--json', '--dry-run', '--only', 'cache-invalidation', '--jobs', '1', ...extra, dir]);
  expect(run.stderr).toBe('');
  const doc = JSON.parse(run.stdout);
  return { findings: doc.findings, changes: doc.changes, dir };
}

function codes(findings: Reported[]): string[] {
  return findings.map((finding) => `${finding.code}@${finding.path}:${finding.line}`);
}

test('bulk operations on cached models are reported where they are, with the keys they leave stale', async () => {
  const { findings } = await analyse({
    'catalog/services.py': CARD,
    'catalog/actions.py': [
      'from .models import Category, Product',
      '',
      'def act(category: Category, rows):',
      '    Product.objects.filter(category=category).update(name="x")',
      '    category.products.update(name="y")',
      '    Product.objects.bulk_update([], ["name"])',
      '    Product.objects.bulk_create([Product(**row) for row in rows])',
      '    Category.objects.update(name="z")',
      '',
    ].join('\n'),
  });
  const bulk = findings.filter((finding) => finding.code === 'bulk-operation');
  // bulk_create adds rows no key was built from yet; Category has no cached keys.
  expect(codes(bulk)).toEqual(['bulk-operation@catalog/actions.py:4', 'bulk-operation@catalog/actions.py:5', 'bulk-operation@catalog/actions.py:6']);
  expect(bulk[0].status).toBe('not-fixed');
  expect(bulk[0].message).toContain('at catalog/actions.py:4 changes catalog.Product rows without sending post_save');
  expect(bulk[0].message).toContain('f"card:{product.pk}" (catalog/services.py:6 (card()))');
});

test('bulk_create is reported for keys whose data comes from related rows', async () => {
  const { findings } = await analyse({
    'catalog/services.py': ['from django.core.cache import cache', 'from .models import Category, Product', '', 'def sizes(category: Category):', '    cache.set(f"size:{category.pk}", category.products.count())', '', 'def load(rows):', '    Product.objects.bulk_create(rows)', ''].join('\n'),
  });
  expect(codes(findings.filter((finding) => finding.code === 'bulk-operation'))).toEqual(['bulk-operation@catalog/services.py:8']);
});

test('a value built only from related rows gets a receiver on those rows, none on its own model', async () => {
  const { changes, findings } = await analyse({ 'catalog/services.py': ['from django.core.cache import cache', 'from .models import Category', '', 'def size(category: Category):', '    cache.set(f"size:{category.pk}", category.products.count())', ''].join('\n') });
  const signals = changes.find((change) => change.path === 'catalog/signals.py')!.diff;
  expect(signals).toContain('sender=Product');
  expect(signals).not.toContain('sender=Category');
  expect(findings[0].message).toContain('which holds only data of catalog.Product rows (category.products): changes to those rows must delete it, while a save of the catalog.Category itself does not change it (so it gets no receiver)');
});

test('keys djfix cannot rebuild are reported with why, and nothing is changed', async () => {
  const { findings, changes } = await analyse({
    'catalog/services.py': [
      'from django.core.cache import cache, caches',
      'from django.utils.translation import get_language',
      'from .models import Cheap, Product',
      '',
      'def a(product: Product):',
      '    cache.set(f"a:{product.pk}:{get_language()}", product.name)',
      '',
      'def b(cheap: Cheap):',
      '    cache.set(f"b:{cheap.pk}", cheap.name)',
      '',
      'def c(product: Product, alias):',
      '    caches[alias].set(f"c:{product.pk}", product.name)',
      '',
      'def d(product: Product):',
      '    cache.set(f"d:{product.nickname}", product.name)',
      '',
    ].join('\n'),
    'scripts/warm.py': 'from django.core.cache import cache\nfrom catalog.models import Product\n\ndef warm(product: Product):\n    cache.set(f"w:{product.pk}", product.name)\n',
  });
  expect(changes).toEqual([]);
  const byLine = Object.fromEntries(findings.map((finding) => [`${finding.path}:${finding.line}`, finding]));
  expect(byLine['catalog/services.py:6']).toMatchObject({ code: 'unresolved-key', message: expect.stringContaining('get_language() (django.utils.translation.get_language, not defined in the project)') });
  expect(byLine['catalog/services.py:9']).toMatchObject({ code: 'unresolved-key', message: expect.stringContaining('catalog.Cheap is a proxy model') });
  expect(byLine['catalog/services.py:12']).toMatchObject({ code: 'cache-alias', message: expect.stringContaining('whose cache alias djfix cannot tell') });
  expect(byLine['catalog/services.py:15']).toMatchObject({ code: 'unresolved-key', message: expect.stringContaining('nickname, which is not a field or property') });
  expect(byLine['scripts/warm.py:5']).toMatchObject({ code: 'no-app', message: expect.stringContaining('scripts/warm.py is not in an app listed in INSTALLED_APPS') });
  for (const finding of findings) expect(finding.reason).toBeTruthy();
});

test('a receiver elsewhere that nothing imports is reported, not duplicated', async () => {
  const receivers = [
    'from django.core.cache import cache',
    'from django.db.models.signals import post_delete, post_save',
    'from django.dispatch import receiver',
    'from catalog.models import Product',
    '',
    '@receiver([post_save, post_delete], sender=Product)',
    'def forget(sender, instance, **kwargs):',
    '    cache.delete(f"card:{instance.pk}")',
    '',
  ].join('\n');
  const { findings, changes } = await analyse({ 'catalog/services.py': CARD, 'catalog/receivers.py': receivers });
  expect(changes).toEqual([]);
  expect(findings).toEqual([expect.objectContaining({ code: 'unwired-receiver', message: expect.stringContaining('forget() at catalog/receivers.py:7 deletes this key, but nothing imports catalog.receivers') })]);
});

test('a ready() on one line, a signals module where a name means something else: held back with the reason', async () => {
  const oneLine = await analyse({ 'catalog/services.py': CARD, 'catalog/apps.py': 'from django.apps import AppConfig\n\n\nclass CatalogConfig(AppConfig):\n    name = "catalog"\n    def ready(self): pass\n' });
  expect(oneLine.changes).toEqual([]);
  expect(oneLine.findings[0]).toMatchObject({ code: 'stale-cache', status: 'not-fixed', reason: expect.stringContaining('ready() is written on one line') });

  const clash = await analyse({ 'catalog/services.py': CARD, 'catalog/signals.py': 'from catalog.legacy import Product\n' });
  expect(clash.changes).toEqual([]);
  expect(clash.findings[0]).toMatchObject({ code: 'stale-cache', status: 'not-fixed', reason: 'Product would mean two different things in the signals module' });
});

test('two models of the same name get receivers of their own, each imported under its app name', async () => {
  const { changes } = await analyse({
    'settings.py': SETTINGS.replace('"catalog"', '"catalog", "legacy"'),
    'legacy/__init__.py': '',
    'legacy/models.py': 'from django.db import models\n\nclass Product(models.Model):\n    title = models.CharField(max_length=10)\n',
    'catalog/services.py': [
      'from django.core.cache import cache',
      'from legacy.models import Product as OldProduct',
      'from .models import Product',
      '',
      'def both(product: Product, old: OldProduct):',
      '    cache.set(f"new:{product.pk}", product.name)',
      '    cache.set(f"old:{old.pk}", old.title)',
      '',
    ].join('\n'),
  });
  const signals = changes.find((change) => change.path === 'catalog/signals.py')!.diff;
  expect(signals).toContain('+from legacy.models import Product as LegacyProduct\n');
  expect(signals).toContain('+from .models import Product as CatalogProduct\n');
  expect(signals).toContain('+@receiver([post_save, post_delete], sender=CatalogProduct, dispatch_uid="catalog.signals.invalidate_catalog_product_cache")');
  expect(signals).toContain('+@receiver([post_save, post_delete], sender=LegacyProduct, dispatch_uid="catalog.signals.invalidate_legacy_product_cache")');
});

test('an AppConfig with a project base class keeps the base ready() running', async () => {
  const { changes } = await analyse({
    'catalog/services.py': CARD,
    'core/__init__.py': '',
    'core/apps.py': 'from django.apps import AppConfig\n\n\nclass BaseConfig(AppConfig):\n    def ready(self):\n        pass\n',
    'catalog/apps.py': 'from core.apps import BaseConfig\n\n\nclass CatalogConfig(BaseConfig):\n    name = "catalog"\n',
  });
  const apps = changes.find((change) => change.path === 'catalog/apps.py')!;
  expect(apps.diff).toContain('+    def ready(self):\n+        super().ready()\n+        from . import signals  # noqa: F401\n');
});

test('before Django 3.2 an existing AppConfig is named in default_app_config, unless another one is', async () => {
  const { changes } = await analyse({ 'catalog/services.py': CARD }, ['--target-django', '3.1']);
  expect(changes.map((change) => change.path).sort()).toEqual(['catalog/__init__.py', 'catalog/apps.py', 'catalog/signals.py']);
  expect(changes.find((change) => change.path === 'catalog/__init__.py')!.diff).toContain('+default_app_config = "catalog.apps.CatalogConfig"');

  const other = await analyse({ 'catalog/services.py': CARD, 'catalog/__init__.py': 'default_app_config = "catalog.apps.OtherConfig"\n' }, ['--target-django', '3.1']);
  expect(other.changes).toEqual([]);
  expect(other.findings[0].reason).toContain('names catalog.apps.OtherConfig as default_app_config');

  const explicit = await analyse({ 'settings.py': SETTINGS.replace('"catalog"', '"catalog.apps.CatalogConfig"'), 'catalog/services.py': CARD }, ['--target-django', '3.1']);
  expect(explicit.changes.map((change) => change.path).sort()).toEqual(['catalog/apps.py', 'catalog/signals.py']);
});

test('messages say what was read and where, and what the change does', async () => {
  const { findings } = await analyse({ 'catalog/services.py': CARD });
  expect(findings).toHaveLength(1);
  expect(findings[0].message).toBe(
    'Cached model data is never deleted when the model changes: f"card:{product.pk}" at catalog/services.py:6 (card()) (catalog.Product: product = Product.objects.get(pk=pk)). ' +
      'Until the keys expire, the cache serves the data as it was before each save or delete. ' +
      'djfix adds a receiver to catalog/signals.py (a new module): invalidate_product_cache() for catalog.Product, on post_save and post_delete, deleting the keys from the same cache once the transaction commits. ' +
      'So that catalog/signals.py is imported and its receivers connected, djfix imports catalog/signals.py in CatalogConfig.ready() (catalog/apps.py, a new method). ' +
      // Django sends post_save with the proxy (or child) class as sender.
      'Limits: saving a Cheap sends post_save with that subclass as sender, which this receiver does not cover.',
  );
  expect(findings[0].files).toEqual(['catalog/signals.py', 'catalog/apps.py']);
});
