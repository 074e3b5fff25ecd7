// The per-file pass of cache-invalidation (the Transform's `collect` hook): cache writes with their
// keys and values, key helpers, functions that already delete keys, signal connections and bulk
// queryset operations. It runs on every file when the index is built, so a file that mentions none
// of these is dismissed by a text test first.
import type { Node, Tree } from '../../src/parse';
import { sameNode } from '../../src/parse';
import { wordOccurrences } from '../../src/source';
import { canonicalKey } from './canonical';
import { cacheTarget } from './cache-refs';
import type { BulkFact, CacheFileFacts, CacheTarget, ClassRef, DeleterFact, KeyFact, WriteFact } from './facts';
import { keyHelpers } from './helpers';
import { analyzeKey } from './keys';
import { classRef, modelCallRef, querysetOf, short } from './origins';
import { enclosingFunction, Scope } from './scope';
import { analyzeValue } from './values';

const WRITES = new Set(['set', 'add', 'set_many', 'get_or_set']);
const DELETES = new Set(['delete', 'delete_many']);
const BULK = new Set(['update', 'bulk_create', 'bulk_update']);
const METHODS = [...WRITES, ...DELETES, 'connect'];
const MODEL_SIGNALS = /^(pre|post)_(save|delete)$/;
const MAY_MATTER = /cache|\.connect\(/;
const MAY_HOLD_BULK = /bulk_create|bulk_update|\.update\(/;

/**
 * The file's facts for the index: cache writes, deletes, key helpers and signal connections. Bulk
 * operations are left out: only the file's own analysis needs them, and only in a project that
 * caches keys built from instances (collectBulkFacts). On most files `.update(` is a dict's.
 */
export function collectCacheFacts(tree: Tree, text: string): CacheFileFacts | undefined {
  if (!MAY_MATTER.test(text)) return undefined;
  const facts = new Collector(tree, text, METHODS).run();
  const empty = facts.writes.length + facts.deleters.length + facts.connects.length + facts.helpers.length === 0;
  return empty ? undefined : facts;
}

/** Whether the text may call QuerySet.update(), bulk_create() or bulk_update(). */
export function mayHoldBulk(text: string): boolean {
  return MAY_HOLD_BULK.test(text);
}

/** The file's bulk operations, with the facts that resolve their models (class aliases). */
export function collectBulkFacts(tree: Tree, text: string): CacheFileFacts {
  return new Collector(tree, text, [...BULK]).run();
}

class Collector {
  private moduleScope: Scope | undefined;
  private readonly scopes = new Map<number, Scope>();
  private readonly deleters = new Map<number, DeleterFact>();
  private readonly facts: CacheFileFacts = { writes: [], helpers: [], deleters: [], connects: [], bulk: [], classAliases: {} };

  /**
   * Every cache cacheTarget recognises is imported from django.core.cache or spelled out in full, so
   * without that text `x.set()` and `x.delete()` are not cache calls and no scope is built for them.
   */
  private readonly mentionsCache: boolean;

  constructor(
    private readonly tree: Tree,
    private readonly text: string,
    private readonly methods: string[],
  ) {
    this.mentionsCache = text.includes('django.core.cache');
  }

  /** Module-level bindings, found the first time a question needs them. */
  private get module(): Scope {
    return (this.moduleScope ??= new Scope(this.tree.rootNode, undefined));
  }

  run(): CacheFileFacts {
    for (const { method, call, object, args } of this.calls()) {
      if ((WRITES.has(method) || DELETES.has(method)) && !this.mentionsCache) continue;
      if (!WRITES.has(method) && !DELETES.has(method) && !BULK.has(method) && !MODEL_SIGNALS.test(object.text.split('.').pop()!)) continue;
      const scope = this.scopeAt(call);
      if (WRITES.has(method) || DELETES.has(method)) {
        const target = cacheTarget(object, scope);
        if (!target) continue;
        if (WRITES.has(method)) this.write(call, method, target, args, scope);
        else this.delete(call, target, args, scope);
      } else if (BULK.has(method)) this.bulk(call, method, object, scope);
      else this.connect(call, object, args, scope);
    }
    this.helpersAndAliases();
    this.facts.deleters = [...this.deleters.values()].filter((deleter) => deleter.deletes.length > 0);
    return this.facts;
  }

  /**
   * Calls of the methods that matter, `object.method(arguments)`, in the order of the calls. They are
   * found at the occurrences of the method names in the text: a query over the whole tree would test
   * every call's method name in JS.
   */
  private calls(): Array<{ method: string; call: Node; object: Node; args: Node }> {
    const root = this.tree.rootNode;
    const found: Array<{ method: string; call: Node; object: Node; args: Node; start: number; end: number }> = [];
    for (const method of this.methods) {
      for (const at of wordOccurrences(this.text, method)) {
        const name = root.descendantForIndex(at, at + method.length);
        if (name.type !== 'identifier' || name.startIndex !== at || name.endIndex !== at + method.length) continue;
        const attribute = name.parent;
        const object = attribute?.type === 'attribute' && sameNode(attribute.childForFieldName('attribute'), name) ? attribute.childForFieldName('object') : null;
        const call = object ? attribute!.parent : null;
        const args = call?.type === 'call' && sameNode(call.childForFieldName('function'), attribute) ? call.childForFieldName('arguments') : null;
        if (args?.type === 'argument_list') found.push({ method, call: call!, object: object!, args, start: call!.startIndex, end: call!.endIndex });
      }
    }
    return found.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  /** The scope of the innermost function around a node (built once per function). */
  private scopeAt(node: Node): Scope {
    const fn = enclosingFunction(node);
    if (!fn) return this.module;
    let scope = this.scopes.get(fn.id);
    if (!scope) {
      scope = new Scope(fn, () => this.scopeAt(fn));
      this.scopes.set(fn.id, scope);
    }
    return scope;
  }

  private write(call: Node, method: string, cache: CacheTarget, args: Node, scope: Scope): void {
    // Code that runs when a model changes (save(), delete(), a receiver) is itself the reaction to it.
    if (reactsToChanges(scope)) return;
    const fact: WriteFact = { method, line: call.startPosition.row + 1, column: call.startPosition.column + 1, cache, function: scope.displayName, entries: [] };
    if (method === 'set_many') {
      const data = argument(args, 0, 'data');
      const pairs = data?.type === 'dictionary' ? data.namedChildren.filter((child) => child.type === 'pair') : data?.type === 'dictionary_comprehension' ? [data.childForFieldName('body')!] : undefined;
      if (!data || !pairs || data.namedChildren.some((child) => child.type === 'dictionary_splat')) {
        const source = data?.text ?? args.text;
        fact.entries.push({ key: { kind: 'unresolved', source: short(source), line: fact.line, reason: `set_many() is given ${short(source, 40)}, whose keys djfix does not follow` } });
      } else {
        for (const pair of pairs) this.entry(fact, pair.childForFieldName('key')!, pair.childForFieldName('value')!, scope);
      }
    } else {
      const key = argument(args, 0, 'key');
      const value = argument(args, 1, method === 'get_or_set' ? 'default' : 'value');
      if (!key) return;
      this.entry(fact, key, value, scope);
    }
    this.facts.writes.push(fact);
  }

  private entry(fact: WriteFact, keyNode: Node, valueNode: Node | undefined, scope: Scope): void {
    const key: KeyFact = analyzeKey(keyNode, scope);
    if (key.kind !== 'instance' || !valueNode) {
      fact.entries.push({ key });
      return;
    }
    const keyVariable = keyNode.type === 'identifier' ? keyNode.text : undefined;
    fact.entries.push({ key, value: analyzeValue(valueNode, { instance: key.instance, pkName: key.pkName, key: keyVariable }, scope) });
  }

  private delete(call: Node, cache: CacheTarget, args: Node, scope: Scope): void {
    const owner = outermostFunction(call);
    const first = argument(args, 0, 'key') ?? argument(args, 0, 'keys');
    if (!owner || !first) return;
    const deleter = this.deleter(owner);
    const instance = deleter.className && (deleter.name.endsWith('.save') || deleter.name.endsWith('.delete')) ? 'self' : 'instance';
    for (const key of expandKeys(first, scope, 0)) deleter.deletes.push({ cache, canonical: canonicalKey(key, instance), line: key.startPosition.row + 1 });
  }

  private deleter(fn: Node): DeleterFact {
    let deleter = this.deleters.get(fn.id);
    if (deleter) return deleter;
    const scope = this.scopeAt(fn.childForFieldName('body') ?? fn);
    deleter = { name: scope.displayName ?? '', line: fn.startPosition.row + 1, signals: [], deletes: [] };
    if (scope.className) deleter.className = scope.className;
    const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
    for (const decorator of decorated?.namedChildren.filter((child) => child.type === 'decorator') ?? []) {
      const call = decorator.firstNamedChild;
      if (call?.type !== 'call' || !/(^|\.)receiver$/.test(call.childForFieldName('function')?.text ?? '')) continue;
      const args = call.childForFieldName('arguments')!;
      const signals = argument(args, 0, 'signal');
      const sender = argument(args, -1, 'sender');
      const senderRef = sender ? this.senderRef(sender, this.module) : undefined;
      const names = signals?.type === 'list' || signals?.type === 'tuple' ? signals.namedChildren : signals ? [signals] : [];
      for (const name of names) deleter.signals.push({ signal: name.text.split('.').pop()!, ...(senderRef ? { sender: senderRef } : {}) });
    }
    this.deleters.set(fn.id, deleter);
    return deleter;
  }

  private senderRef(sender: Node, scope: Scope): ClassRef {
    return classRef(sender, scope) ?? { text: sender.text };
  }

  private connect(call: Node, object: Node, args: Node, scope: Scope): void {
    const signal = object.text.split('.').pop()!;
    if (!MODEL_SIGNALS.test(signal)) return;
    const receiver = argument(args, 0, 'receiver');
    const sender = argument(args, 1, 'sender');
    if (!receiver) return;
    this.facts.connects.push({ signal, receiver: receiver.text, ...(sender ? { sender: this.senderRef(sender, scope) } : {}), line: call.startPosition.row + 1 });
  }

  private bulk(call: Node, method: string, object: Node, scope: Scope): void {
    const target = querysetOf(object, scope, 0);
    if (!target) return;
    const fact: BulkFact = { method, line: call.startPosition.row + 1, column: call.startPosition.column + 1, target, text: short(call.text, 70) };
    this.facts.bulk.push(fact);
  }

  /** Module-level key helpers (`def user_key(u): return f"user:{u.pk}"`) and `User = get_user_model()`. */
  private helpersAndAliases(): void {
    this.facts.helpers = keyHelpers(this.tree.rootNode, () => this.module);
    for (const statement of this.tree.rootNode.namedChildren) {
      if (statement.type === 'expression_statement' && statement.firstNamedChild?.type === 'assignment') {
        const left = statement.firstNamedChild.childForFieldName('left');
        const right = statement.firstNamedChild.childForFieldName('right');
        const ref = right?.type === 'call' ? modelCallRef(right) : undefined;
        if (left?.type === 'identifier' && ref) this.facts.classAliases[left.text] = ref;
      }
    }
  }
}

function reactsToChanges(scope: Scope): boolean {
  if (scope.isModule) return false;
  const name = scope.node.childForFieldName('name')?.text ?? '';
  if (scope.className && (name === 'save' || name === 'delete')) return true;
  const decorated = scope.node.parent?.type === 'decorated_definition' ? scope.node.parent : undefined;
  return (decorated?.namedChildren ?? []).some((decorator) => decorator.type === 'decorator' && /^@\s*([\w.]+\.)?receiver\(/.test(decorator.text));
}

/** An argument by position or keyword (position -1: keyword only). */
function argument(args: Node, position: number, keyword: string): Node | undefined {
  const items = args.namedChildren.filter((child) => child.type !== 'comment');
  const named = items.find((item) => item.type === 'keyword_argument' && item.childForFieldName('name')?.text === keyword);
  if (named) return named.childForFieldName('value') ?? undefined;
  const positional = items.filter((item) => item.type !== 'keyword_argument' && item.type !== 'list_splat' && item.type !== 'dictionary_splat');
  return position >= 0 ? positional[position] : undefined;
}

/** The keys a delete is given: a list's items, a local variable's value (our own receivers build `keys = [...]`). */
function expandKeys(node: Node, scope: Scope, depth: number): Node[] {
  if (depth > 3) return [node];
  if (node.type === 'list' || node.type === 'tuple' || node.type === 'set') return node.namedChildren.filter((child) => child.type !== 'comment').flatMap((child) => expandKeys(child, scope, depth + 1));
  if (node.type === 'identifier') {
    const found = scope.lookup(node.text);
    const binding = found && !found.scope.isModule && found.bindings.length === 1 ? found.bindings[0] : undefined;
    if (binding?.kind === 'assign' && binding.index === undefined) return expandKeys(binding.value, found!.scope, depth + 1);
  }
  return [node];
}

/** The function a delete belongs to: a closure's outermost function (a receiver that deletes in `on_commit(clear)`). */
function outermostFunction(node: Node): Node | null {
  let fn = enclosingFunction(node);
  while (fn) {
    const outer = enclosingFunction(fn);
    if (!outer) return fn;
    fn = outer;
  }
  return null;
}
