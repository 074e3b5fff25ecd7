// Real-Django proof: the example project's loyalty app (models.py and rewards.py import each other)
// stops django.setup() with an ImportError; after djfix the project sets up, the helper still runs a
// query through the lazily looked-up model, and nothing else changed. Every fixture djfix fixes is
// also run under Django: before, some module cannot be imported; after, all can, and every
// apps.get_model() that djfix wrote finds its model. And for every fixture, whether djfix says a
// cycle fails agrees with what Python does when each module is imported first after django.setup().
import fs from 'node:fs';
import path from 'node:path';
import { djfix } from '../helpers/cli';
import { copyExampleProject, copyTree, EXAMPLE_PROJECT_FIXES_DIR, manageCheck, repoRoot, runDjango } from '../helpers/django';

const FIXTURES = path.join(repoRoot(), 'fixtures', 'lazy-model-imports');

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]));
}

function changedFiles(before: string, after: string): string[] {
  return listFiles(after).filter((file) => !fs.existsSync(path.join(before, file)) || !fs.readFileSync(path.join(before, file)).equals(fs.readFileSync(path.join(after, file))));
}

describe('the example project', () => {
  test('django.setup() fails on the loyalty import cycle, and works after djfix', async () => {
    const project = copyExampleProject({ importCycle: true });
    const pristine = copyTree(project);
    const before = runDjango(project, 'result = "set up"', { DJFIX_NO_MIGRATE: '1' });
    expect(before.ok).toBe(false);
    expect(before.error).toMatch(/^ImportError: cannot import name 'PointsAccount' from partially initialized module 'loyalty\.models'/);
    expect(before.traceback).toContain('django.setup()');

    const run = await djfix(['--write', '--only', 'lazy-model-imports', '--jobs', '1', project]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('loyalty/rewards.py:4:1 [lazy-model-imports, review] Import cycle: loyalty/rewards.py:4 imports loyalty.models, loyalty/models.py:3 imports loyalty.rewards.');
    expect(run.stdout).toContain('apps.get_model("perks", "PointsAccount")');
    // Exactly the files the other tests' copies have (copyExampleProject()), and nothing else.
    const fixes = path.join(EXAMPLE_PROJECT_FIXES_DIR, 'lazy-model-imports');
    expect(changedFiles(pristine, project)).toEqual(listFiles(fixes));
    for (const file of listFiles(fixes)) expect(fs.readFileSync(path.join(project, file), 'utf8')).toBe(fs.readFileSync(path.join(fixes, file), 'utf8'));

    const after = runDjango(project, `
      from django.contrib.auth.models import User
      from django.core.management import call_command
      from customers.models import Customer
      from loyalty.models import PointsAccount
      from loyalty.rewards import award_points, statement

      customer = Customer.objects.create(user=User.objects.create(username="ada"))
      award_points(customer, 150)
      account = award_points(customer, 100)
      # Raises SystemExit when the models have changes that no migration records.
      call_command("makemigrations", check=True, dry_run=True, verbosity=0)
      result = {
          "points": PointsAccount.objects.get(customer=customer).points,
          "statement": statement(account),
          "tier": account.tier,
          "table": PointsAccount._meta.db_table,
      }
    `);
    expect(after.error).toBeUndefined();
    expect(after.result).toEqual({ points: 250, statement: '250 points (silver)', tier: 'silver', table: 'perks_pointsaccount' });
    expect(manageCheck(project)).toEqual({ status: 0, output: 'System check identified no issues (0 silenced).\n' });
  });
});

// Imports every module of the project after django.setup(), then resolves every apps.get_model() call
// written with string literals.
const IMPORT_EVERYTHING = `
  import importlib
  import re
  from pathlib import Path

  from django.apps import apps

  failures = {}
  for path in sorted(Path(".").rglob("*.py")):
      if path.name == "manage.py":
          continue
      module = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
      try:
          importlib.import_module(module)
      except ImportError as exc:
          failures[module] = str(exc)
  lookups = {}
  for path in sorted(Path(".").rglob("*.py")):
      for label, name in re.findall(r"""get_model\\(["'](\\w+)["'], ["'](\\w+)["']\\)""", path.read_text()):
          lookups[f"{label}.{name}"] = apps.get_model(label, name)._meta.label
  result = {"failures": failures, "lookups": lookups}
`;

function importEverything(project: string): { setupError?: string; failures: Record<string, string>; lookups: Record<string, string> } {
  const run = runDjango(project, IMPORT_EVERYTHING, { DJFIX_NO_MIGRATE: '1' });
  return run.ok ? run.result : { setupError: run.error, failures: {}, lookups: {} };
}

describe('fixtures djfix fixes, under real Django', () => {
  const cases = fs.readdirSync(FIXTURES).filter((name) => changedFiles(path.join(FIXTURES, name, 'input'), path.join(FIXTURES, name, 'output')).length > 0).sort();

  test('there are some', () => expect(cases.length).toBeGreaterThan(5));

  for (const name of cases) {
    test(`${name}: a circular import before, every module imports after`, () => {
      const before = importEverything(copyTree(path.join(FIXTURES, name, 'input')));
      const beforeErrors = [before.setupError ?? '', ...Object.values(before.failures)].join('\n');
      expect(beforeErrors).toMatch(/ImportError: cannot import name|partially initialized module/);

      const after = importEverything(copyTree(path.join(FIXTURES, name, 'output')));
      expect(after.setupError).toBeUndefined();
      expect(after.failures).toEqual({});
      for (const [written, found] of Object.entries(after.lookups)) expect(found.toLowerCase()).toBe(written.toLowerCase());
    });
  }
});

// After django.setup(), imports each module of the project as the first one (forgetting the modules
// the previous attempt imported); the ImportErrors, by module.
const IMPORT_EACH_FIRST = `
  import importlib
  import sys
  from pathlib import Path

  modules = sorted(
      ".".join(path.with_suffix("").parts).removesuffix(".__init__")
      for path in Path(".").rglob("*.py")
      if path.name != "manage.py"
  )
  after_setup = set(sys.modules)
  result = {}
  for module in modules:
      try:
          importlib.import_module(module)
      except ImportError as exc:
          result[module] = str(exc)
      for name in set(sys.modules) - after_setup:
          del sys.modules[name]
`;

describe('whether a cycle fails, as djfix tells it and as Python does it', () => {
  const cases = fs.readdirSync(FIXTURES).sort();
  for (const name of cases) {
    test(name, async () => {
      const project = copyTree(path.join(FIXTURES, name, 'input'));
      const run = runDjango(project, IMPORT_EACH_FIRST, { DJFIX_NO_MIGRATE: '1' });
      const pythonFails = !run.ok ? /ImportError/.test(run.error ?? '') : Object.keys(run.result).length > 0;
      const doc = JSON.parse((await djfix(['--json', '--dry-run', '--only', 'lazy-model-imports', '--jobs', '1', project])).stdout);
      const codes = doc.findings.map((finding: { code: string }) => finding.code);
      const djfixSaysFails = codes.some((code: string) => code !== 'harmless-cycle');
      expect({ pythonFails, djfixSaysFails, error: run.error, failures: run.result }).toMatchObject({ pythonFails: djfixSaysFails, djfixSaysFails });
    });
  }
});
