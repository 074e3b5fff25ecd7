// Which expressions are Django caches: `cache` from django.core.cache (under any name), `caches["x"]`,
// and names assigned one of those (`c = caches["x"]`), at module level or in the function.
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';
import type { CacheTarget } from './facts';
import type { Binding, Scope } from './scope';

const CACHE_MODULE = 'django.core.cache';

/** The cache an expression refers to; undefined when it is not (known to be) a Django cache. */
export function cacheTarget(node: Node, scope: Scope, depth = 0): CacheTarget | undefined {
  if (depth > 5) return undefined;
  if (node.type === 'identifier') {
    const found = scope.lookup(node.text);
    if (!found) return undefined;
    const targets = found.bindings.map((binding) => bindingTarget(binding, found.scope, node.text, depth));
    if (targets.some((target) => target === undefined)) return undefined;
    const aliases = new Set(targets.map((target) => target!.alias));
    return { alias: aliases.size === 1 ? targets[0]!.alias : undefined, text: node.text };
  }
  if (node.type === 'subscript') {
    const value = node.childForFieldName('value');
    const subscript = node.childForFieldName('subscript');
    if (!value || !subscript || !isCachesDict(value, scope)) return undefined;
    return { alias: aliasOf(subscript, scope), text: node.text };
  }
  if (node.type === 'attribute' && node.text === `${CACHE_MODULE}.cache`) return { alias: 'default', text: node.text };
  return undefined;
}

function bindingTarget(binding: Binding, scope: Scope, name: string, depth: number): CacheTarget | undefined {
  if (binding.kind === 'import') return binding.level === 0 && binding.module === CACHE_MODULE && binding.name === 'cache' ? { alias: 'default', text: name } : undefined;
  if (binding.kind === 'assign' && binding.index === undefined) return cacheTarget(binding.value, scope, depth + 1);
  return undefined;
}

/** `caches` from django.core.cache, under any name. */
export function isCachesDict(node: Node, scope: Scope): boolean {
  if (node.type === 'attribute') return node.text === `${CACHE_MODULE}.caches`;
  if (node.type !== 'identifier') return false;
  const bindings = scope.lookup(node.text)?.bindings ?? [];
  return bindings.length > 0 && bindings.every((binding) => binding.kind === 'import' && binding.level === 0 && binding.module === CACHE_MODULE && binding.name === 'caches');
}

function aliasOf(subscript: Node, scope: Scope): string | undefined {
  const literal = stringValue(subscript);
  if (literal !== undefined) return literal;
  if (subscript.type === 'identifier') {
    const bindings = scope.lookup(subscript.text)?.bindings ?? [];
    const imported = bindings.length === 1 && bindings[0].kind === 'import' && bindings[0].module === CACHE_MODULE && bindings[0].name === 'DEFAULT_CACHE_ALIAS';
    if (imported) return 'default';
    // A module-level constant: `REPORTS_CACHE = "reports"`.
    if (bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].index === undefined) return stringValue(bindings[0].value);
  }
  return undefined;
}
