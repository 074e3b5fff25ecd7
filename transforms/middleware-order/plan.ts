// Plans a new MIDDLEWARE order from the rules in rules.ts: pure data in, data out, no tree-sitter, no
// file system. The transform turns the plan into edits and messages.
//
// A plan is made in one of two phases, and the transform runs them one after the other, so that a fix
// Django needs never waits on (or is mixed with) one that is only recommended:
// - `required`: the fewest moves that make every required rule hold (conditional rules whose setting
//   holds, and requirements inferred for project middleware, count as required).
// - `recommended`: on a list that already meets the required rules, the fewest moves that follow the
//   recommendations, without breaking any required rule and without moving anything past a
//   middleware djfix does not know (project or third-party middleware may depend on where it sits:
//   a language activator between LocaleMiddleware and CommonMiddleware, a health check above
//   SecurityMiddleware's HTTPS redirect). Recommendations that contradict a required rule or each
//   other (CorsMiddleware and WhiteNoise both asking to be first after Security) are left as written.
//
// A conditional rule whose setting is not known for certain (set differently by a settings module
// that star-imports this one, or computed at run time) is never applied and never broken: the pairs
// it orders correctly stay as they are, the others are reported as possible violations.
//
// How moves are found, in both phases: every rule becomes constraints "entry i before entry j".
// Position rules (top, bottom) are resolved last, against the reachability of the explicit ones
// (before, first, last), so "near the top" yields to anything another rule puts above it. The entries
// that stay put form the largest subsequence of the list whose order the constraints allow; the others
// move, each to the allowed slot closest to where it was. Finding that subsequence is a minimum vertex
// cover of the "these two are in the wrong order" graph, solved exactly per connected part. The cost is
// the lines moved (an entry's comment lines travel with it), then the entries moved, then how late they
// are: fewest lines and earliest entries is what a line diff shows moving, so the explanation names the
// lines the diff moves. Without comment lines that is simply the fewest moves.
import { KNOWN_MIDDLEWARE, MIDDLEWARE, MIDDLEWARE_GROUPS, MIDDLEWARE_RULES, type OrderRule } from './rules';

export interface PlanEntry {
  /** As written in settings (used for messages). */
  path: string;
  /** The known dotted paths this entry counts as: itself, plus the known middleware it subclasses. */
  identities: string[];
  /** Requirements inferred for project middleware, e.g. reads request.user → after AuthenticationMiddleware. */
  inferred?: Array<{ after: string; reason: string }>;
  /** How many lines moving this entry moves (its own comments included); 1 when not given. */
  lines?: number;
}

/** A setting a conditional rule reads, as the list's settings see it. */
export type SettingState = { known: true; value: unknown } | { known: false };

export interface PlanContext {
  /** The settings conditional rules read; a setting left out is not set (Django's default applies). */
  settings: Record<string, SettingState>;
  /** Target Django version; null means the latest. */
  django: [number, number] | null;
}

export type Phase = 'required' | 'recommended';

/** A rule's demand that entry `before` come before entry `after`, which the list breaks. */
export interface Violation {
  rule: OrderRule;
  before: number;
  after: number;
}

export interface Move {
  entry: number;
  direction: 'up' | 'down';
  /** An entry that stays put and that it moves past: it ends directly above it (up) or below it (down). */
  anchor: number;
  /** The rules this entry broke with another in the original order, which the new order repairs. */
  repairs: OrderRule[];
  /**
   * For an entry that broke no rule itself, which moves only because an entry it must keep its order
   * with moves: the rules it keeps, and with which entry.
   */
  keeps: Array<{ rule: OrderRule; with: number }>;
}

export interface OrderPlan {
  /** A permutation of entry indices: the new order (the identity when nothing moves). */
  order: number[];
  moves: Move[];
  /** What the phase's rules ask that the list breaks: required rules, or followable recommendations. */
  violations: Violation[];
  /** Recommended phase: recommendations the new order still does not follow, because that would move an entry past middleware djfix does not know. */
  unmet: Violation[];
  /** Pairs that conditional rules with an unknown setting would break if the setting held. */
  possible: Violation[];
  /** Required rules that cannot all hold; the order is then the identity. */
  conflicts: Array<{ rules: OrderRule[]; entries: number[]; message: string }>;
}

