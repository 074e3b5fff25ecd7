import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { buildIndex, IndexContext, modelKeyOf, needsFacts, ProjectIndex, resolveClass, settingLiteral, withoutPrototypes } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';

function indexOfWith(files: Record<string, string>, context: IndexContext): ProjectIndex {
  const packages = new Set(Object.keys(files).filter((file) => file.endsWith('__init__.py')).map((file) => file.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([path, text]) => ({ path, ...moduleNameOf(path, (dir) => packages.has(dir)), hash: path, facts: extractFacts(parsePython(text), text) }));
  return buildIndex(inputs, { version: null, source: 'test' }, context);
}

const indexOf = (files: Record<string, string>) => indexOfWith(files, {});

const project = indexOf({
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.prod")\n',
  'shop/__init__.py': '',
  'shop/settings/__init__.py': '',
  'shop/settings/base.py': 'INSTALLED_APPS = ["django.contrib.auth", "catalog", "orders.apps.OrdersConfig", "people"]\nAUTH_USER_MODEL = "people.Person"\n',
  'shop/settings/prod.py': 'from .base import *\nDEBUG = False\n',
  'catalog/__init__.py': '',
  'catalog/apps.py': 'from django.apps import AppConfig\n\nclass CatalogConfig(AppConfig):\n    name = "catalog"\n    label = "shelf"\n',
  'catalog/models/__init__.py': 'from .product import Product\nfrom .base import Timestamped\n',
  'catalog/models/base.py': 'from django.db import models\n\nclass Timestamped(models.Model):\n    owner = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="%(class)s_owned")\n    class Meta:\n        abstract = True\n',
  'catalog/models/product.py': [
    'from django.db import models',
    'from django.conf import settings',
    'from .base import Timestamped',
    '',
    'class Product(Timestamped):',
    '    parent = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)',
    '    buyers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")',
    '    tags = models.ManyToManyField("Tag")',
    '    available = AvailableManager()',
    '',
    '    @property',
    '    def label(self):',
    '        return self.name',
    '',
    'class Tag(models.Model):',
    '    name = models.CharField(max_length=20)',
  ].join('\n'),
  'orders/__init__.py': '',
  'orders/apps.py': 'from django.apps import AppConfig\n\nclass OrdersConfig(AppConfig):\n    name = "orders"\n    label = "sales"\n',
  'orders/models.py': [
    'from typing import TYPE_CHECKING',
    'from django.db import models',
    'from catalog.models import Product',
    'if TYPE_CHECKING:',
    '    from people.models import Person',
    '',
    'class Order(models.Model):',
    '    buyer = models.ForeignKey("people.Person", on_delete=models.CASCADE)',
    '    number = models.CharField(max_length=20, primary_key=True)',
    '    coupon = models.ForeignKey("Coupon", to_field="code", null=True, on_delete=models.SET_NULL)',
    '',
    'class Coupon(models.Model):',
    '    code = models.CharField(max_length=20, unique=True)',
    '',
    'class Line(models.Model):',
    '    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)',
    '    product = models.ForeignKey(Product, on_delete=models.PROTECT)',
    '',
    'def helper():',
    '    from people.models import Person',
  ].join('\n'),
  'people/__init__.py': '',
  'people/models.py': 'from django.contrib.auth.models import AbstractUser\nfrom django.db import models\n\nclass Person(AbstractUser):\n    pass\n\nclass Profile(models.Model):\n    person = models.OneToOneField(Person, on_delete=models.CASCADE)\n',
});

test('settings modules follow DJANGO_SETTINGS_MODULE and star imports', () => {
  expect(project.settings.paths[0]).toBe('shop/settings/prod.py');
  // The empty settings/__init__.py sets nothing Django reads: it is a package, not settings.
  expect([...project.settings.paths].sort()).toEqual(['shop/settings/base.py', 'shop/settings/prod.py']);
  expect(settingLiteral(project, 'AUTH_USER_MODEL')).toEqual({ kind: 'str', value: 'people.Person' });
  expect(project.files['shop/settings/prod.py'].role).toBe('settings');
});

test('apps: labels from AppConfig, explicit config paths, plain modules', () => {
  const labels = Object.fromEntries(project.apps.map((app) => [app.module, app.label]));
  expect(labels).toMatchObject({ catalog: 'shelf', orders: 'sales', people: 'people' });
});

test('models: keys use app labels; fields, targets, managers, inheritance', () => {
  const product = project.models['shelf.Product'];
  expect(product).toBeDefined();
  expect(product.fields.map((field) => [field.name, field.relation, field.target])).toEqual([
    ['parent', 'fk', 'shelf.Product'],
    ['buyers', 'm2m', 'people.Person'],
    ['tags', 'm2m', 'shelf.Tag'],
    ['owner', 'fk', 'people.Person'],
  ]);
  expect(product.managers).toEqual(['available']);
  expect(project.models['shelf.Tag'].managers).toEqual(['objects']);
  expect(product.methods).toContain('label');
  expect(project.models['shelf.Timestamped'].abstract).toBe(true);
  expect(project.models['sales.Line'].fields.find((field) => field.name === 'product')?.target).toBe('shelf.Product');
  expect(modelKeyOf(project, 'catalog.models.Product')).toBe('shelf.Product');
  expect(resolveClass(project, 'catalog.models.Product')).toBe('catalog.models.product.Product');
  expect(resolveClass(project, 'catalog.models.Missing')).toBe('catalog.models.Missing');
});

test('reverse accessors: related_name, _set, one-to-one, "+" and %(class)s', () => {
  const person = project.models['people.Person'];
  const accessors = person.reverse.map((reverse) => reverse.accessor).sort();
  expect(accessors).toEqual(['order_set', 'product_owned', 'profile']);
  expect(project.models['sales.Order'].reverse).toEqual([{ accessor: 'lines', from: 'sales.Line', field: 'order', relation: 'fk' }]);
  expect(project.models['auth.User']).toBeDefined();
});

test('INSTALLED_APPS: a literal that later statements only add to still lists its apps', () => {
  const base = { 'catalog/__init__.py': '', 'catalog/models.py': 'from django.db import models\n\nclass Product(models.Model):\n    pass\n' };
  const installed = (settings: Record<string, string>) => indexOf({ ...base, ...settings }).apps.find((app) => app.module === 'catalog')?.installed;
  expect(installed({ 'settings.py': 'INSTALLED_APPS = ["catalog", *env_apps]\nif DEBUG:\n    INSTALLED_APPS.append("debug_toolbar")\nINSTALLED_APPS += ["x"]\n' })).toBe(true);
  expect(installed({ 'config/__init__.py': '', 'config/settings/__init__.py': '', 'config/settings/base.py': 'INSTALLED_APPS = ["catalog"]\n', 'config/settings/prod.py': 'from .base import *\nINSTALLED_APPS += ["sentry"]\n', 'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")\n' })).toBe(true);
  expect(installed({ 'settings.py': 'INSTALLED_APPS = ["catalog"]\nINSTALLED_APPS.remove("catalog")\n' })).toBe(false);
  expect(installed({ 'settings.py': 'if X:\n    INSTALLED_APPS = ["catalog"]\n' })).toBe(false);
});

test('fields: primary keys and the to_field a relation stores', () => {
  const fields = Object.fromEntries(project.models['sales.Order'].fields.map((field) => [field.name, field]));
  expect(fields.number.primaryKey).toBe(true);
  expect(fields.buyer.primaryKey).toBeUndefined();
  expect(fields.coupon).toMatchObject({ relation: 'fk', target: 'sales.Coupon', toField: 'code' });
  expect(fields.buyer.toField).toBeUndefined();
});

test('import edges know their scope', () => {
  const fromOrders = project.imports.filter((edge) => edge.from === 'orders.models' && edge.to === 'people.models');
  expect(fromOrders.map((edge) => edge.scope).sort()).toEqual(['function', 'type-checking']);
  expect(project.imports.find((edge) => edge.from === 'catalog.models' && edge.to === 'catalog.models.product')?.scope).toBe('module');
});

describe('needsFacts', () => {
  test('every ordinary module is indexed', () => {
    expect(needsFacts('shop/views.py', 'import os\n')).toBe(true);
  });

  test('tests and migrations only when they define models, app configs or settings', () => {
    expect(needsFacts('shop/migrations/0001_initial.py', 'from django.db import migrations\nclass Migration(migrations.Migration):\n    pass\n')).toBe(false);
    expect(needsFacts('shop/tests/test_views.py', 'from shop.models import Order\n\ndef test_x():\n    pass\n')).toBe(false);
    expect(needsFacts('tests/testapp/models.py', 'from django.db import models\n\nclass Thing(models.Model):\n    pass\n')).toBe(true);
    expect(needsFacts('tests/settings.py', 'INSTALLED_APPS = ["tests.testapp"]\n')).toBe(true);
    expect(needsFacts('conftest.py', 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")\n')).toBe(true);
  });
});

test('settings modules named by os.environ assignment, by pytest.ini, and not apps called settings', () => {
  const index = indexOf({
    'run.py': 'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "conf.prod"\n',
    'conf/__init__.py': '',
    'conf/prod.py': 'DEBUG = False\n',
    'projects/__init__.py': '',
    'projects/settings/__init__.py': '',
    'projects/settings/models.py': 'from django.db import models\n\nclass UserSetting(models.Model):\n    pass\n',
  });
  expect(index.settings.paths).toEqual(['conf/prod.py']);
  const fromPytest = indexOfWith({ 'tests/__init__.py': '', 'tests/config.py': 'DEBUG = True\n' }, { settingsRefs: ['tests.config'] });
  expect(fromPytest.settings.paths).toEqual(['tests/config.py']);
});

test('the dependency files are kept, sorted, for transforms to read', () => {
  const index = buildIndex([], { version: null, source: 'test' }, { dependencyFiles: ['requirements/base.txt', 'pyproject.toml'] });
  expect(index.dependencyFiles).toEqual(['pyproject.toml', 'requirements/base.txt']);
  expect(buildIndex([], { version: null, source: 'test' }).dependencyFiles).toEqual([]);
});

test('names Python shares with Object.prototype are only what the project binds, built or parsed from JSON', () => {
  const built = indexOf({
    'pkg/__init__.py': '',
    'pkg/a.py': 'from pkg.b import helper\n',
    'pkg/b.py': 'def helper(): pass\n',
    'pkg/c.py': 'from pkg.a import constructor, toString, __proto__\n\nclass Thing(constructor):\n    pass\n',
    'constructor.py': 'x = 1\n',
  });
  for (const index of [built, withoutPrototypes(JSON.parse(JSON.stringify(built)) as ProjectIndex)]) {
    expect(index.bindings['pkg.a'].constructor).toBeUndefined();
    expect(index.bindings['pkg.c'].toString).toBe('pkg.a.toString');
    expect(Object.keys(index.bindings['pkg.c'])).toEqual(['constructor', 'toString', '__proto__']);
    expect(index.modules.constructor).toBe('constructor.py');
    expect(index.modules.toString).toBeUndefined();
    expect(index.classes['pkg.c.Thing'].bases).toEqual(['pkg.a.constructor']);
  }
});
