// Real-Django check of the fixture specifications: every fixed fixture's input and output run under
// Django 3.2 on the same rows. Each function of the modules the fixture adds must return the same
// result before and after, never run more queries after, and after the fix run as many queries for
// 2N rows as for N (the relation reads it fixed no longer grow with the rows). The fixed fixtures
// share one set of models, so one Django process loads every fixture's modules side by side.
import fs from 'node:fs';
import path from 'node:path';
import { copyTree, dedent, djangoAvailable, PYTHON, repoRoot, runDjango } from '../helpers/django';

const FIXTURES = path.join(repoRoot(), 'fixtures', 'select-related');
/** Files every fixture shares: the project and its models. */
const BASE = /^(manage\.py|shop\/.*|[^/]+\/__init__\.py|[^/]+\/models\.py)$/;
/** Functions whose query count still grows after the fix, and why. */
const STILL_GROWING: Record<string, string> = {
  // Django 3.2 ignores prefetch_related with iterator(); the fixture targets 4.2.
  'iterator-chunk-size-django-4-2 export': 'prefetch with iterator() needs Django 4.1',
};

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]));
}

const fixedCases = fs
  .readdirSync(FIXTURES)
  .filter((name) => !name.endsWith('-left-alone'))
  .sort();

/** The modules a fixture adds to the shared project, e.g. `orders/reports.py`. */
function addedFiles(name: string): string[] {
  return listFiles(path.join(FIXTURES, name, 'output')).filter((file) => file.endsWith('.py') && !BASE.test(file));
}
// Rows for every model of the fixtures' shared models: `n` of each, related to each other.
const SEED = dedent(`
  from decimal import Decimal
  from django.contrib.auth.models import Group, Permission, User
  from django.contrib.contenttypes.models import ContentType
  from catalog.models import Category, Note, Product, Tag
  from orders.models import Customer, Order, OrderLine, Profile, Shipment

  def seed(start, n):
      for i in range(start, start + n):
          user = User.objects.create(username=f"user{i}", email=f"user{i}@example.com")
          group = Group.objects.create(name=f"group{i}")
          group.permissions.add(*Permission.objects.all()[:2])
          user.groups.add(group)
          Profile.objects.create(user=user, bio=f"bio {i}")
          parent = Category.objects.create(name=f"parent {i}", created_by=user)
          category = Category.objects.create(name=f"category {i}", parent=parent, created_by=user)
          product = Product.objects.create(category=category, name=f"product {i}", price=Decimal(i + 1), created_by=user)
          product.tags.add(Tag.objects.create(name=f"tag {i}"), Tag.objects.create(name=f"label {i}"))
          Note.objects.create(content_type=ContentType.objects.get_for_model(Product), object_id=product.pk, text=f"note {i}")
          customer = Customer.objects.create(user=user, phone=f"+{i}")
          order = Order.objects.create(customer=customer, referrer=customer)
          Order.objects.filter(pk=order.pk).update(created=f"2024-01-{i + 1:02d} 00:00:00")
          Shipment.objects.create(order=order, handled_by=user, carrier=f"carrier {i}")
          for quantity in (1, 2):
              OrderLine.objects.create(order=order, product=product, quantity=quantity)
`);

// Calls every function the modules define (required parameters get 1, a primary key that exists)
// and records its result, made comparable, and how many queries it ran.
const MEASURE = dedent(`
  import importlib, inspect, json
  from django.db import connection, models
  from django.test.utils import CaptureQueriesContext

  def comparable(value):
      if isinstance(value, models.Model):
          return f"{type(value).__name__}:{value.pk}"
      if isinstance(value, dict):
          return sorted(([comparable(k), comparable(v)] for k, v in value.items()), key=json.dumps)
      if isinstance(value, (set, frozenset)):
          return sorted((comparable(v) for v in value), key=json.dumps)
      if isinstance(value, (list, tuple)) or inspect.isgenerator(value):
          return [comparable(v) for v in value]
      if isinstance(value, (int, float, str, bool)) or value is None:
          return value
      return str(value)

  def measure(modules):
      measured = {}
      for name in modules:
          module = importlib.import_module(name)
          for function_name, function in inspect.getmembers(module, inspect.isfunction):
              if function.__module__ != name:
                  continue
              required = [p for p in inspect.signature(function).parameters.values() if p.default is p.empty]
              with CaptureQueriesContext(connection) as captured:
                  try:
                      value = comparable(function(*[1] * len(required)))
                  except Exception as error:
                      value = {"raised": f"{type(error).__name__}: {error}"}
              measured[f"{name}.{function_name}"] = {"queries": len(captured.captured_queries), "value": value}
      return measured
`);

