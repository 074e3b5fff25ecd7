// Plans a new MIDDLEWARE order from the rules in rules.ts: pure data in, data out, no tree-sitter, no
// file system. The transform turns the plan into edits and messages.
//
// How a plan is made:
// 1. Every applicable rule becomes constraints "entry i before entry j". Position rules (top, bottom)
//    are resolved last, against the reachability of the explicit ones (before, first, last), so that
//    "near the top" yields to anything another rule puts above it (see RuleKind in rules.ts).
// 2. Required rules (conditional ones whose setting holds, and requirements inferred for project
//    middleware) that form a cycle cannot all hold: the plan reports them and changes nothing.
// 3. A recommendation that lies on a cycle with the required rules or with other recommendations is
//    dropped pair by pair and reported: it is never applied against a required rule, and two
//    recommendations that disagree (CorsMiddleware and WhiteNoise both wanting to be first after
//    Security) leave the pair as written.
// 4. The entries that stay put form the largest subsequence of the original list whose order the
//    constraints allow (transitively, through entries in between); the others move, each to the
//    allowed slot closest to where it was. Finding that subsequence is a minimum vertex cover of the
//    "these two are in the wrong order" graph, solved exactly per connected part; when several covers
//    move equally many entries, djfix prefers not to move bystanders (an entry whose only stake is
//    another middleware's position rule) and then to move later entries, keeping the top as written.
import { KNOWN_MIDDLEWARE, MIDDLEWARE, MIDDLEWARE_GROUPS, MIDDLEWARE_RULES, type OrderRule } from './rules';

export interface PlanEntry {
  /** As written in settings (used for messages). */
  path: string;
  /** The known dotted paths this entry counts as: itself, plus the known middleware it subclasses. */
  identities: string[];
  /** Requirements inferred for project middleware, e.g. reads request.user → after AuthenticationMiddleware. */
  inferred?: Array<{ after: string; reason: string }>;
}

export interface PlanContext {
  /** Literal settings of the same module, e.g. `{ CSRF_USE_SESSIONS: true }`. */
  settings: Record<string, unknown>;
  /** Target Django version; null means the latest. */
  django: [number, number] | null;
  /** Only required rules (and conditional ones that apply): no recommendations. */
  requiredOnly: boolean;
}

export interface Move {
  entry: number;
  from: number;
  to: number;
  /** Why it moved: the rules that put it in the wrong order relative to the entries that stayed. */
  rules: OrderRule[];
  /** True when every one of those rules is only a recommendation. */
  recommendedOnly: boolean;
}

export interface OrderPlan {
  /** A permutation of entry indices: the new order (the identity when nothing moves). */
  order: number[];
  moves: Move[];
  /** Rules the original order breaks (among those the plan enforces). */
  violations: Array<{ rule: OrderRule; entries: number[] }>;
  /** Rules that cannot all hold. When required rules conflict, `order` is the identity. */
  conflicts: Array<{ rules: OrderRule[]; entries: number[]; message: string }>;
  /** Recommendations not applied because they contradict required rules or each other. */
  droppedRecommendations: Array<{ rule: OrderRule; message: string }>;
}

/** Past this many search steps the fewest-moves search gives up and the plan changes nothing. */
const SEARCH_STEP_LIMIT = 200_000;

const KNOWN = new Set(KNOWN_MIDDLEWARE);

