// Real-Django proof: in the example project, product_card() and order_count() keep serving cached
// data after the rows change. After djfix, saving one product and deleting another inside a
// transaction leaves their keys in place until the commit and removes them after it, so the next
// call reads fresh data; placing an order deletes its customer's cached count.
import fs from 'node:fs';
import path from 'node:path';
import { copyExampleProject, dedent, manageCheck, runDjango } from '../helpers/django';
import { djfix } from '../helpers/cli';

const SAVE_AND_DELETE = dedent(`
  from decimal import Decimal

  from django.core.cache import cache
  from django.db import transaction

  from catalog.models import Category, Product
  from catalog.services import product_card

  category = Category.objects.create(name="Tools", slug="tools")
  kept = Product.objects.create(category=category, name="Hammer", sku="H-1", price=Decimal("10.00"))
  gone = Product.objects.create(category=category, name="Saw", sku="S-1", price=Decimal("20.00"))
  product_card(kept.pk)
  product_card(gone.pk)
  gone_pk = gone.pk


  def cached():
      return [cache.get(f"product:{kept.pk}") is not None, cache.get(f"product:{gone_pk}") is not None]


  with transaction.atomic():
      kept.name = "Claw hammer"
      kept.save()
      gone.delete()
      inside = cached()
  after = cached()
  try:
      gone_name = product_card(gone_pk)["name"]
  except Product.DoesNotExist:
      gone_name = "DoesNotExist"
  result = {"inside": inside, "after": after, "kept": product_card(kept.pk)["name"], "gone": gone_name}
`);

const PLACE_ORDER = dedent(`
  from django.contrib.auth.models import User

  from customers.models import Customer
  from customers.services import order_count
  from orders.models import Order

  customer = Customer.objects.create(user=User.objects.create(username="ada"))
  Order.objects.create(customer=customer)
  before = order_count(customer.pk)
  Order.objects.create(customer=customer)
  result = [before, order_count(customer.pk)]
`);

// ready() can run more than once (tests do it); dispatch_uid keeps one connection per receiver.
const READY_TWICE = dedent(`
  from django.apps import apps
  from django.db.models.signals import post_save

  from catalog.models import Product

  before = len(post_save._live_receivers(Product))
  apps.get_app_config("catalog").ready()
  result = [before, len(post_save._live_receivers(Product))]
`);

function run(project: string, snippet: string): any {
  const outcome = runDjango(project, snippet);
  if (!outcome.ok) throw new Error(`${outcome.error}\n${outcome.traceback}`);
  return outcome.result;
}

test('before djfix the caches serve stale data after save, delete and a new related row', () => {
  const project = copyExampleProject();
  expect(run(project, SAVE_AND_DELETE)).toEqual({ inside: [true, true], after: [true, true], kept: 'Hammer', gone: 'Saw' });
  expect(run(project, PLACE_ORDER)).toEqual([1, 1]);
});

test('djfix --write adds receivers that delete the keys after the commit, and a second run changes nothing', async () => {
  const project = copyExampleProject();
  const first = await djfix(['--write', '--only', 'cache-invalidation', '--jobs', '1', project]);
  expect(first.code).toBe(0);
  expect(fs.existsSync(path.join(project, 'catalog', 'signals.py'))).toBe(true);
  expect(fs.readFileSync(path.join(project, 'catalog', 'apps.py'), 'utf8')).toContain('from . import signals  # noqa: F401');
  expect(first.stdout).toMatch(/update\(price=F\("pri.*without sending post_save/);

  expect(run(project, SAVE_AND_DELETE)).toEqual({ inside: [true, true], after: [false, false], kept: 'Claw hammer', gone: 'DoesNotExist' });
  expect(run(project, PLACE_ORDER)).toEqual([1, 2]);
  expect(run(project, READY_TWICE)).toEqual([1, 1]);

  const check = manageCheck(project);
  expect(check.output).toContain('System check identified no issues');
  const second = await djfix(['--dry-run', '--only', 'cache-invalidation', '--jobs', '1', project]);
  expect(second.stdout).not.toContain('diff --git');
  expect(second.code).toBe(0);
});

test('receivers-module from [tool.djfix.cache-invalidation]: receivers in catalog/cache/receivers.py run as well', async () => {
  const project = copyExampleProject();
  fs.mkdirSync(path.join(project, 'catalog', 'cache'));
  fs.writeFileSync(path.join(project, 'catalog', 'cache', '__init__.py'), '');
  fs.writeFileSync(path.join(project, 'pyproject.toml'), '[tool.djfix.cache-invalidation]\nreceivers-module = "cache.receivers"\n');
  const first = await djfix(['--write', '--only', 'cache-invalidation', '--jobs', '1', project]);
  expect(first.code).toBe(0);
  expect(fs.existsSync(path.join(project, 'catalog', 'signals.py'))).toBe(false);
  expect(fs.readFileSync(path.join(project, 'catalog', 'cache', 'receivers.py'), 'utf8')).toContain('from ..models import Product');
  expect(fs.readFileSync(path.join(project, 'catalog', 'apps.py'), 'utf8')).toContain('from .cache import receivers  # noqa: F401');

  expect(run(project, SAVE_AND_DELETE)).toEqual({ inside: [true, true], after: [false, false], kept: 'Claw hammer', gone: 'DoesNotExist' });
  expect(run(project, READY_TWICE)).toEqual([1, 1]);
  expect(manageCheck(project).output).toContain('System check identified no issues');
});
