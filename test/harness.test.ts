/**
 * Proves the real-Django harness, and the defects planted in fixtures/example-project, on the
 * unmodified fixture. The transform tests rely on both: a transform is proven by turning one of
 * these observations into its fixed counterpart.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  copyExampleProject,
  countQueries,
  dedent,
  djangoAvailable,
  exampleQueryCalls,
  manageCheck,
  PYTHON,
  runDjango,
  testClientGet,
} from './helpers/django';

// Creates `n` of everything the planted functions read: one category, product and tag per
// index, and one user with a profile, a customer, an order and an order line.
function seedShop(n: number): string {
  return dedent(`
    from django.contrib.auth.models import User
    from catalog.models import Category, Product, Tag
    from customers.models import Customer, Profile
    from orders.models import Order, OrderLine

    for i in range(${n}):
        category = Category.objects.create(name=f"Category {i}", slug=f"category-{i}")
        product = Product.objects.create(
            category=category, name=f"Product {i}", sku=f"SKU-{i}", price="9.50"
        )
        product.tags.add(Tag.objects.create(name=f"tag-{i}"))
        user = User.objects.create(username=f"user{i}", email=f"user{i}@example.com")
        Profile.objects.create(user=user, bio=f"Bio {i}")
        order = Order.objects.create(customer=Customer.objects.create(user=user))
        OrderLine.objects.create(order=order, product=product, quantity=i + 1)
  `);
}

// What startproject would have written, plus the two project-local entries where they belong.
const ORDERED_MIDDLEWARE = `MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.CurrentUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.session_counter_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]`;

const temporaryDirs: string[] = [];

/** A copy as the transform tests get it: with the loyalty import cycle already broken (see copyExampleProject). */
function scratchCopy(): string {
  const dir = copyExampleProject();
  temporaryDirs.push(dir);
  return dir;
}

function editSettings(project: string, edit: (settings: string) => string): void {
  const settingsPath = path.join(project, 'shop', 'settings.py');
  fs.writeFileSync(settingsPath, edit(fs.readFileSync(settingsPath, 'utf8')));
}

beforeAll(() => {
  // CI installs Django; a missing Django must fail these tests, not skip them.
  if (!djangoAvailable()) {
    throw new Error(`${PYTHON} cannot import django: install Debian's python3-django`);
  }
});

