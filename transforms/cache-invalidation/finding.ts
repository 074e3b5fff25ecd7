// The shape every finding of cache-invalidation shares, and the Django docs it cites.
import type { Finding } from '../../src/model';
import type { ParsedFile } from '../types';
import { ID } from './resolve';

export const SOURCES = ['docs/topics/signals.txt', 'docs/ref/signals.txt', 'docs/topics/db/transactions.txt', 'docs/topics/cache.txt', 'docs/ref/applications.txt'];
export const BULK_SOURCES = ['docs/ref/models/querysets.txt', 'docs/ref/signals.txt'];

export function finding(file: ParsedFile, code: string, at: { line: number; column: number }, message: string, extra: Partial<Finding>): Finding {
  return { transform: ID, code, location: { path: file.path, line: at.line, column: at.column }, message, ...extra };
}
