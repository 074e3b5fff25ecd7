import { decodeSource, lineEnding, positionOf } from '../../src/source';

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

test('lineEnding and positionOf', () => {
  expect(lineEnding('a\r\nb\r\n')).toBe('\r\n');
  expect(lineEnding('a\nb')).toBe('\n');
  expect(positionOf('ab\ncd\r\nef', 7)).toEqual({ line: 3, column: 1 });
});