export function planOrder(entries: PlanEntry[], context: PlanContext, rules: OrderRule[] = MIDDLEWARE_RULES): OrderPlan {
  const lineup = new Lineup(entries);
  const applicable = rules.filter((rule) => applies(rule, context));
  const explicitEdges = [
    ...applicable.filter((rule) => !isNearRule(rule)).flatMap((rule) => explicitEdgesOf(rule, lineup)),
    ...inferredEdges(lineup),
  ];
  const explicitGraph = new ConstraintGraph(entries.length, explicitEdges);
  const nearRules = applicable.filter(isNearRule);
  const edges = [...explicitEdges, ...nearRules.flatMap((rule) => nearEdgesOf(rule, nearRules, lineup, explicitGraph))];

  const identity = entries.map((_, index) => index);
  const requiredEdges = edges.filter((edge) => edge.rule.strength !== 'recommended');
  const requiredConflicts = cyclesOf(new ConstraintGraph(entries.length, requiredEdges), lineup);
  if (requiredConflicts.length > 0) {
    return { order: identity, moves: [], violations: violationsOf(requiredEdges), conflicts: requiredConflicts, droppedRecommendations: [] };
  }

  const settled = settleRecommendations(lineup, requiredEdges, edges.filter((edge) => edge.rule.strength === 'recommended'));
  const activeEdges = [...requiredEdges, ...settled.kept];
  const plan: OrderPlan = {
    order: identity,
    moves: [],
    violations: violationsOf(activeEdges),
    conflicts: settled.conflicts,
    droppedRecommendations: settled.dropped,
  };
  if (plan.violations.length === 0) return plan;

  const graph = new ConstraintGraph(entries.length, activeEdges);
  const misorders = misordersOf(graph);
  const moved = fewestMoves(misorders, entries.length);
  if (!moved) {
    const entriesInvolved = sortedUnique(misorders.flatMap((misorder) => [misorder.early, misorder.late]));
    plan.conflicts.push({
      rules: [],
      entries: entriesInvolved,
      message: `Too many interdependent ordering constraints (${entriesInvolved.length} entries) to find the fewest moves; MIDDLEWARE is left unchanged.`,
    });
    return plan;
  }
  plan.order = placeMoved(entries.length, moved, graph);
  const ruleOrder = unique(edges.map((edge) => edge.rule));
  plan.moves = [...moved].sort((x, y) => x - y).map((entry) => {
    const reasons = reasonsForMove(entry, moved, misorders, ruleOrder);
    return { entry, from: entry, to: plan.order.indexOf(entry), rules: reasons, recommendedOnly: reasons.every((rule) => rule.strength === 'recommended') };
  });
  return plan;
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

/** One rule's demand that entry `before` precede entry `after`. */
interface RuleEdge {
  before: number;
  after: number;
  rule: OrderRule;
  /** Which end the rule is about; the other end is a bystander (e.g. what SecurityMiddleware must precede). */
  about: 'before' | 'after' | 'both';
}

/** The entries as the rules see them. */
class Lineup {
  readonly names: Array<Set<string>>;
  readonly known: number[];

  constructor(readonly entries: PlanEntry[]) {
    this.names = entries.map((entry) => new Set([entry.path, ...entry.identities]));
    this.known = this.indices().filter((index) => [...this.names[index]].some((name) => KNOWN.has(name)));
  }

  /** Entries that are the middleware `name`, or a member of the group `name`. */
  members(name: string): number[] {
    const paths = name.startsWith('@') ? MIDDLEWARE_GROUPS[name] ?? [] : [name];
    return this.indices().filter((index) => paths.some((path) => this.names[index].has(path)));
  }

  label(index: number): string {
    const path = this.entries[index].path;
    return KNOWN.has(path) ? path.slice(path.lastIndexOf('.') + 1) : path;
  }

  private indices(): number[] {
    return this.entries.map((_, index) => index);
  }
}

function applies(rule: OrderRule, context: PlanContext): boolean {
  if (context.requiredOnly && rule.strength === 'recommended') return false;
  if (rule.when && context.settings[rule.when.setting] !== rule.when.equals) return false;
  if (rule.minDjango && context.django) {
    const [major, minor] = context.django;
    const [minMajor, minMinor] = rule.minDjango;
    if (major < minMajor || (major === minMajor && minor < minMinor)) return false;
  }
  return true;
}

function isNearRule(rule: OrderRule): boolean {
  return rule.kind === 'top' || rule.kind === 'bottom';
}

function explicitEdgesOf(rule: OrderRule, lineup: Lineup): RuleEdge[] {
  const subjects = lineup.members(rule.a);
  const others = rule.b ? lineup.members(rule.b) : [];
  const edges: RuleEdge[] = [];
  const add = (before: number, after: number, about: RuleEdge['about']) => {
    if (before !== after) edges.push({ before, after, rule, about });
  };
  // first/last compare with every other known middleware except `b`, which goes above a first
  // ("first after SecurityMiddleware") or below a last.
  const rest = lineup.known.filter((index) => !subjects.includes(index) && !others.includes(index));
  for (const subject of subjects) {
    if (rule.kind === 'before') others.forEach((other) => add(subject, other, 'both'));
    if (rule.kind === 'first') {
      others.forEach((other) => add(other, subject, 'after'));
      rest.forEach((index) => add(subject, index, 'before'));
    }
    if (rule.kind === 'last') {
      others.forEach((other) => add(subject, other, 'before'));
      rest.forEach((index) => add(index, subject, 'after'));
    }
  }
  return edges;
}

/** Project middleware must come after what it was seen to use (request.user → AuthenticationMiddleware). */
function inferredEdges(lineup: Lineup): RuleEdge[] {
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
      return lineup.members(after).filter((other) => other !== index).map((other): RuleEdge => ({ before: other, after: index, rule, about: 'after' }));
    }),
  );
}

