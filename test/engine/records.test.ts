// Records keyed by names from the project find only the project's keys, whatever the name.
import { nameRecord, ownValue } from '../../src/records';

test('a name record holds its entries and nothing inherited, __proto__ included', () => {
  const record = nameRecord([['constructor', 1], ['__proto__', 2]]);
  expect(record.constructor).toBe(1);
  expect(record.__proto__).toBe(2);
  expect(record.toString).toBeUndefined();
  expect(Object.keys(record)).toEqual(['constructor', '__proto__']);
});

test('ownValue reads a plain record (one that went through JSON) without its prototype', () => {
  const plain = JSON.parse('{"Product": 1}') as Record<string, number>;
  expect(ownValue(plain, 'Product')).toBe(1);
  expect(ownValue(plain, 'toString')).toBeUndefined();
  expect(ownValue(undefined, 'Product')).toBeUndefined();
});
