// The settings conditional rules read, as every settings module that uses a list sees them.
import { extractFacts } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { buildIndex } from '../../src/project/index';
import { moduleNameOf } from '../../src/project/modules';
import { conditionSettings } from '../../transforms/middleware-order/conditions';

const LIST = 'MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]\n';

/** CSRF_USE_SESSIONS as shop/settings/base.py's list sees it, with these other settings modules. */
function csrfUseSessions(base: string, others: Record<string, string> = {}) {
  const files: Record<string, string> = { 'shop/__init__.py': '', 'shop/settings/__init__.py': '', 'shop/settings/base.py': base, ...others };
  const packages = new Set(Object.keys(files).filter((path) => path.endsWith('__init__.py')).map((path) => path.split('/').slice(0, -1).join('/')));
  const inputs = Object.entries(files).map(([path, text]) => ({ path, ...moduleNameOf(path, (dir) => packages.has(dir)), hash: path, facts: extractFacts(parsePython(text), text) }));
  return conditionSettings(buildIndex(inputs, { version: null, source: 'test' }), 'shop/settings/base.py', (path) => files[path]).CSRF_USE_SESSIONS;
}

test('not set anywhere: certain, and not set', () => {
  expect(csrfUseSessions(LIST)).toEqual({ state: { known: true, value: undefined } });
});

test('a literal: certain', () => {
  expect(csrfUseSessions(`CSRF_USE_SESSIONS = True\n${LIST}`)).toEqual({ state: { known: true, value: true } });
});

test.each([
  ['computed', 'import os\nCSRF_USE_SESSIONS = os.environ.get("X") == "1"\n', 'CSRF_USE_SESSIONS is computed at run time at shop/settings/base.py:2 (os.environ.get("X") == "1")'],
  ['conditional', 'if DEBUG:\n    CSRF_USE_SESSIONS = True\n', 'CSRF_USE_SESSIONS is set inside a conditional block at shop/settings/base.py:2'],
  ['set twice', 'CSRF_USE_SESSIONS = False\nCSRF_USE_SESSIONS = True\n', 'CSRF_USE_SESSIONS is set more than once (last at shop/settings/base.py:2)'],
])('%s: not certain, saying why', (_, setting, doubt) => {
  expect(csrfUseSessions(`${setting}${LIST}`)).toEqual({ state: { known: false }, doubt });
});

test('a settings module that star-imports this one and sets it differently makes it uncertain', () => {
  const prod = { 'shop/settings/prod.py': 'from .base import *\nCSRF_USE_SESSIONS = True\n' };
  expect(csrfUseSessions(`CSRF_USE_SESSIONS = False\n${LIST}`, prod)).toEqual({
    state: { known: false },
    doubt: 'CSRF_USE_SESSIONS is False here but True in shop/settings/prod.py:2, which star-imports these settings',
  });
  expect(csrfUseSessions(LIST, prod).state).toEqual({ known: false });
});

test('one that sets it the same way, or not at all, does not', () => {
  expect(csrfUseSessions(`CSRF_USE_SESSIONS = True\n${LIST}`, { 'shop/settings/prod.py': 'from .base import *\nCSRF_USE_SESSIONS = True\n' }).state).toEqual({ known: true, value: true });
  expect(csrfUseSessions(LIST, { 'shop/settings/prod.py': 'from .base import *\nCSRF_USE_SESSIONS = False\n' }).state).toEqual({ known: true, value: undefined });
  expect(csrfUseSessions(LIST, { 'shop/settings/dev.py': 'from .base import *\nDEBUG = True\n' }).state).toEqual({ known: true, value: undefined });
});

test('one that writes a list of its own does not use this one, so its setting does not count', () => {
  const test = { 'shop/settings/test.py': `from .base import *\nCSRF_USE_SESSIONS = True\n${LIST}` };
  expect(csrfUseSessions(LIST, test).state).toEqual({ known: true, value: undefined });
});

test('any project module that star-imports the settings counts, not only those named settings', () => {
  const tests = { 'tests/__init__.py': '', 'tests/config.py': 'from shop.settings.base import *\nCSRF_USE_SESSIONS = True\n' };
  expect(csrfUseSessions(LIST, tests)).toEqual({
    state: { known: false },
    doubt: 'CSRF_USE_SESSIONS is not set here but True in tests/config.py:2, which star-imports these settings',
  });
});

test('a module that imports MIDDLEWARE by name uses the same list, so its settings count too', () => {
  const named = { 'shop/settings/prod.py': 'from .base import MIDDLEWARE\nCSRF_USE_SESSIONS = True\n' };
  expect(csrfUseSessions(LIST, named).state).toEqual({ known: false });
});
