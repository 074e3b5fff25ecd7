/**
 * Helpers for tests that run real Django against a project on disk.
 *
 * Everything goes through test/harness/django_runner.py, which sets Django up inside the project
 * (on a scratch SQLite database, migrated) and runs a Python snippet; see that file for the
 * protocol and the DJFIX_KEEP_DATABASES / DJFIX_NO_MIGRATE / DJFIX_NO_SETUP switches.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Debian's interpreter, which has Django 3.2; the first python3 on PATH may have no Django. */
export const PYTHON = '/usr/bin/python3';

const RESULT_PREFIX = 'DJFIX_RESULT ';

// spawnSync cannot be interrupted by Jest's own timeout, so the child needs a limit of its own.
const CHILD_TIMEOUT_MS = 60_000;
// Tracebacks and request logs of a failing run can outgrow spawnSync's 1 MB default.
const CHILD_MAX_BUFFER = 64 * 1024 * 1024;

// Artifacts that .gitignore keeps out of a fixture and that a copy must not inherit either.
const UNCOPIED_NAMES = new Set(['__pycache__', '.djfix_cache', 'db.sqlite3']);

export interface DjangoRun {
  ok: boolean;
  /** The value the snippet assigned to `result` (parsed from JSON). */
  result?: any;
  /** "<ExceptionType>: <message>" when setup, migrate or the snippet raised. */
  error?: string;
  traceback?: string;
  /** Only the DJFIX_RESULT line: the runner sends everything the project prints to stderr. */
  stdout: string;
  stderr: string;
}

/** The repository root: the nearest directory above this file that holds package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json in any directory above ${__dirname}`);
    }
    dir = parent;
  }
  return dir;
}

export const EXAMPLE_PROJECT_DIR = path.join(repoRoot(), 'fixtures', 'example-project');

const RUNNER_PATH = path.join(repoRoot(), 'test', 'harness', 'django_runner.py');

export function djangoAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
}

/** Copies a directory tree into a fresh temporary directory and returns its path. */
export function copyTree(src: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-'));
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (source) => !UNCOPIED_NAMES.has(path.basename(source)),
  });
  return dest;
}

/**
 * Files that djfix's fix for a planted defect rewrites, as it rewrites them, for defects that would
 * stop every other test at `django.setup()` (see "Planted cases" in fixtures/example-project/README.md).
 */
export const EXAMPLE_PROJECT_FIXES_DIR = path.join(repoRoot(), 'fixtures', 'example-project-fixes');

/**
 * A private copy of fixtures/example-project that a test may modify freely. The loyalty app's planted
 * import cycle makes `django.setup()` fail, so the copy has it already broken the way lazy-model-imports
 * breaks it (test/lazy-model-imports/django.test.ts proves djfix writes exactly those files), and every
 * other test starts from a project whose only failures are its own planted defects. Pass
 * `{ importCycle: true }` for the project as committed.
 */
export function copyExampleProject(options: { importCycle?: boolean } = {}): string {
  const dest = copyTree(EXAMPLE_PROJECT_DIR);
  if (!options.importCycle) fs.cpSync(path.join(EXAMPLE_PROJECT_FIXES_DIR, 'lazy-model-imports'), dest, { recursive: true });
  return dest;
}

/**
 * Removes the indentation common to all non-blank lines, so Python snippets can be written as
 * indented template literals. runDjango applies it to every snippet; snippets built from several
 * pieces should dedent each piece before joining them.
 */
/**
 * Python that binds `calls`: every function of the example project that runs queries (the planted
 * N+1s and the loops select-related must leave alone), by name, each returning a JSON-able value.
 */
export function exampleQueryCalls(): string {
  return dedent(`
    from catalog import views as catalog_views
    from customers import views as customer_views
    from orders import reports

    calls = {
        "order_summaries": reports.order_summaries,
        "line_report": reports.line_report,
        "orders_per_customer": lambda: {str(key): value for key, value in reports.orders_per_customer().items()},
        "order_dates": lambda: {str(key): value for key, value in reports.order_dates().items()},
        "product_tags": catalog_views.product_tags,
        "product_categories": catalog_views.product_categories,
        "category_sizes": catalog_views.category_sizes,
        "cheap_products_by_category": lambda: catalog_views.cheap_products_by_category(100),
        "profiles": customer_views.profiles,
        "customer_emails": customer_views.customer_emails,
    }
  `);
}

