// Real-Django proof of the rule conditional-get-before-common: with CommonMiddleware above
// ConditionalGetMiddleware, the 304 that ConditionalGet builds passes through Common on its way out
// and leaves with "Content-Length: 0" (HTTP allows Content-Length on a 304 only when it equals the
// length of the full response). The fixture's output/ is what djfix makes of its input/.
import path from 'node:path';
import { copyTree, repoRoot, runDjango } from '../helpers/django';

const CASE = path.join(repoRoot(), 'fixtures', 'middleware-order', 'conditional-get-before-common');

function revalidate(project: string): { first: number; second: number; headers: Record<string, string> } {
  const run = runDjango(
    project,
    `
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    first = client.get("/page/")
    second = client.get("/page/", HTTP_IF_NONE_MATCH=first["ETag"])
    result = {"first": first.status_code, "second": second.status_code, "headers": dict(second.items())}
    `,
  );
  if (!run.ok) throw new Error(`${run.error}\n${run.traceback}`);
  return run.result;
}

test('Common above ConditionalGet: a 304 goes out with Content-Length: 0', () => {
  const result = revalidate(copyTree(path.join(CASE, 'input')));
  expect([result.first, result.second]).toEqual([200, 304]);
  expect(result.headers['Content-Length']).toBe('0');
});

test('after djfix (ConditionalGet above Common): the 304 has no Content-Length', () => {
  const result = revalidate(copyTree(path.join(CASE, 'output')));
  expect([result.first, result.second]).toEqual([200, 304]);
  expect(result.headers).not.toHaveProperty('Content-Length');
});
