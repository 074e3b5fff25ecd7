import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { buildIndex, ProjectIndex } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';
import type { Dependency } from '../../transforms/lazy-model-imports/judge';
import { Plan, planFor } from '../../transforms/lazy-model-imports/plan';

const texts = new WeakMap<ProjectIndex, Record<string, string>>();

function indexOf(files: Record<string, string>): ProjectIndex {
  const packages = new Set(Object.keys(files).filter((file) => file.endsWith('__init__.py')).map((file) => file.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([path, text]) => ({ path, ...moduleNameOf(path, (dir) => packages.has(dir)), hash: path, facts: extractFacts(parsePython(text), text) }));
  const index = buildIndex(inputs, { version: null, source: 'test' });
  texts.set(index, files);
  return index;
}

function plan(index: ProjectIndex): Plan {
  return planFor(index, (path) => texts.get(index)![path]);
}

const SETTINGS = (apps: string[]) => ({
  'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
  'proj/__init__.py': '',
  'proj/settings.py': `INSTALLED_APPS = ${JSON.stringify(apps)}\n`,
});

const cutsOf = (index: ProjectIndex) => plan(index).cuts.map((cut) => `${cut.dependency.path}:${cut.dependency.edges[0].line}`);
const reasonsOf = (index: ProjectIndex) => plan(index).reports.flatMap((report) => report.dependencies.flatMap((dependency: Dependency) => dependency.reasons));

describe('which imports break a cycle', () => {
  test('the fewest: one import on every cycle beats one per cycle', () => {
    // Cycles: x.models > y.models > x.models and x.models > y.models > hooks > x.models. The import in
    // x/models.py is on both; hooks.py's and y/models.py's are each on one, and come first by path.
    const index = indexOf({
      ...SETTINGS(['x', 'y']),
      'hooks.py': 'from x.models import Left\n\ndef on_save():\n    return Left.objects.count()\n',
      'x/__init__.py': '',
      'x/models.py': 'from django.db import models\nfrom y.models import Right\n\nclass Left(models.Model):\n    right = models.ForeignKey(Right, on_delete=models.CASCADE)\n',
      'y/__init__.py': '',
      'y/models.py': 'from django.db import models\nfrom hooks import on_save\nfrom x.models import Left\n\nclass Right(models.Model):\n    left = models.ForeignKey(Left, null=True, on_delete=models.SET_NULL)\n',
    });
    expect(cutsOf(index)).toEqual(['x/models.py:2']);
    expect(plan(index).reports).toEqual([]);
  });

  test('as many as the cycles need: one each when no import is on all of them', () => {
    const index = indexOf({
      ...SETTINGS(['hub']),
      'hub/__init__.py': '',
      'hub/models.py': 'from django.db import models\nfrom hub import a, b\n\nclass Thing(models.Model):\n    pass\n',
      'hub/a.py': 'from hub.models import Thing\n\ndef f():\n    return Thing\n',
      'hub/b.py': 'from hub.models import Thing\n\ndef g():\n    return Thing\n',
    });
    expect(cutsOf(index)).toEqual(['hub/a.py:1', 'hub/b.py:1']);
  });

  test('between two cuts that would each do, the cheaper one', () => {
    const index = indexOf({
      ...SETTINGS(['crm', 'shop']),
      'crm/__init__.py': '',
      'crm/models.py': 'from django.db import models\nfrom shop.models import Order\n\nclass Customer(models.Model):\n    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n\n    def orders(self):\n        return Order.objects.all()\n',
      'shop/__init__.py': '',
      'shop/models.py': 'from django.db import models\nfrom crm.models import Customer\n\nclass Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n',
    });
    expect(cutsOf(index)).toEqual(['shop/models.py:2']);
  });

  test('a cycle that would still fail with every lazy import made is reported, not half fixed', () => {
    // models > helpers > models fails on Thing (lazy-able), but helpers > text > helpers fails on shout too.
    const index = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.helpers import shout\n\nclass Thing(models.Model):\n    pass\n',
      'app/helpers.py': 'from app.models import Thing\nfrom app.text import upper\n\ndef shout():\n    return Thing\n',
      'app/text.py': 'from app.helpers import shout\n\ndef upper():\n    return shout\n',
    });
    expect(cutsOf(index)).toEqual([]);
    const [report] = plan(index).reports;
    expect(report.cycle.modules).toEqual(['app.helpers', 'app.models', 'app.text']);
    expect(report.failure?.failure).toMatchObject({ importer: 'app.helpers', target: 'app.models', name: 'Thing' });
  });

  test('a cycle that does not fail is reported, and left alone', () => {
    // Django imports app.models first; helpers then finds Thing already bound.
    const index = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\n\nclass Thing(models.Model):\n    pass\n\nfrom app.helpers import shout\n',
      'app/helpers.py': 'from app.models import Thing\n\ndef shout():\n    return Thing\n',
    });
    expect(cutsOf(index)).toEqual([]);
    expect(plan(index).reports.map((report) => [report.cycle.modules, report.failure])).toEqual([[['app.helpers', 'app.models'], undefined]]);
  });

  test('without settings, any module of the cycle may be imported first', () => {
    const index = indexOf({
      'lib/__init__.py': '',
      'lib/models.py': 'from django.db import models\n\nclass Thing(models.Model):\n    pass\n\nfrom lib.helpers import shout\n',
      'lib/helpers.py': 'from lib.models import Thing\n\ndef shout():\n    return Thing\n',
    });
    // helpers first: it imports lib.models, which reads shout from helpers before helpers binds it.
    expect(cutsOf(index)).toEqual(['lib/helpers.py:1']);
    expect(plan(index).cuts[0].fixes).toMatchObject({ entry: 'lib.helpers', failure: { importer: 'lib.models', name: 'shout' } });
  });
});

