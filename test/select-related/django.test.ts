// Real-Django proof: after djfix --write --only select-related on the example project, every planted
// N+1 runs the same number of queries for N and 2N rows, and returns exactly what it returned before.
import fs from 'node:fs';
import path from 'node:path';
import { copyExampleProject, dedent, djangoAvailable, exampleQueryCalls, PYTHON, runDjango } from '../helpers/django';
import { djfix } from '../helpers/cli';

const PLANTED = ['order_summaries', 'line_report', 'product_tags', 'product_categories', 'category_sizes', 'profiles', 'customer_emails'];
const LEFT_ALONE = ['orders_per_customer', 'order_dates', 'cheap_products_by_category'];

// `n` of everything the planted functions read; each order has two lines, each product two tags.
function seed(n: number): string {
  return dedent(`
    import datetime
    from django.contrib.auth.models import User
    from catalog.models import Category, Product, Tag
    from customers.models import Customer, Profile
    from orders.models import Order, OrderLine

    for i in range(${n}):
        category = Category.objects.create(name=f"Category {i}", slug=f"category-{i}")
        product = Product.objects.create(category=category, name=f"Product {i}", sku=f"SKU-{i}", price="9.50")
        product.tags.add(Tag.objects.create(name=f"tag-{i}"), Tag.objects.create(name=f"label-{i}"))
        user = User.objects.create(username=f"user{i}", email=f"user{i}@example.com")
        Profile.objects.create(user=user, bio=f"Bio {i}")
        order = Order.objects.create(customer=Customer.objects.create(user=user))
        # Distinct creation times keep Order's ordering (-created) free of ties.
        Order.objects.filter(pk=order.pk).update(created=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(hours=i))
        OrderLine.objects.create(order=order, product=product, quantity=i + 1)
        OrderLine.objects.create(order=order, product=product, quantity=i + 2)
  `);
}

/** Each function's query count and JSON-able result over `n` seeded rows. */
function measure(project: string, n: number): Record<string, { queries: number; value: unknown }> {
  const run = runDjango(project, seed(n) + dedent(`
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
  `) + exampleQueryCalls() + dedent(`
    result = {}
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as captured:
            value = call()
        result[name] = {"queries": len(captured.captured_queries), "value": value}
  `));
  if (!run.ok) throw new Error(`${run.error}\n${run.traceback}`);
  return run.result;
}

const read = (project: string, file: string) => fs.readFileSync(path.join(project, file), 'utf8');

beforeAll(() => {
  if (!djangoAvailable()) throw new Error(`${PYTHON} cannot import django: install Debian's python3-django`);
});

test('every planted N+1 runs a constant number of queries after djfix, with the same results', async () => {
  const project = copyExampleProject();
  const before = { small: measure(project, 2), large: measure(project, 4) };
  for (const name of PLANTED) expect([name, before.large[name].queries]).not.toEqual([name, before.small[name].queries]);

  const run = await djfix(['--write', '--only', 'select-related', '--jobs', '1', project]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/Changed 3 files with 7 fixes/);
  expect(read(project, 'orders/reports.py')).toContain('Order.objects.select_related("customer__user").all()');
  expect(read(project, 'orders/reports.py')).toContain('Order.objects.prefetch_related("lines__product").all()');
  expect(read(project, 'customers/views.py')).toContain('users = User.objects.select_related("profile").all()');

  const after = { small: measure(project, 2), large: measure(project, 4) };
  for (const name of [...PLANTED, ...LEFT_ALONE]) {
    expect({ name, value: after.small[name].value }).toEqual({ name, value: before.small[name].value });
    expect({ name, value: after.large[name].value }).toEqual({ name, value: before.large[name].value });
  }
  for (const name of PLANTED) expect({ name, queries: after.large[name].queries }).toEqual({ name, queries: after.small[name].queries });
  // The leave-alone cases: unchanged text, unchanged query counts.
  for (const name of LEFT_ALONE) expect({ name, queries: after.large[name].queries }).toEqual({ name, queries: before.large[name].queries });
});