/** Past this many search steps the fewest-moves search gives up and the plan changes nothing. */
const SEARCH_STEP_LIMIT = 200_000;

const KNOWN = new Set(KNOWN_MIDDLEWARE);

export function planOrder(entries: PlanEntry[], context: PlanContext, phase: Phase, rules: OrderRule[] = MIDDLEWARE_RULES): OrderPlan {
  const lineup = new Lineup(entries);
  const edges = ruleEdges(lineup, context, rules);
  const hard = edges.filter((edge) => edge.kind === 'required' || edge.kind === 'kept');
  const identity = entries.map((_, index) => index);
  const plan: OrderPlan = { order: identity, moves: [], violations: [], unmet: [], possible: violated(edges.filter((edge) => edge.kind === 'possible')), conflicts: [] };
  plan.conflicts = cyclesOf(new ConstraintGraph(entries.length, hard), lineup);
  if (plan.conflicts.length > 0) return plan;

  let active = hard;
  if (phase === 'required') {
    plan.violations = violated(hard);
  } else {
    // Recommendations are planned only on top of a list that meets every required rule.
    if (violated(hard).length > 0) return plan;
    const followable = settle(entries.length, hard, edges.filter((edge) => edge.kind === 'recommended'));
    const pins = pinsOf(lineup);
    active = [...hard, ...pins, ...settle(entries.length, [...hard, ...pins], followable)];
    plan.violations = violated(followable);
    plan.unmet = plan.violations;
  }
  if (plan.violations.length === 0) return plan;

  const graph = new ConstraintGraph(entries.length, active);
  const misorders = misordersOf(graph);
  const moved = fewestMoves(misorders, entries.map((entry) => entry.lines ?? 1));
  if (!moved) {
    const involved = sortedUnique(misorders.flatMap((misorder) => [misorder.early, misorder.late]));
    plan.conflicts.push({
      rules: [],
      entries: involved,
      message: `Too many interdependent ordering constraints (${involved.length} entries) to find the fewest moves; MIDDLEWARE is left unchanged.`,
    });
    return plan;
  }
  plan.order = placeMoved(entries.length, moved, graph);
  const position = positionsOf(plan.order);
  plan.moves = describeMoves(moved, plan.order, active, misorders, rules);
  if (phase === 'recommended') plan.unmet = plan.violations.filter((violation) => position[violation.after] < position[violation.before]);
  return plan;
}

/**
 * Every rule this list breaks, without planning anything: for lists djfix reports but does not edit.
 * Recommendations that contradict a required rule or each other are not counted as broken.
 */
export function checkOrder(entries: PlanEntry[], context: PlanContext, rules: OrderRule[] = MIDDLEWARE_RULES): { required: Violation[]; recommended: Violation[]; possible: Violation[] } {
  const edges = ruleEdges(new Lineup(entries), context, rules);
  const required = edges.filter((edge) => edge.kind === 'required');
  return {
    required: violated(required),
    recommended: violated(settle(entries.length, required, edges.filter((edge) => edge.kind === 'recommended'))),
    possible: violated(edges.filter((edge) => edge.kind === 'possible')),
  };
}

/** Django's admin checks (admin.E408–E410) for middleware it needs; a subclass counts, as in Django. */
export function missingForInstalledApps(
  entries: PlanEntry[],
  installedApps: string[],
): Array<{ check: 'admin.E408' | 'admin.E409' | 'admin.E410'; missing: string; message: string }> {
  // apps.is_installed('django.contrib.admin') is true for the app and for its AppConfig classes.
  const adminInstalled = installedApps.some((app) => app === 'django.contrib.admin' || app.startsWith('django.contrib.admin.apps.'));
  if (!adminInstalled) return [];
  const needed = [
    { check: 'admin.E408', missing: MIDDLEWARE.authentication },
    { check: 'admin.E409', missing: MIDDLEWARE.messages },
    { check: 'admin.E410', missing: MIDDLEWARE.session },
  ] as const;
  return needed
    .filter(({ missing }) => !entries.some((entry) => entry.path === missing || entry.identities.includes(missing)))
    .map(({ check, missing }) => ({ check, missing, message: `'${missing}' must be in MIDDLEWARE in order to use the admin application.` }));
}