export function dedent(code: string): string {
  const lines = code.replace(/^\s*\n/, '').split('\n');
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => line.length - line.trimStart().length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}

/**
 * Runs a Python snippet inside the Django project at projectDir and returns what the runner
 * reported. The snippet sets `result` to hand back a JSON-serialisable value. Exceptions in the
 * project or the snippet come back as ok: false; a runner that produces no result line throws.
 */
export function runDjango(
  projectDir: string,
  snippet: string,
  env: Record<string, string> = {},
): DjangoRun {
  const child = spawnSync(PYTHON, [RUNNER_PATH, projectDir], {
    input: dedent(snippet),
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: CHILD_MAX_BUFFER,
  });
  const resultLine = (child.stdout ?? '')
    .split('\n')
    .find((line) => line.startsWith(RESULT_PREFIX));
  if (child.error !== undefined || child.status !== 0 || resultLine === undefined) {
    throw new Error(
      `django_runner.py gave no result for ${projectDir} ` +
        `(exit status ${child.status}${child.error ? `, ${child.error.message}` : ''}):\n` +
        `${child.stdout ?? ''}${child.stderr ?? ''}`,
    );
  }
  const reported = JSON.parse(resultLine.slice(RESULT_PREFIX.length)) as Omit<
    DjangoRun,
    'stdout' | 'stderr'
  >;
  return { ...reported, stdout: child.stdout, stderr: child.stderr };
}

/** The snippet's result; throws with the Python traceback if the run failed. */
function resultOf(run: DjangoRun): any {
  if (!run.ok) {
    throw new Error(`Django run failed: ${run.error}\n${run.traceback}`);
  }
  return run.result;
}

/** Runs `manage.py check` with the project's own settings (including its DATABASES). */
export function manageCheck(projectDir: string): { status: number; output: string } {
  const child = spawnSync(PYTHON, ['manage.py', 'check'], {
    cwd: projectDir,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: CHILD_MAX_BUFFER,
  });
  if (child.error !== undefined || child.status === null) {
    const reason = child.error?.message ?? `killed by ${child.signal}`;
    throw new Error(`manage.py check did not finish in ${projectDir}: ${reason}`);
  }
  return { status: child.status, output: child.stdout + child.stderr };
}

/**
 * Runs setupSnippet (e.g. creating rows), then evaluates the Python expression callExpr while
 * capturing the SQL it executes. The expression's value must be JSON-serialisable.
 */
export function countQueries<T = any>(
  projectDir: string,
  setupSnippet: string,
  callExpr: string,
): { count: number; value: T; queries: string[] } {
  const snippet = [
    dedent(setupSnippet),
    'from django.db import connection as _djfix_connection',
    'from django.test.utils import CaptureQueriesContext as _DjfixCaptureQueries',
    'with _DjfixCaptureQueries(_djfix_connection) as _djfix_captured:',
    `    _djfix_value = (${callExpr})`,
    'result = {',
    '    "count": len(_djfix_captured.captured_queries),',
    '    "value": _djfix_value,',
    '    "queries": [query["sql"] for query in _djfix_captured.captured_queries],',
    '}',
  ].join('\n');
  return resultOf(runDjango(projectDir, snippet));
}

/**
 * GETs url with Django's test client. A request that raises comes back as status 500 with the
 * exception as "<ExceptionType>: <message>" in error (and no body); otherwise body is the content.
 */
export function testClientGet(
  projectDir: string,
  url: string,
): { status: number; error?: string; body?: string } {
  const snippet = `
    from django.test import Client
    from django.test.utils import setup_test_environment

    # Lets the test client's "testserver" host past ALLOWED_HOSTS, as Django's test runner does.
    setup_test_environment()
    response = Client(raise_request_exception=False).get(${JSON.stringify(url)})
    if response.exc_info:
        exception = response.exc_info[1]
        result = {
            "status": response.status_code,
            "error": f"{type(exception).__name__}: {exception}",
        }
    else:
        result = {"status": response.status_code, "body": response.content.decode()}
  `;
  return resultOf(runDjango(projectDir, snippet));
}
