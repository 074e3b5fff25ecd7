import { Writable } from 'node:stream';
import { progressBar } from '../../src/progress';

function fakeTerminal(): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _encoding, done) => ((text += chunk.toString()), done()) }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, written: () => text };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('nothing for runs under a second, a bar after', () => {
  const { stream, written } = fakeTerminal();
  const bar = progressBar(stream, true);
  bar.update('index', 10, 100);
  expect(written()).toBe('');
  jest.advanceTimersByTime(1500);
  bar.update('index', 50, 100);
  expect(written()).toContain('Indexing');
  bar.stop();
});

test('nothing at all when stderr is not a terminal', () => {
  const { stream, written } = fakeTerminal();
  const bar = progressBar(stream, false);
  jest.advanceTimersByTime(1500);
  bar.update('index', 50, 100);
  bar.stop();
  expect(written()).toBe('');
});