/**
 * "Near the top": the subject precedes its targets (the members of `b`, or every known middleware)
 * except those an explicit rule already puts above it, and those near-the-top themselves that target
 * it in turn (their mutual order is left as written). "Near the bottom" mirrors it.
 */
function nearEdgesOf(rule: OrderRule, nearRules: OrderRule[], lineup: Lineup, explicit: ConstraintGraph): RuleEdge[] {
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
      .map((target): RuleEdge => (top ? { before: subject, after: target, rule, about: 'before' } : { before: target, after: subject, rule, about: 'after' })),
  );
}

// ---------------------------------------------------------------------------------------------------
// The constraint graph

/** All rules asking that `before` precede `after`. */
interface Constraint {
  before: number;
  after: number;
  rules: OrderRule[];
  aboutBefore: boolean;
  aboutAfter: boolean;
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
        constraint = { before: edge.before, after: edge.after, rules: [], aboutBefore: false, aboutAfter: false };
        byPair.set(key, constraint);
        this.outgoing[edge.before].push(constraint);
      }
      if (!constraint.rules.includes(edge.rule)) constraint.rules.push(edge.rule);
      constraint.aboutBefore ||= edge.about !== 'after';
      constraint.aboutAfter ||= edge.about !== 'before';
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

/** Keeps the recommendations that agree with the required rules and with each other. */
function settleRecommendations(lineup: Lineup, required: RuleEdge[], recommended: RuleEdge[]) {
  const size = lineup.entries.length;
  const requiredGraph = new ConstraintGraph(size, required);
  const component = componentsOf(new ConstraintGraph(size, [...required, ...recommended]));
  const onCycle = (edge: RuleEdge) => component[edge.before] === component[edge.after];
  const kept = recommended.filter((edge) => !onCycle(edge));
  const contested = recommended.filter(onCycle);
  const againstRequired = (edge: RuleEdge) => requiredGraph.reaches(edge.after, edge.before);
  const disputes = contested.filter((edge) => !againstRequired(edge));

  const reasons = new Map<OrderRule, string[]>();
  for (const edge of contested) {
    const pair = `${lineup.label(edge.before)} before ${lineup.label(edge.after)}`;
    const opponents = againstRequired(edge)
      ? unique(requiredGraph.chain(edge.after, edge.before).flatMap((constraint) => constraint.rules))
      : unique(disputes.filter((other) => other.rule !== edge.rule && component[other.before] === component[edge.before]).map((other) => other.rule));
    // Two demands of one rule can only clash with each other (a middleware listed twice).
    const why = `${pair} contradicts ${againstRequired(edge) ? 'required ' : ''}${ids(opponents.length > 0 ? opponents : [edge.rule])}`;
    reasons.set(edge.rule, [...(reasons.get(edge.rule) ?? []), why]);
  }
  const dropped = [...reasons].map(([rule, whys]) => ({ rule, message: `Not applied: ${unique(whys).join('; ')}.` }));

  const disputesByComponent = new Map<number, RuleEdge[]>();
  for (const edge of disputes) disputesByComponent.set(component[edge.before], [...(disputesByComponent.get(component[edge.before]) ?? []), edge]);
  const conflicts = [...disputesByComponent.values()].map((edges) => {
    const entries = sortedUnique(edges.flatMap((edge) => [edge.before, edge.after]));
    return {
      rules: unique(edges.map((edge) => edge.rule)),
      entries,
      message:
        `Recommendations ${ids(unique(edges.map((edge) => edge.rule)))} contradict each other for ` +
        `${entries.map((entry) => lineup.label(entry)).join(', ')}; their order is left as written.`,
    };
  });
  return { kept, dropped, conflicts };
}

