// What cache-invalidation collects from each file, before the project index exists: cache writes
// with their keys and values, key helper functions, code that already deletes keys on model changes,
// and bulk queryset operations. Names stay as written; analyze.ts resolves them against the index.
// Everything is plain data: it is cached with the file's other facts and crosses worker threads.

/** A class as written where it is used: `Product`, `models.Product`, `get_user_model()`, `"catalog.Product"`. */
export interface ClassRef {
  text: string;
  /** Set when a function-level import binds the name: resolved against the file's module. */
  imported?: { module: string; level: number; name: string };
}

/** How a variable came to hold a model instance, as far as the file shows. */
export type OriginFact =
  | { kind: 'class'; ref: ClassRef; manager?: string; how: string; line: number }
  /** `self` in a method of a module-level class. */
  | { kind: 'self'; className: string }
  /** `request.user`: the AUTH_USER_MODEL. */
  | { kind: 'user'; how: string; line: number }
  /** A loop over `base.attribute.all()`: the model a relation of base's model leads to. */
  | { kind: 'accessor'; base: OriginFact; attribute: string; how: string; line: number }
  | { kind: 'unknown'; reason: string };

/**
 * Where the key text refers to the instance: offsets into the key's source text. The receiver's key
 * is the source with each slot replaced by `instance` followed by `tail`.
 */
export interface Slot {
  start: number;
  end: number;
  /** `.pk`, `.slug`, `.get_cache_key()`; empty when the instance is passed whole (to a key helper). */
  tail: string;
  /** The attribute read on the instance, when there is one. */
  attribute?: string;
  call?: boolean;
  /** The slot was a string operand of `+` standing for the pk: the receiver needs `str(...)` around it. */
  wrapStr?: boolean;
  /** `self.PREFIX` with PREFIX a constant of the class: the same for every instance. */
  constant?: boolean;
}

/** A call of a module-level key helper inside a key: `user_key(user)`. */
export interface HelperCallFact {
  callee: string;
  imported?: { module: string; level: number; name: string };
  /** Which argument is the instance: its position, or its keyword. */
  argument: number | string;
}

export type KeyFact =
  | {
      kind: 'instance';
      /** The key expression as the writer wrote it (inlined when it was assigned to a variable first). */
      source: string;
      line: number;
      /** The instance as written: `product`, `self`, `request.user`. */
      instance: string;
      /** A variable holding the instance's pk, used in the key instead of the instance (`pk` in `get(pk=pk)`). */
      pkName?: string;
      origin: OriginFact;
      slots: Slot[];
      helpers: HelperCallFact[];
      /** Module-level names the key uses (constants, `settings`), imported where the receiver lives. */
      names: string[];
    }
  | { kind: 'global'; source: string; line: number }
  | { kind: 'unresolved'; source: string; line: number; reason: string };

/** A query in the value's computation: `Order.objects.filter(customer=c)`. */
export interface QueryFact {
  ref: ClassRef;
  manager: string;
  /** Lookups whose value is the key's instance or its pk/id, as written: `customer`, `customer_id`, `customer__pk`. */
  lookups: string[];
  /** Other lookups of the query (they do not tie the rows to the instance). */
  untied: boolean;
  text: string;
  line: number;
}

/** What the cached value is computed from, as far as the function shows. */
export interface ValueFact {
  /** The value's computation uses the key's instance at all (whole, attribute, pk passed on). */
  usesInstance: boolean;
  /** The instance (or its pk variable) is used whole, other than as a lookup value: passed to a function, cached as is. */
  whole: boolean;
  /** Attributes read on the instance, outside lookups; `chained` when something is read through them (`c.orders.all()`). */
  reads: Array<{ attribute: string; chained: boolean; line: number }>;
  queries: QueryFact[];
}

/** `cache` (the default alias) or `caches["alias"]`; `alias` undefined when it cannot be told. */
export interface CacheTarget {
  alias?: string;
  text: string;
}

export interface WriteFact {
  method: string;
  line: number;
  column: number;
  cache: CacheTarget;
  /** The enclosing function, `Class.method` for methods; undefined at module level. */
  function?: string;
  entries: Array<{ key: KeyFact; value?: ValueFact }>;
}

/** A module-level function that only returns a key built from its parameters. */
export interface HelperFact {
  name: string;
  line: number;
  params: string[];
  /** Parameter used as the instance, with its annotation, the attributes read and its slots in `source`. */
  instance?: { param: string; annotation?: ClassRef; slots: Slot[] };
  source: string;
  /** Why it is not a key helper djfix can reuse. */
  reason?: string;
}

/** A function (or model method) that deletes cache keys. */
export interface DeleterFact {
  name: string;
  line: number;
  /** Model methods `save`/`delete`: the class they belong to. */
  className?: string;
  /** `@receiver(...)` decorators: signal name (last part) and sender, if given. */
  signals: Array<{ signal: string; sender?: ClassRef }>;
  deletes: Array<{ cache: CacheTarget; canonical: string; line: number }>;
}

/** `post_save.connect(receiver, sender=...)`. */
export interface ConnectFact {
  signal: string;
  receiver: string;
  sender?: ClassRef;
  line: number;
}

/** A queryset operation that sends no model signals. */
export interface BulkFact {
  method: string;
  line: number;
  column: number;
  /** The queryset's model: a manager chain on a class, or a relation of an instance. */
  target: OriginFact;
  text: string;
}

export interface CacheFileFacts {
  writes: WriteFact[];
  helpers: HelperFact[];
  deleters: DeleterFact[];
  connects: ConnectFact[];
  bulk: BulkFact[];
  /** Module-level names bound to model classes by a call: `User = get_user_model()`. */
  classAliases: Record<string, ClassRef>;
}