interface Measured {
  queries: number;
  value: unknown;
}

// Loads one version of a fixture's module under its own name, in its app's package, so that
// `from .models import Order` finds the shared models.
const LOAD = dedent(`
  import sys, types

  def load(name, package, path):
      module = types.ModuleType(name)
      module.__package__ = package
      module.__file__ = path
      sys.modules[name] = module
      with open(path, encoding="utf-8") as source:
          exec(compile(source.read(), path, "exec"), module.__dict__)
      return name
`);

let measured: { small: Record<string, Measured>; large: Record<string, Measured> };
const moduleNames = new Map<string, Array<{ before: string; after: string }>>();

beforeAll(() => {
  if (!djangoAvailable()) throw new Error(`${PYTHON} cannot import django: install Debian's python3-django`);
  // The shared project: any fixture's input, which every fixed fixture's models equal.
  const project = copyTree(path.join(FIXTURES, fixedCases[0], 'input'));
  const loads: string[] = [];
  for (const name of fixedCases) {
    const modules = addedFiles(name).map((file) => {
      const [app] = file.split('/');
      const stem = `${file.replace(/\.py$/, '').replace(/\//g, '_')}__${name.replace(/-/g, '_')}`;
      for (const side of ['input', 'output']) loads.push(`load("${app}.${stem}__${side}", "${app}", ${JSON.stringify(path.join(FIXTURES, name, side, file))})`);
      return { before: `${app}.${stem}__input`, after: `${app}.${stem}__output` };
    });
    moduleNames.set(name, modules);
  }
  const all = [...moduleNames.values()].flat().flatMap((modules) => [modules.before, modules.after]);
  const snippet = [SEED, MEASURE, LOAD, 'from django.core.management import call_command', 'call_command("migrate", run_syncdb=True, verbosity=0)', ...loads, `modules = ${JSON.stringify(all)}`, 'seed(0, 2)', 'small = measure(modules)', 'seed(2, 2)', 'result = {"small": small, "large": measure(modules)}'].join('\n');
  const outcome = runDjango(project, snippet);
  if (!outcome.ok) throw new Error(`${outcome.error}\n${outcome.traceback}`);
  measured = outcome.result;
}, 120_000);

test('every fixed fixture shares the same project and models', () => {
  for (const name of fixedCases) {
    for (const file of listFiles(path.join(FIXTURES, name, 'input')).filter((candidate) => BASE.test(candidate))) {
      expect({ name, file, text: fs.readFileSync(path.join(FIXTURES, name, 'input', file), 'utf8') }).toEqual({ name, file, text: fs.readFileSync(path.join(FIXTURES, fixedCases[0], 'input', file), 'utf8') });
    }
  }
});

test.each(fixedCases)('%s: same results under Django, queries no longer grow with the rows', (name) => {
  const { small, large } = measured;
  for (const { before, after } of moduleNames.get(name)!) {
    const functions = Object.keys(small).filter((fn) => fn.startsWith(`${after}.`));
    expect(functions.length).toBeGreaterThan(0);
    // The fix has an effect: some function of the fixture runs fewer queries.
    expect(functions.some((fn) => large[fn].queries < large[fn.replace(after, before)].queries)).toBe(true);
    for (const fn of functions) {
      const original = fn.replace(after, before);
      const label = `${name} ${fn.slice(after.length + 1)}`;
      expect({ label, value: small[fn].value }).not.toEqual({ label, value: expect.objectContaining({ raised: expect.anything() }) });
      expect({ label, value: small[fn].value }).toEqual({ label, value: small[original].value });
      expect({ label, value: large[fn].value }).toEqual({ label, value: large[original].value });
      expect(large[fn].queries).toBeLessThanOrEqual(large[original].queries);
      if (!STILL_GROWING[label]) expect({ label, queries: large[fn].queries }).toEqual({ label, queries: small[fn].queries });
    }
  }
});
