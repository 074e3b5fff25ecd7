// Real-Django proof: the example project's misordered MIDDLEWARE breaks a request that uses the
// session, messages and request.user; after djfix the same request succeeds and checks pass.
import fs from 'node:fs';
import path from 'node:path';
import { copyExampleProject, manageCheck, testClientGet } from '../helpers/django';
import { djfix } from '../helpers/cli';

test('djfix --write makes /dashboard/ work on real Django', async () => {
  const project = copyExampleProject();
  const before = testClientGet(project, '/dashboard/');
  expect(before.status).toBe(500);
  expect(before.error).toMatch(/has no attribute 'user'|requires session middleware/);

  const run = await djfix(['--write', '--only', 'middleware-order', '--jobs', '1', project]);
  expect(run.code).toBe(0);
  const settings = fs.readFileSync(path.join(project, 'shop', 'settings.py'), 'utf8');
  const order = [...settings.matchAll(/^\s+"([\w.]+)",/gm)].map((match) => match[1]).filter((entry) => entry.includes('iddleware'));
  expect(order.indexOf('django.contrib.sessions.middleware.SessionMiddleware')).toBeLessThan(order.indexOf('django.contrib.auth.middleware.AuthenticationMiddleware'));
  expect(order.indexOf('django.contrib.auth.middleware.AuthenticationMiddleware')).toBeLessThan(order.indexOf('accounts.middleware.CurrentUserMiddleware'));
  expect(order[0]).toBe('django.middleware.security.SecurityMiddleware');

  const check = manageCheck(project);
  expect(check.output).toContain('System check identified no issues');
  expect(check.status).toBe(0);
  const after = testClientGet(project, '/dashboard/');
  expect(after.error).toBeUndefined();
  expect(after.status).toBe(200);
  expect(after.body).toContain('Visits: 1');
});