function violationsOf(edges: RuleEdge[]): OrderPlan['violations'] {
  const byRule = new Map<OrderRule, number[]>();
  for (const edge of edges) {
    if (edge.after < edge.before) byRule.set(edge.rule, [...(byRule.get(edge.rule) ?? []), edge.before, edge.after]);
  }
  return [...byRule].map(([rule, entries]) => ({ rule, entries: sortedUnique(entries) }));
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
 * connected part by branch and bound. Costs are ordered as (entries moved, bystanders moved, how early
 * the moved entries are). Undefined when the search would take too long.
 */
function fewestMoves(misorders: Misorder[], size: number): Set<number> | undefined {
  const isAbout = (entry: number, misorder: Misorder) =>
    entry === misorder.late ? misorder.chain[0].aboutBefore : misorder.chain[misorder.chain.length - 1].aboutAfter;
  const bystander = (entry: number) => misorders.every((misorder) => ![misorder.early, misorder.late].includes(entry) || !isAbout(entry, misorder));

  const budget = { steps: SEARCH_STEP_LIMIT };
  const moved = new Set<number>();
  for (const part of connectedParts(misorders, size)) {
    const vertices = sortedUnique(part.flatMap((misorder) => [misorder.early, misorder.late]));
    const count = vertices.length;
    const positionWeight = (count * (count + 1)) / 2 + 1;
    const moveWeight = positionWeight * (count + 1);
    const weights = vertices.map((entry, rank) => moveWeight + (bystander(entry) ? positionWeight : 0) + (count - rank));
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
 * Why `entry` moved: for each entry that stayed and that it was in the wrong order with, the rules of
 * the constraint on `entry` itself that starts the chain between them (the rest of the chain is about
 * other entries).
 */
function reasonsForMove(entry: number, moved: Set<number>, misorders: Misorder[], ruleOrder: OrderRule[]): OrderRule[] {
  const involving = misorders.filter((misorder) => misorder.early === entry || misorder.late === entry);
  const againstStaying = involving.filter((misorder) => !moved.has(misorder.early) || !moved.has(misorder.late));
  const ownLink = ({ late, chain }: Misorder) => (late === entry ? chain[0] : chain[chain.length - 1]);
  const rules = new Set((againstStaying.length > 0 ? againstStaying : involving).flatMap((misorder) => ownLink(misorder).rules));
  return ruleOrder.filter((rule) => rules.has(rule));
}

// ---------------------------------------------------------------------------------------------------

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function sortedUnique(numbers: number[]): number[] {
  return unique(numbers).sort((x, y) => x - y);
}

function describe(constraint: Constraint, lineup: Lineup): string {
  return `${lineup.label(constraint.before)} before ${lineup.label(constraint.after)} (${ids(constraint.rules)})`;
}

function ids(rules: OrderRule[]): string {
  return rules.map((rule) => rule.id).join(', ');
}
