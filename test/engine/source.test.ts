import { decodeSource, hashSource, lineEnding, positionOf, wordOccurrences } from '../../src/source';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('decodeSource', () => {
  test('keeps a UTF-8 BOM in the text so writing it back gives the same bytes', () => {
    const input = bytes('\ufeffx = 1\n');
    const result = decodeSource(input);
    expect(result.ok && Buffer.from(result.source.text, 'utf8').equals(input)).toBe(true);
  });

  test('skips files that are not UTF-8, binary, too large or declare another encoding', () => {
    expect(decodeSource(Buffer.from([0x78, 0x3d, 0xe9, 0x0a]))).toEqual({ ok: false, reason: expect.stringContaining('not valid UTF-8') });
    expect(decodeSource(Buffer.from([0x78, 0x00, 0x79]))).toEqual({ ok: false, reason: expect.stringContaining('binary') });
    expect(decodeSource(bytes('x = 1\n'), 3)).toEqual({ ok: false, reason: expect.stringContaining('larger than 3 bytes') });
    expect(decodeSource(bytes('#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nx = 1\n'))).toEqual({ ok: false, reason: expect.stringContaining('latin-1') });
    expect(decodeSource(bytes('# coding: utf-8\nx = "é"\n')).ok).toBe(true);
  });
});

test('hashSource says what decodeSource says, without the text', () => {
  const inputs = [
    bytes('\ufeffx = 1\n'),
    Buffer.from([0x78, 0x3d, 0xe9, 0x0a]),
    Buffer.from([0x78, 0x00, 0x79]),
    bytes('#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nx = 1\n'),
    bytes('#!/usr/bin/env python\r# vim: set fileencoding=cp1252 :\rx = 1\r'),
    bytes('#!/usr/bin/env python\r\n# coding: latin-1\r\n'),
    bytes('\ufeff# coding: latin-1\n'),
    bytes('import os\n# coding: latin-1\n'),
    bytes('#!/usr/bin/env python\n\n# coding: latin-1\n'),
    bytes('# coding: utf-8\nx = "é"\n'),
    bytes('x = 1'),
    bytes(''),
  ];
  for (const input of inputs) {
    const decoded = decodeSource(input);
    expect(hashSource(input)).toEqual(decoded.ok ? { ok: true, hash: decoded.source.hash } : decoded);
  }
  expect(hashSource(bytes('x = 1\n'), 3)).toEqual(decodeSource(bytes('x = 1\n'), 3));
  expect(inputs.filter((input) => !hashSource(input).ok)).toHaveLength(6);
});

test('lineEnding and positionOf', () => {
  expect(lineEnding('a\r\nb\r\n')).toBe('\r\n');
  expect(lineEnding('a\nb')).toBe('\n');
  expect(positionOf('ab\ncd\r\nef', 7)).toEqual({ line: 3, column: 1 });
});

test('wordOccurrences finds a name only where it is not part of a longer name', () => {
  const text = ' set reset set_x x.set(1) "set" éset setà set\n𝑥set\nset';
  expect(wordOccurrences(text, 'set').map((at) => text.slice(at - 1, at + 4))).toEqual([' set ', '.set(', '"set"', ' set\n', '\nset']);
  expect(wordOccurrences('set', 'set')).toEqual([0]);
  expect(wordOccurrences('', 'set')).toEqual([]);
});