afterAll(() => {
  for (const dir of temporaryDirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('django_runner.py', () => {
  test('returns the snippet result, on a scratch database unless DJFIX_KEEP_DATABASES=1', () => {
    const project = scratchCopy();
    const snippet = `
      from django.conf import settings
      print("printed output goes to stderr")
      result = str(settings.DATABASES["default"]["NAME"])
    `;

    const scratch = runDjango(project, snippet);
    expect(scratch.ok).toBe(true);
    expect(scratch.result).not.toBe(path.join(project, 'db.sqlite3'));
    expect(scratch.stdout.trim().split('\n')).toHaveLength(1);
    expect(scratch.stderr).toContain('printed output goes to stderr');

    const kept = runDjango(project, snippet, { DJFIX_KEEP_DATABASES: '1', DJFIX_NO_MIGRATE: '1' });
    expect(kept.result).toBe(path.join(project, 'db.sqlite3'));
  });

  test('DJFIX_NO_SETUP=1 reads the settings without setting Django up, for a backend not installed here', () => {
    const project = scratchCopy();
    editSettings(project, (settings) => settings.replace('"django.db.backends.sqlite3"', '"django.db.backends.postgresql"'));
    const snippet = 'from django.conf import settings\nresult = settings.DATABASES["default"]["ENGINE"]';
    const setUp = runDjango(project, snippet, { DJFIX_KEEP_DATABASES: '1', DJFIX_NO_MIGRATE: '1' });
    expect(setUp.error).toMatch(/psycopg2/);
    const read = runDjango(project, snippet, { DJFIX_KEEP_DATABASES: '1', DJFIX_NO_SETUP: '1' });
    expect(read).toMatchObject({ ok: true, result: 'django.db.backends.postgresql' });
  });

  test('reports an exception in the snippet as ok:false', () => {
    const run = runDjango(scratchCopy(), 'result = 1 / 0', { DJFIX_NO_MIGRATE: '1' });
    expect(run.ok).toBe(false);
    expect(run.error).toBe('ZeroDivisionError: division by zero');
    expect(run.traceback).toContain('<snippet>');
  });

  test('reports a circular import during django.setup() as ok:false with the ImportError', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-circular-'));
    temporaryDirs.push(project);
    const files: Record<string, string> = {
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/settings.py':
        'SECRET_KEY = "circular"\nINSTALLED_APPS = ["alpha", "beta"]\n' +
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}\n',
      'alpha/__init__.py': '',
      'alpha/models.py':
        'from django.db import models\n\nfrom beta.models import Beta\n\n\n' +
        'class Alpha(models.Model):\n' +
        '    beta = models.ForeignKey(Beta, on_delete=models.CASCADE)\n',
      'beta/__init__.py': '',
      'beta/models.py':
        'from django.db import models\n\nfrom alpha.models import Alpha\n\n\n' +
        'class Beta(models.Model):\n    pass\n',
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      fs.writeFileSync(path.join(project, file), text);
    }

    const run = runDjango(project, 'result = "unreachable"');
    expect(run.ok).toBe(false);
    expect(run.error).toMatch(
      /^ImportError: cannot import name 'Alpha' from partially initialized module 'alpha\.models'/,
    );
    expect(run.traceback).toContain('django.setup()');
  });
});

describe('fixtures/example-project as committed', () => {
  test('django.setup() fails: loyalty.models and loyalty.rewards import each other', () => {
    const project = copyExampleProject({ importCycle: true });
    temporaryDirs.push(project);
    const run = runDjango(project, 'result = "unreachable"', { DJFIX_NO_MIGRATE: '1' });
    expect(run.error).toMatch(/^ImportError: cannot import name 'PointsAccount' from partially initialized module 'loyalty\.models'/);
  });

  test('every module imports cleanly and the migrations match the models', () => {
    const run = runDjango(scratchCopy(), `
      import importlib
      from pathlib import Path

      from django.core.management import call_command

      modules = sorted(
          ".".join(path.with_suffix("").parts)
          for path in Path(".").rglob("*.py")
          if path.name != "manage.py"
      )
      for module in modules:
          importlib.import_module(module.removesuffix(".__init__"))
      # Raises SystemExit when the models have changes that no migration records.
      call_command("makemigrations", check=True, dry_run=True, verbosity=0)
      result = modules
    `);
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual(expect.arrayContaining(['orders.reports', 'catalog.services']));
  });

  test('manage.py check passes: Django 3.2 does not check MIDDLEWARE order', () => {
    const check = manageCheck(scratchCopy());
    expect(check).toEqual({
      status: 0,
      output: 'System check identified no issues (0 silenced).\n',
    });
  });

  test('GET /dashboard/ fails: CurrentUserMiddleware reads request.user before it is set', () => {
    expect(testClientGet(scratchCopy(), '/dashboard/')).toEqual({
      status: 500,
      error: "AttributeError: 'WSGIRequest' object has no attribute 'user'",
    });
  });

  test('GET /dashboard/ still fails with CurrentUserMiddleware moved: Session is too late', () => {
    const project = scratchCopy();
    editSettings(project, (settings) => {
      const currentUserEntry = /^ {4}"accounts\.middleware\.CurrentUserMiddleware",.*\n/m;
      const entry = currentUserEntry.exec(settings)![0];
      const messageEntry = '    "django.contrib.messages.middleware.MessageMiddleware",\n';
      return settings.replace(currentUserEntry, '').replace(messageEntry, entry + messageEntry);
    });

    const response = testClientGet(project, '/dashboard/');
    expect(response.status).toBe(500);
    expect(response.error).toMatch(
      /^AssertionError: The Django authentication middleware requires session middleware/,
    );
  });

  test('GET /dashboard/ works once MIDDLEWARE is in order, so ordering is its only defect', () => {
    const project = scratchCopy();
    editSettings(project, (settings) =>
      settings.replace(/^MIDDLEWARE = \[[\s\S]*?^\]/m, ORDERED_MIDDLEWARE),
    );

    expect(manageCheck(project).status).toBe(0);
    expect(testClientGet(project, '/dashboard/')).toEqual({
      status: 200,
      body: 'Hello AnonymousUser (anonymous). Visits: 1.',
    });
  });

  test('order_summaries() is N+1: two more queries (customer, user) per extra order', () => {
    const project = scratchCopy();
    const summariesFor = (orders: number) =>
      countQueries<unknown[]>(
        project,
        `${seedShop(orders)}\nfrom orders.reports import order_summaries`,
        'order_summaries()',
      );
    const oneOrder = summariesFor(1);
    const threeOrders = summariesFor(3);
    expect(oneOrder.value).toHaveLength(1);
    expect(threeOrders.value).toHaveLength(3);
    expect(threeOrders.count - oneOrder.count).toBe(4);
  });

  test('each planted N+1 grows with the data; the leave-alone cases do not', () => {
    const measureAll = (n: number): Record<string, number> => {
      const run = runDjango(scratchCopy(), seedShop(n) + dedent(`
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
      `) + exampleQueryCalls() + dedent(`
        result = {}
        for name, call in calls.items():
            with CaptureQueriesContext(connection) as captured:
                call()
            result[name] = len(captured.captured_queries)
      `));
      expect(run.error).toBeUndefined();
      return run.result;
    };

    const one = measureAll(1);
    const three = measureAll(3);
    const extraQueriesPerRow = Object.fromEntries(
      Object.keys(one).map((name) => [name, (three[name] - one[name]) / 2]),
    );
    expect(extraQueriesPerRow).toEqual({
      order_summaries: 2,
      line_report: 2,
      orders_per_customer: 0,
      order_dates: 0,
      product_tags: 1,
      product_categories: 1,
      category_sizes: 1,
      cheap_products_by_category: 1,
      profiles: 1,
      customer_emails: 1,
    });
  });

  test('product_card() keeps serving the old card after the product is renamed', () => {
    const run = runDjango(scratchCopy(), seedShop(1) + dedent(`
      from catalog.services import product_card

      product = Product.objects.get()
      before = product_card(product.pk)["name"]
      product.name = "Renamed"
      product.save()
      result = [before, product_card(product.pk)["name"]]
    `));
    expect(run.result).toEqual(['Product 0', 'Product 0']);
  });

  test('order_count() keeps serving the old count after an order is placed', () => {
    const run = runDjango(scratchCopy(), seedShop(1) + dedent(`
      from customers.services import order_count

      customer = Customer.objects.get()
      before = order_count(customer.pk)
      Order.objects.create(customer=customer)
      result = [before, order_count(customer.pk), customer.orders.count()]
    `));
    expect(run.result).toEqual([1, 1, 2]);
  });
});
