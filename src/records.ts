// Records keyed by names from the project. Python may name anything `constructor` or `toString`:
// looked up in a plain object, such a name finds Object's methods instead of nothing (`from a import
// constructor` stopped every run). Records made here have no prototype; a record that has been
// through JSON or a worker's message has one again, and is read with ownValue (or, for the index,
// stripped of it once: withoutPrototypes).

/** An empty record, or one holding `entries`, with no prototype. */
export function nameRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** The record's own value for `key`, never an inherited one. */
export function ownValue<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