describe('models re-exported by a package', () => {
  test('through star imports too: from .order import * makes app.models.Order a model', () => {
    const index = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models/__init__.py': 'from .order import *\n',
      'app/models/order.py': 'from django.db import models\nfrom app.helpers import f\n\nclass Order(models.Model):\n    pass\n',
      'app/helpers.py': 'from app.models import Order\n\ndef f():\n    return Order.objects.all()\n',
    });
    expect(cutsOf(index)).toEqual(['app/helpers.py:1']);
    expect(plan(index).cuts[0].dependency.lazy[0].models.Order.key).toBe('app.Order');
  });

  test('a package that only re-exports a model by name is a models module to `import package`', () => {
    const index = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models/__init__.py': 'from .order import Order\n',
      'app/models/order.py': 'from django.db import models\nfrom app.helpers import f\n\nclass Order(models.Model):\n    pass\n',
      'app/helpers.py': 'import app.models\n\ndef f():\n    return app.models.Order.objects.all()\n\nDEFAULT = app.models.Order\n',
    });
    // The import names no model, so the judge reads the file only if app.models counts as a models module.
    const helpers = plan(index).reports.flatMap((report) => report.dependencies).find((dependency: Dependency) => dependency.path === 'app/helpers.py');
    expect(helpers?.bindings).toHaveLength(1);
    expect(helpers?.reasons.join('\n')).toContain('app.Order is used at module level');
  });
});

describe('what the plan reads', () => {
  test('files in no cycle are never read', () => {
    const files = {
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.helpers import shout\n\nclass Thing(models.Model):\n    pass\n',
      'app/helpers.py': 'from app.models import Thing\n\ndef shout():\n    return Thing\n',
      'app/views.py': 'from app.models import Thing\nfrom app.helpers import shout\n',
      'app/text.py': 'from app.html import escape\n',
      'app/html.py': 'from app.text import title\n',
    };
    const index = indexOf(files);
    const read: string[] = [];
    const found = planFor(index, (path) => {
      read.push(path);
      return files[path as keyof typeof files];
    });
    expect(found.cuts.map((cut) => cut.dependency.path)).toEqual(['app/helpers.py']);
    expect(found.reports.map((report) => report.cycle.modules)).toEqual([['app.html', 'app.text']]);
    expect(read).not.toContain('app/views.py');
    expect(read).not.toContain('proj/settings.py');
  });
});

describe('the app label a lookup uses', () => {
  const project = (apps: string[], extra: Record<string, string>) =>
    indexOf({
      ...SETTINGS(apps),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.helpers import f\n\nclass Thing(models.Model):\n    pass\n',
      'app/helpers.py': 'from app.models import Thing\n\ndef f():\n    return Thing.objects.all()\n',
      ...extra,
    });
  const refOf = (index: ProjectIndex) => plan(index).cuts[0]?.dependency.lazy?.[0].models.Thing;

  test("the AppConfig's label, else the last part of the package", () => {
    expect(refOf(project(['app'], {}))).toMatchObject({ label: 'app', labelSource: "the last part of the app's package app" });
    const configured = project(['app.apps.AppConfigured'], { 'app/apps.py': 'from django.apps import AppConfig\n\nclass AppConfigured(AppConfig):\n    name = "app"\n    label = "things"\n' });
    expect(refOf(configured)).toMatchObject({ key: 'things.Thing', label: 'things', labelSource: 'the label of AppConfigured in app/apps.py' });
  });

  test('an app missing from a readable INSTALLED_APPS has no label to look up by', () => {
    const index = project(['other'], {});
    expect(cutsOf(index)).toEqual([]);
    expect(reasonsOf(index).join('\n')).toContain('belongs to app, which is not in INSTALLED_APPS');
  });

  test('INSTALLED_APPS built at run time: the label comes from the app, and the message says so', () => {
    const index = indexOf({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
      'proj/__init__.py': '',
      'proj/settings.py': 'INSTALLED_APPS = BASE_APPS + ["app"]\n',
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.helpers import f\n\nclass Thing(models.Model):\n    pass\n',
      'app/helpers.py': 'from app.models import Thing\n\ndef f():\n    return Thing.objects.all()\n',
    });
    expect(refOf(index)?.labelSource).toContain('INSTALLED_APPS is built at run time');
  });
});

