// Transform options checked against each transform's declaration: `--set ID.NAME=VALUE` (text) and
// the `[tool.djfix.ID]` tables of the configuration (TOML values) accept exactly the same names.
import type { OptionDeclaration, OptionValue, Transform } from '../transforms/types';

export type CheckedOption = { ok: true; value: OptionValue } | { ok: false; message: string };

const TYPE_WORDS: Record<OptionDeclaration['type'], string> = { boolean: 'true or false', integer: 'a whole number', string: 'a string' };

export function optionDeclaration(transform: Transform, name: string): OptionDeclaration | undefined {
  return transform.options?.find((option) => option.name === name);
}

/** `(known: a, b)`, or that the transform has none: for messages about an unknown option. */
export function knownOptionsText(transform: Transform): string {
  const names = transform.options?.map((option) => option.name) ?? [];
  return names.length > 0 ? `(known: ${names.join(', ')})` : `(${transform.id} has no options)`;
}

/** A value read from TOML: it must already have the declared type. */
export function checkOptionValue(declaration: OptionDeclaration, value: unknown): CheckedOption {
  const typed = declaration.type === 'integer' ? typeof value === 'number' && Number.isInteger(value) : typeof value === declaration.type;
  if (!typed) return { ok: false, message: `must be ${TYPE_WORDS[declaration.type]} (got ${describeValue(value)})` };
  const problem = declaration.check?.(value as OptionValue);
  return problem ? { ok: false, message: problem } : { ok: true, value: value as OptionValue };
}

/** A value written on the command line: `true`/`false` for a boolean, digits for an integer, any text for a string. */
export function parseOptionText(declaration: OptionDeclaration, text: string): CheckedOption {
  if (declaration.type === 'boolean') return text === 'true' || text === 'false' ? checkOptionValue(declaration, text === 'true') : { ok: false, message: `must be true or false (got "${text}")` };
  if (declaration.type === 'integer') return /^-?\d+$/.test(text) ? checkOptionValue(declaration, Number(text)) : { ok: false, message: `must be a whole number (got "${text}")` };
  return checkOptionValue(declaration, text);
}

/** A value as messages show it: strings quoted, arrays and tables by their kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return String(value);
}
