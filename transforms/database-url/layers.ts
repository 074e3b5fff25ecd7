// What happens to a settings file's DATABASES after it is assigned: later statements in the same file
// and in the settings files layered on top of it (`from .base import *`) that change it. A change to
// a connection key would override the URL, so it holds the rewrite back; others are harmless.
import type { ProjectIndex } from '../../src/project/index';
import { listing } from './messages';
import type { DatabaseUse } from './statements';

/** Keys that decide which database Django connects to: setting one after the URL would override it. */
const URL_KEYS = new Set(['ENGINE', 'NAME', 'USER', 'PASSWORD', 'HOST', 'PORT', 'OPTIONS']);

export interface AliasEffects {
  /** Why the alias must not be rewritten (`sets HOST at prod.py:12`). */
  blocking: string[];
  /** CONN_MAX_AGE is set by a later statement of the same file. */
  connMaxAge?: string;
  /** CONN_HEALTH_CHECKS is set by a later statement of the same file. */
  healthChecks?: string;
  /** OPTIONS["pool"] may be set somewhere (no persistent connections then). */
  pool?: string;
}

export interface Layered {
  path: string;
  uses: DatabaseUse[];
}

/** Settings files that star-import `path`, directly or through others. */
export function layeredOn(index: ProjectIndex, path: string): string[] {
  const imports = (candidate: string, seen = new Set<string>()): boolean => {
    if (seen.has(candidate)) return false;
    seen.add(candidate);
    return (index.settings.bases[candidate] ?? []).some((base) => base === path || imports(base, seen));
  };
  return index.settings.paths.filter((candidate) => candidate !== path && imports(candidate));
}

/**
 * The effect on `alias` of the uses that follow the assignment: `own` are the same file's uses after
 * it, `layers` the uses of each settings file on top (up to where that file assigns DATABASES itself).
 */
export function aliasEffects(alias: string, own: DatabaseUse[], layers: Layered[], ownPath: string): AliasEffects {
  const effects: AliasEffects = { blocking: [] };
  // URL keys set later, by place, so that one statement setting several is one reason.
  const overrides = new Map<string, string[]>();
  const visit = (use: DatabaseUse, path: string) => {
    if (use.inFunction || use.kind === 'read' || use.keys.length === 0) return;
    const [first, second, third] = use.keys;
    if (first !== alias && first !== null) return;
    const where = `${path}:${use.line}`;
    const sets = (key: string | null | undefined) => {
      if (key === null || key === undefined) effects.blocking.push(`a statement at ${where} changes the ${alias} database in a way djfix cannot read`);
      else if (URL_KEYS.has(key)) overrides.set(where, [...(overrides.get(where) ?? []), key]);
      else if (key === 'CONN_MAX_AGE' && path === ownPath) effects.connMaxAge = where;
      else if (key === 'CONN_HEALTH_CHECKS' && path === ownPath) effects.healthChecks = where;
    };
    const setsOption = (key: string | null | undefined) => {
      if (key === 'pool' || key === null || key === undefined) effects.pool ??= where;
    };
    if (use.keys.length === 1) {
      // The whole alias: replacing it leaves the rewritten one unused there; changing it in place matters.
      if ((use.kind === 'method' && use.method === 'update') || use.kind === 'augment') (use.setsKeys ?? [null]).forEach(sets);
      else if (use.kind === 'method' && use.method !== 'get' && use.method !== 'copy') sets(null);
      return;
    }
    if (use.keys.length === 2) {
      if (use.kind === 'method') {
        if (second === 'OPTIONS') (use.method === 'update' ? (use.setsKeys ?? [null]) : use.method === 'get' || use.method === 'copy' ? [] : [null]).forEach(setsOption);
        return;
      }
      sets(second);
      return;
    }
    if (second === 'OPTIONS') setsOption(third);
  };
  for (const use of own) visit(use, ownPath);
  for (const layer of layers) {
    for (const use of [...layer.uses].sort((a, b) => a.line - b.line)) {
      // From its own unconditional assignment on, a layer has a DATABASES of its own.
      if (use.kind === 'assign' && use.keys.length === 0 && !use.conditional && !use.inFunction) break;
      visit(use, layer.path);
    }
  }
  for (const [where, keys] of overrides) effects.blocking.push(`${where} sets ${listing(keys)}, which would override what the URL says`);
  return effects;
}