// ---------------------------------------------------------------------------------------------------
// Rules to constraints

/**
 * required: enforced. kept: a pair an uncertain conditional rule orders correctly, held as it is.
 * possible: a pair an uncertain conditional rule would break, reported. pin: the written order of a
 * pair with a middleware djfix does not know, held in the recommended phase. recommended: followed
 * when it contradicts nothing above.
 */
type EdgeKind = 'required' | 'kept' | 'possible' | 'pin' | 'recommended';

/** One rule's demand that entry `before` precede entry `after`. */
interface RuleEdge {
  before: number;
  after: number;
  rule: OrderRule;
  kind: EdgeKind;
}

/** The entries as the rules see them. */
class Lineup {
  readonly names: Array<Set<string>>;
  readonly known: number[];

  constructor(readonly entries: PlanEntry[]) {
    this.names = entries.map((entry) => new Set([entry.path, ...entry.identities]));
    this.known = this.indices().filter((index) => this.isKnown(index));
  }

  /** Entries that are the middleware `name`, or a member of the group `name`. */
  members(name: string): number[] {
    const paths = name.startsWith('@') ? MIDDLEWARE_GROUPS[name] ?? [] : [name];
    return this.indices().filter((index) => paths.some((path) => this.names[index].has(path)));
  }

  isKnown(index: number): boolean {
    return [...this.names[index]].some((name) => KNOWN.has(name));
  }

  label(index: number): string {
    const path = this.entries[index].path;
    return KNOWN.has(path) ? path.slice(path.lastIndexOf('.') + 1) : path;
  }

  private indices(): number[] {
    return this.entries.map((_, index) => index);
  }
}

function ruleEdges(lineup: Lineup, context: PlanContext, rules: OrderRule[]): RuleEdge[] {
  const kinds = new Map<OrderRule, EdgeKind | 'uncertain'>();
  for (const rule of rules) {
    const kind = edgeKindOf(rule, context);
    if (kind) kinds.set(rule, kind);
  }
  const applicable = [...kinds.keys()];
  const explicit = [...applicable.filter((rule) => !isNearRule(rule)).flatMap((rule) => explicitEdgesOf(rule, lineup)), ...inferredEdges(lineup)];
  const explicitGraph = new ConstraintGraph(lineup.entries.length, explicit.map((edge) => ({ ...edge, kind: 'required' as const })));
  const nearRules = applicable.filter(isNearRule);
  const edges = [...explicit, ...nearRules.flatMap((rule) => nearEdgesOf(rule, nearRules, lineup, explicitGraph))];
  return edges.map((edge): RuleEdge => {
    const kind = kinds.get(edge.rule) ?? 'required';
    if (kind !== 'uncertain') return { ...edge, kind };
    return { ...edge, kind: edge.before < edge.after ? 'kept' : 'possible' };
  });
}

function edgeKindOf(rule: OrderRule, context: PlanContext): EdgeKind | 'uncertain' | undefined {
  if (rule.minDjango && context.django) {
    const [major, minor] = context.django;
    const [minMajor, minMinor] = rule.minDjango;
    if (major < minMajor || (major === minMajor && minor < minMinor)) return undefined;
  }
  if (rule.strength === 'recommended') return 'recommended';
  if (!rule.when) return 'required';
  const state = context.settings[rule.when.setting];
  if (state && !state.known) return 'uncertain';
  return settingHolds(rule.when.equals, state?.value) ? 'required' : undefined;
}

/** Django reads boolean settings by truth, as Python does: `CSRF_USE_SESSIONS = 1` counts as True. */
function settingHolds(expected: unknown, value: unknown): boolean {
  if (typeof expected === 'boolean') return expected === pythonTruth(value);
  return value === expected;
}