describe('imports that are never made lazy', () => {
  const base = {
    ...SETTINGS(['app']),
    'app/__init__.py': '',
    'app/models.py': 'from django.db import models\nfrom app.helpers import f\n\nclass Base(models.Model):\n    class Meta:\n        abstract = True\n\nclass Thing(Base):\n    pass\n',
  };

  test('abstract models: the registry does not hold them', () => {
    const index = indexOf({ ...base, 'app/helpers.py': 'from app.models import Base\n\ndef f():\n    return Base\n' });
    expect(cutsOf(index)).toEqual([]);
    expect(reasonsOf(index).join('\n')).toContain('Base (app/helpers.py:1) is an abstract model');
  });

  test('re-exported: another module imports the name from here, by name or through the module', () => {
    const byName = indexOf({ ...base, 'app/helpers.py': 'from app.models import Thing\n\ndef f():\n    return Thing\n', 'app/views.py': 'from app.helpers import Thing\n' });
    expect(reasonsOf(byName).join('\n')).toContain('app/views.py:1 takes Thing from app.helpers, which would no longer have it');
    const throughModule = indexOf({ ...base, 'app/helpers.py': 'from app.models import Thing\n\ndef f():\n    return Thing\n', 'app/views.py': 'from app import helpers\n\ndef g():\n    return helpers.Thing\n' });
    expect(cutsOf(throughModule)).toEqual([]);
    expect(reasonsOf(throughModule).join('\n')).toContain('app/views.py:4 takes Thing from app.helpers');
  });

  test('functions called while modules are imported: get_model() would run before the registry is ready', () => {
    const index = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.helpers import default_name\n\nclass Thing(models.Model):\n    name = models.CharField(default=default_name())\n',
      'app/helpers.py': 'from app.models import Thing\n\ndef default_name():\n    return str(Thing.objects.count())\n',
    });
    expect(cutsOf(index)).toEqual([]);
    expect(reasonsOf(index).join('\n')).toContain('default_name() uses Thing and is called by a module imported during django.setup()');
  });

  test("a model registered only by the import itself, or imported by the app's models module", () => {
    const outside = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.extra import Extra\n\nclass Thing(models.Model):\n    def extras(self):\n        return Extra.objects.all()\n',
      'app/extra.py': 'from django.db import models\nfrom app.models import Thing\n\nclass Extra(Thing):\n    pass\n',
    });
    expect(cutsOf(outside)).toEqual([]);
    expect(reasonsOf(outside).join('\n')).toContain('the import djfix would remove may be what registers it');
  });

  test('migrations are never edited', () => {
    const index = indexOf({
      ...SETTINGS(['app']),
      'app/__init__.py': '',
      'app/models.py': 'from django.db import models\nfrom app.migrations.helpers import f\n\nclass Thing(models.Model):\n    pass\n',
      'app/migrations/__init__.py': '',
      'app/migrations/helpers.py': 'from app.models import Thing\n\ndef f():\n    return Thing\n',
    });
    expect(cutsOf(index)).toEqual([]);
  });
});

test('a name Object.prototype also has is bound only where the project binds it', () => {
  // pkg.a is paused at line 1 when pkg.b reads toString from it: that read fails, and is reported as
  // the cycle's failure (before, Object's toString was taken for the lines binding it, and the plan threw).
  const index = indexOf({
    'pkg/__init__.py': '',
    'pkg/a.py': 'from pkg.b import thing\n',
    'pkg/b.py': 'from pkg.a import toString\n\nthing = 1\n',
  });
  const [report] = plan(index).reports;
  expect(report.failure?.failure).toMatchObject({ importer: 'pkg.b', target: 'pkg.a', name: 'toString', boundAt: undefined });
});