function pythonTruth(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function isNearRule(rule: OrderRule): boolean {
  return rule.kind === 'top' || rule.kind === 'bottom';
}

type UnclassifiedEdge = Omit<RuleEdge, 'kind'>;

function explicitEdgesOf(rule: OrderRule, lineup: Lineup): UnclassifiedEdge[] {
  const subjects = lineup.members(rule.a);
  const others = rule.b ? lineup.members(rule.b) : [];
  const edges: UnclassifiedEdge[] = [];
  const add = (before: number, after: number) => {
    if (before !== after) edges.push({ before, after, rule });
  };
  // first/last compare with every other known middleware except `b`, which goes above a first
  // ("first after SecurityMiddleware") or below a last.
  const rest = lineup.known.filter((index) => !subjects.includes(index) && !others.includes(index));
  for (const subject of subjects) {
    if (rule.kind === 'before') others.forEach((other) => add(subject, other));
    if (rule.kind === 'first') {
      others.forEach((other) => add(other, subject));
      rest.forEach((index) => add(subject, index));
    }
    if (rule.kind === 'last') {
      others.forEach((other) => add(subject, other));
      rest.forEach((index) => add(index, subject));
    }
  }
  return edges;
}

/** Project middleware must come after what it was seen to use (request.user → AuthenticationMiddleware). */
function inferredEdges(lineup: Lineup): UnclassifiedEdge[] {
  return lineup.entries.flatMap((entry, index) =>
    (entry.inferred ?? []).flatMap(({ after, reason }) => {
      const rule: OrderRule = {
        id: `inferred-after-${after.slice(after.lastIndexOf('.') + 1)}`,
        kind: 'before',
        a: after,
        b: entry.path,
        strength: 'required',
        text: `${lineup.label(index)} must come after ${after.slice(after.lastIndexOf('.') + 1)}: it ${reason}.`,
        sources: [],
      };
      return lineup.members(after).filter((other) => other !== index).map((other): UnclassifiedEdge => ({ before: other, after: index, rule }));
    }),
  );
}

/**
 * "Near the top": the subject precedes its targets (the members of `b`, or every known middleware)
 * except those an explicit rule already puts above it, and those near-the-top themselves that target
 * it in turn (their mutual order is left as written). "Near the bottom" mirrors it.
 */
function nearEdgesOf(rule: OrderRule, nearRules: OrderRule[], lineup: Lineup, explicit: ConstraintGraph): UnclassifiedEdge[] {
  const top = rule.kind === 'top';
  const targetsOf = (nearRule: OrderRule) => (nearRule.b ? lineup.members(nearRule.b) : lineup.known);
  const subjects = lineup.members(rule.a);
  const competesForTheSameEnd = (other: number, subject: number) =>
    nearRules.some((otherRule) => otherRule.kind === rule.kind && lineup.members(otherRule.a).includes(other) && targetsOf(otherRule).includes(subject));
  return subjects.flatMap((subject) =>
    targetsOf(rule)
      .filter((target) => !subjects.includes(target))
      .filter((target) => !(top ? explicit.reaches(target, subject) : explicit.reaches(subject, target)))
      .filter((target) => !competesForTheSameEnd(target, subject))
      .map((target): UnclassifiedEdge => (top ? { before: subject, after: target, rule } : { before: target, after: subject, rule })),
  );
}

/** The written order of every pair that involves a middleware djfix does not know. */
function pinsOf(lineup: Lineup): RuleEdge[] {
  const pins: RuleEdge[] = [];
  for (let after = 1; after < lineup.entries.length; after++) {
    for (let before = 0; before < after; before++) {
      if (lineup.isKnown(before) && lineup.isKnown(after)) continue;
      const unknown = lineup.label(lineup.isKnown(before) ? after : before);
      const rule: OrderRule = {
        id: 'keep-unknown-middleware-in-place',
        kind: 'before',
        a: lineup.entries[before].path,
        b: lineup.entries[after].path,
        strength: 'required',
        text: `djfix moves nothing past ${unknown} for a recommendation: it cannot see what that middleware needs around it.`,
        sources: [],
      };
      pins.push({ before, after, rule, kind: 'pin' });
    }
  }
  return pins;
}

/** The soft edges that lie on no cycle with the hard ones and the other soft ones. */
function settle(size: number, hard: RuleEdge[], soft: RuleEdge[]): RuleEdge[] {
  const component = componentsOf(new ConstraintGraph(size, [...hard, ...soft]));
  return soft.filter((edge) => component[edge.before] !== component[edge.after]);
}

function violated(edges: RuleEdge[]): Violation[] {
  const seen = new Set<string>();
  const found: Violation[] = [];
  for (const edge of edges) {
    const key = `${edge.rule.id}|${edge.before}|${edge.after}`;
    if (edge.after < edge.before && !seen.has(key)) {
      seen.add(key);
      found.push({ rule: edge.rule, before: edge.before, after: edge.after });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------
// The constraint graph

/** All rules asking that `before` precede `after`. */
interface Constraint {
  before: number;
  after: number;
  rules: OrderRule[];
}

class ConstraintGraph {
  readonly outgoing: Constraint[][];
  /** via[u][v]: the last constraint of a shortest chain u → … → v, when u must precede v. */
  private readonly via: Array<Array<Constraint | undefined>>;

  constructor(readonly size: number, edges: RuleEdge[]) {
    this.outgoing = Array.from({ length: size }, () => []);
    const byPair = new Map<string, Constraint>();
    for (const edge of edges) {
      const key = `${edge.before}>${edge.after}`;
      let constraint = byPair.get(key);
      if (!constraint) {
        constraint = { before: edge.before, after: edge.after, rules: [] };
        byPair.set(key, constraint);
        this.outgoing[edge.before].push(constraint);
      }
      if (!constraint.rules.includes(edge.rule)) constraint.rules.push(edge.rule);
    }
    this.via = this.outgoing.map((_, start) => this.shortestChainsFrom(start));
  }

  reaches(from: number, to: number): boolean {
    return this.via[from][to] !== undefined;
  }

  chain(from: number, to: number): Constraint[] {
    const links: Constraint[] = [];
    for (let link = this.via[from][to]; link; link = link.before === from ? undefined : this.via[from][link.before]) links.unshift(link);
    return links;
  }

  private shortestChainsFrom(start: number): Array<Constraint | undefined> {
    const via: Array<Constraint | undefined> = new Array(this.size).fill(undefined);
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      for (const constraint of this.outgoing[queue[head]]) {
        if (via[constraint.after] || constraint.after === start) continue;
        via[constraint.after] = constraint;
        queue.push(constraint.after);
      }
    }
    return via;
  }
}

/** Strongly connected components (Tarjan): entries in one component with others must all precede each other. */
function componentsOf(graph: ConstraintGraph): number[] {
  const component: number[] = new Array(graph.size).fill(-1);
  const index: number[] = new Array(graph.size).fill(-1);
  const low: number[] = new Array(graph.size).fill(0);
  const stack: number[] = [];
  let counter = 0;
  let components = 0;
  const visit = (node: number) => {
    index[node] = low[node] = counter++;
    stack.push(node);
    for (const { after } of graph.outgoing[node]) {
      if (index[after] === -1) {
        visit(after);
        low[node] = Math.min(low[node], low[after]);
      } else if (component[after] === -1) {
        low[node] = Math.min(low[node], index[after]);
      }
    }
    if (low[node] === index[node]) {
      for (let member = stack.pop(); member !== undefined; member = member === node ? undefined : stack.pop()) component[member] = components;
      components++;
    }
  };
  for (let node = 0; node < graph.size; node++) if (index[node] === -1) visit(node);
  return component;
}

function cyclesOf(graph: ConstraintGraph, lineup: Lineup): OrderPlan['conflicts'] {
  const component = componentsOf(graph);
  const cyclic = new Map<number, Constraint[]>();
  for (const constraint of graph.outgoing.flat()) {
    if (component[constraint.before] !== component[constraint.after]) continue;
    cyclic.set(component[constraint.before], [...(cyclic.get(component[constraint.before]) ?? []), constraint]);
  }
  return [...cyclic.values()].map((constraints) => ({
    rules: unique(constraints.flatMap((constraint) => constraint.rules)),
    entries: sortedUnique(constraints.flatMap((constraint) => [constraint.before, constraint.after])),
    message: `Required rules cannot all hold: ${constraints.map((constraint) => describe(constraint, lineup)).join(', ')}. MIDDLEWARE is left unchanged.`,
  }));
}

// ---------------------------------------------------------------------------------------------------
// Fewest moves

/** Two entries in the wrong order: `late` (written after `early`) must precede it, through `chain`. */
interface Misorder {
  early: number;
  late: number;
  chain: Constraint[];
}

function misordersOf(graph: ConstraintGraph): Misorder[] {
  const misorders: Misorder[] = [];
  for (let late = 0; late < graph.size; late++) {
    for (let early = 0; early < late; early++) {
      if (graph.reaches(late, early)) misorders.push({ early, late, chain: graph.chain(late, early) });
    }
  }
  return misorders;
}

/**
 * The entries to move: a cheapest vertex cover of the misorder graph, solved exactly for each
 * connected part by branch and bound. Costs are ordered as (lines moved, entries moved, how late the
 * moved entries are). Undefined when the search would take too long.
 */
function fewestMoves(misorders: Misorder[], lines: number[]): Set<number> | undefined {
  const budget = { steps: SEARCH_STEP_LIMIT };
  const moved = new Set<number>();
  for (const part of connectedParts(misorders, lines.length)) {
    const vertices = sortedUnique(part.flatMap((misorder) => [misorder.early, misorder.late]));
    const count = vertices.length;
    // Each weight outbids every sum of the ones below it.
    const entryWeight = (count * (count + 1)) / 2 + 1;
    const lineWeight = entryWeight * (count + 1);
    const weights = vertices.map((entry, rank) => lines[entry] * lineWeight + entryWeight + rank);
    const local = (entry: number) => vertices.indexOf(entry);
    const cover = cheapestCover(weights, part.map((misorder) => [local(misorder.early), local(misorder.late)]), budget);
    if (!cover) return undefined;
    cover.forEach((vertex) => moved.add(vertices[vertex]));
  }
  return moved;
}

function connectedParts(misorders: Misorder[], size: number): Misorder[][] {
  const root = Array.from({ length: size }, (_, index) => index);
  const find = (node: number): number => (root[node] === node ? node : (root[node] = find(root[node])));
  for (const { early, late } of misorders) root[find(early)] = find(late);
  const parts = new Map<number, Misorder[]>();
  for (const misorder of misorders) parts.set(find(misorder.early), [...(parts.get(find(misorder.early)) ?? []), misorder]);
  return [...parts.values()];
}

function cheapestCover(weights: number[], edges: Array<[number, number]>, budget: { steps: number }): number[] | undefined {
  const inCover: boolean[] = weights.map(() => false);
  let best: { cost: number; cover: number[] } | undefined;
  // Each disjoint open edge needs one of its ends: a lower bound on what is left to pay.
  const lowerBound = (open: Array<[number, number]>) => {
    const used = new Set<number>();
    let bound = 0;
    for (const [u, v] of open) {
      if (used.has(u) || used.has(v)) continue;
      used.add(u).add(v);
      bound += Math.min(weights[u], weights[v]);
    }
    return bound;
  };
  const search = (cost: number): boolean => {
    if (--budget.steps < 0) return false;
    const open = edges.filter(([u, v]) => !inCover[u] && !inCover[v]);
    if (open.length === 0) {
      if (!best || cost < best.cost) best = { cost, cover: weights.map((_, vertex) => vertex).filter((vertex) => inCover[vertex]) };
      return true;
    }
    if (best && cost + lowerBound(open) >= best.cost) return true;
    const degree = weights.map(() => 0);
    for (const [u, v] of open) {
      degree[u]++;
      degree[v]++;
    }
    const pivot = degree.indexOf(Math.max(...degree));
    // Either the pivot moves, or it stays and everything it is misordered with moves.
    inCover[pivot] = true;
    const movedPivot = search(cost + weights[pivot]);
    inCover[pivot] = false;
    if (!movedPivot) return false;
    const neighbours = sortedUnique(open.filter((edge) => edge.includes(pivot)).map(([u, v]) => (u === pivot ? v : u)));
    neighbours.forEach((vertex) => (inCover[vertex] = true));
    const keptPivot = search(cost + neighbours.reduce((sum, vertex) => sum + weights[vertex], 0));
    neighbours.forEach((vertex) => (inCover[vertex] = false));
    return keptPivot;
  };
  return search(0) ? best?.cover : undefined;
}

/**
 * The final order: the entries that stay, in their original order, with each moved entry inserted at
 * the allowed slot closest to where it was written (just before the staying entry that followed it).
 * Moved entries are placed in constraint order, so every slot range is non-empty.
 */
function placeMoved(size: number, moved: Set<number>, graph: ConstraintGraph): number[] {
  const order = [...Array(size).keys()].filter((entry) => !moved.has(entry));
  const pending = [...moved].sort((x, y) => x - y);
  while (pending.length > 0) {
    const next = pending.find((entry) => !pending.some((other) => graph.reaches(other, entry)));
    if (next === undefined) throw new Error('cyclic constraints reached placement');
    pending.splice(pending.indexOf(next), 1);
    let lowest = 0;
    let highest = order.length;
    order.forEach((entry, slot) => {
      if (graph.reaches(entry, next)) lowest = Math.max(lowest, slot + 1);
      if (graph.reaches(next, entry)) highest = Math.min(highest, slot);
    });
    const written = order.findIndex((entry) => !moved.has(entry) && entry > next);
    const natural = written === -1 ? order.length : written;
    order.splice(Math.min(Math.max(natural, lowest), highest), 0, next);
  }
  return order;
}

/**
 * Each moved entry's direction and anchor, taken against the entries that stayed (which keep their
 * order), and why it moved: the rules it broke that the new order repairs, else those it keeps with an
 * entry that moves. A broken pair is cited once: under the entry that moved, or the first of the two
 * when both did. In a cheapest cover every moved entry is misordered with one that stays, so it always
 * passes at least one staying entry.
 */
function describeMoves(moved: Set<number>, order: number[], active: RuleEdge[], misorders: Misorder[], rules: OrderRule[]): Move[] {
  const position = positionsOf(order);
  const staying = order.filter((entry) => !moved.has(entry));
  const stayingBefore = (entry: number, at: (other: number) => number) => staying.filter((other) => at(other) < at(entry)).length;
  const ruleRank = (rule: OrderRule) => (rules.includes(rule) ? rules.indexOf(rule) : rules.length);
  const citedBy = (edge: RuleEdge) => (moved.has(edge.after) ? edge.after : edge.before);
  return [...moved]
    .sort((x, y) => x - y)
    .map((entry): Move => {
      const before = stayingBefore(entry, (other) => other);
      const after = stayingBefore(entry, (other) => position[other]);
      if (before === after) throw new Error(`entry ${entry} was planned to move but passes no entry that stays`);
      const repairs = unique(active.filter((edge) => edge.after < edge.before && citedBy(edge) === entry).map((edge) => edge.rule)).sort((x, y) => ruleRank(x) - ruleRank(y));
      const keeps =
        repairs.length > 0
          ? []
          : misorders
              .filter((misorder) => (misorder.early === entry && !moved.has(misorder.late)) || (misorder.late === entry && !moved.has(misorder.early)))
              .map((misorder) => (misorder.late === entry ? misorder.chain[0] : misorder.chain[misorder.chain.length - 1]))
              .flatMap((link) => link.rules.map((rule) => ({ rule, with: link.before === entry ? link.after : link.before })));
      return {
        entry,
        direction: after < before ? 'up' : 'down',
        anchor: after < before ? staying[after] : staying[after - 1],
        repairs,
        keeps: keeps.filter((keep, index) => keeps.findIndex((other) => other.rule === keep.rule && other.with === keep.with) === index),
      };
    });
}

// ---------------------------------------------------------------------------------------------------

function positionsOf(order: number[]): number[] {
  const position: number[] = [];
  order.forEach((entry, slot) => (position[entry] = slot));
  return position;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function sortedUnique(numbers: number[]): number[] {
  return unique(numbers).sort((x, y) => x - y);
}

function describe(constraint: Constraint, lineup: Lineup): string {
  return `${lineup.label(constraint.before)} before ${lineup.label(constraint.after)} (${constraint.rules.map((rule) => rule.id).join(', ')})`;
}
