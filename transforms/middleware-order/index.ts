// middleware-order: MIDDLEWARE reordered so every documented ordering rule holds, with as few moves
// as possible. Only a single literal list or tuple of strings is rewritten; anything built at run
// time is checked where it can be and reported, never edited.
import { stringItems } from '../../src/facts';
import type { Finding } from '../../src/model';
import type { Node } from '../../src/parse';
import { query, stringValue } from '../../src/parse';
import { resolveClass, settingLiteral, settingStatements } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import { positionOf } from '../../src/source';
import type { AnalysisContext, Transform } from '../types';
import { listItems, reorderList } from './list-text';
import { missingForInstalledApps, planOrder, PlanEntry, OrderPlan } from './plan';
import { collectRequestReads, REQUEST_ATTRIBUTES, RequestReads } from './request-reads';
import { KNOWN_MIDDLEWARE, MIDDLEWARE_RULES } from './rules';

const ID = 'middleware-order';
const KNOWN = new Set(KNOWN_MIDDLEWARE);

const STATEMENTS = query(`[
  (assignment left: (identifier) @name (#eq? @name "MIDDLEWARE")) @assign
  (augmented_assignment left: (identifier) @name (#eq? @name "MIDDLEWARE")) @augment
  (call function: (attribute object: (identifier) @name (#eq? @name "MIDDLEWARE"))) @call
  (subscript value: (identifier) @name (#eq? @name "MIDDLEWARE")) @subscript
]`);

export const middlewareOrder: Transform = {
  id: ID,
  title: "MIDDLEWARE follows Django's documented ordering rules",
  explanation:
    'Django runs MIDDLEWARE top to bottom on the way in and bottom to top on the way out, and several ' +
    'middleware depend on others having run first: AuthenticationMiddleware needs the session, ' +
    'CommonMiddleware needs an activated language, the cache middleware must wrap everything that ' +
    'changes Vary. djfix moves the fewest entries that make every documented rule hold, each with its ' +
    'comments, and explains every move with its rule and source. Recommendations (SecurityMiddleware ' +
    'first, fallbacks last, third-party placements) are applied after the required rules and never ' +
    'against them; `--set middleware-order.required-only=true` limits it to required rules. Lists ' +
    'built at run time are checked and reported, not edited.',
  rules: MIDDLEWARE_RULES.map((rule) => ({ id: rule.id, strength: rule.strength, text: rule.text, sources: rule.sources })),
  mayApply: (file) => file.role === 'settings' && file.text.includes('MIDDLEWARE'),
  collect: collectRequestReads,
  analyze,
};

interface Statement {
  node: Node;
  kind: 'assign' | 'augment' | 'call' | 'subscript';
  conditional: boolean;
  line: number;
}

function analyze({ file, index, options }: AnalysisContext): Finding[] {
  const statements = middlewareStatements(file.tree.rootNode);
  if (statements.length === 0) return [];
  const first = statements[0];
  const at = (node: Node) => ({ path: file.path, ...positionOf(file.text, node.startIndex) });
  const finding = (code: string, node: Node, message: string, extra: Partial<Finding> = {}): Finding => ({ transform: ID, code, location: at(node), message, ...extra });

  const assignment = statements.find((statement) => statement.kind === 'assign');
  const value = assignment?.node.childForFieldName('right');
  const literal = value && (value.type === 'list' || value.type === 'tuple') ? value : undefined;
  const findings: Finding[] = [];
  const entries = literal ? listItems(literal).map((item) => ({ item, path: stringValue(item) })) : [];

  const dynamic = dynamicReasons(statements, literal, entries, file.path, index);
  const strings = entries.filter((entry): entry is { item: Node; path: string } => entry.path !== undefined);
  const planEntries = strings.map((entry) => planEntry(entry.path, index));
  const plan = planOrder(planEntries, {
    settings: literalSettings(index, file.path),
    django: index.django.version,
    requiredOnly: options['required-only'] === true,
  });

  findings.push(...missingEntries(planEntries, index, file.path).map((message) => finding('missing', first.node, message, { notFixed: 'djfix does not add middleware: adding one changes behaviour; add it yourself where the rules say', sources: ['django/contrib/admin/checks.py'] })));
  for (const conflict of plan.conflicts) {
    findings.push(finding('conflict', first.node, conflict.message, { notFixed: 'the rules cannot all hold; decide the order by hand', sources: [...new Set(conflict.rules.flatMap((rule) => rule.sources))] }));
  }
  const inConflict = new Set(plan.conflicts.flatMap((conflict) => conflict.rules.map((rule) => rule.id)));
  for (const dropped of plan.droppedRecommendations.filter((candidate) => !inConflict.has(candidate.rule.id))) {
    findings.push(finding('recommendation-conflict', first.node, dropped.message, { notFixed: 'recommendations that contradict each other or a required rule are not applied', sources: dropped.rule.sources }));
  }
  if (!literal && strings.length === 0) {
    findings.push(finding('dynamic', first.node, 'MIDDLEWARE is built at run time here, so djfix cannot check its order', { notFixed: dynamic.join('; ') }));
    return findings;
  }
  if (plan.moves.length === 0) return findings;
  const explanation = describeMoves(plan, strings.map((entry) => entry.path));
  const sources = [...new Set(plan.moves.flatMap((move) => move.rules.flatMap((rule) => rule.sources)))];
  if (dynamic.length > 0 || !literal || strings.length !== entries.length) {
    findings.push(finding('dynamic', first.node, `MIDDLEWARE breaks documented ordering rules: ${explanation}`, { notFixed: dynamic.join('; '), sources }));
    return findings;
  }
  const reordered = reorderList(file.text, literal, plan.order);
  if (!reordered.ok) {
    findings.push(finding('layout', literal, `MIDDLEWARE breaks documented ordering rules: ${explanation}`, { notFixed: reordered.reason, sources }));
    return findings;
  }
  const safety = plan.moves.some((move) => move.recommendedOnly) ? 'review' : 'safe';
  findings.push(
    finding('order', literal, `MIDDLEWARE breaks documented ordering rules; moving ${plan.moves.length} entr${plan.moves.length === 1 ? 'y' : 'ies'} fixes it: ${explanation}`, {
      sources,
      change: { safety, files: [{ path: file.path, kind: 'edit', edits: [reordered.edit] }] },
    }),
  );
  return findings;
}

function middlewareStatements(root: Node): Statement[] {
  const found: Statement[] = [];
  for (const match of STATEMENTS.matches(root)) {
    const capture = match.captures.find((c) => c.name !== 'name')!;
    const node = capture.node;
    if (found.some((statement) => statement.node.startIndex <= node.startIndex && node.endIndex <= statement.node.endIndex)) continue;
    let conditional = false;
    let inFunction = false;
    for (let parent = node.parent; parent; parent = parent.parent) {
      if (parent.type === 'function_definition' || parent.type === 'class_definition') inFunction = true;
      if (/^(if|try|for|while|with)_statement$|clause$/.test(parent.type)) conditional = true;
    }
    if (inFunction) continue;
    found.push({ node, kind: capture.name as Statement['kind'], conditional, line: node.startPosition.row + 1 });
  }
  return found.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/** Why MIDDLEWARE in this module is not one literal list djfix can safely rewrite. */
function dynamicReasons(statements: Statement[], literal: Node | undefined, entries: Array<{ item: Node; path?: string }>, settingsPath: string, index: ProjectIndex): string[] {
  const reasons: string[] = [];
  if (!literal) reasons.push('MIDDLEWARE is not a literal list or tuple here');
  for (const statement of statements) {
    if (statement.kind === 'augment') reasons.push(`extended with ${statement.node.child(1)?.text ?? '+='} at line ${statement.line}`);
    else if (statement.kind === 'call') reasons.push(`changed by ${statement.node.childForFieldName('function')?.text}() at line ${statement.line}`);
    else if (statement.kind === 'subscript') reasons.push(`changed by index at line ${statement.line}`);
    else if (statement.conditional) reasons.push(`assigned inside a conditional block at line ${statement.line}`);
  }
  if (statements.filter((statement) => statement.kind === 'assign').length > 1) reasons.push('assigned more than once');
  const names = entries.filter((entry) => entry.path === undefined).map((entry) => entry.item.text);
  if (names.length > 0) reasons.push(`holds ${names.join(', ')}, whose value djfix does not follow`);
  for (const other of layeredModifiers(settingsPath, index)) reasons.push(`${other} star-imports these settings and changes MIDDLEWARE further`);
  return reasons;
}

/** Settings files that star-import `settingsPath` (directly or not) and modify, rather than replace, MIDDLEWARE. */
function layeredModifiers(settingsPath: string, index: ProjectIndex): string[] {
  const imports = (candidate: string, seen = new Set<string>()): boolean => {
    if (seen.has(candidate)) return false;
    seen.add(candidate);
    return (index.settings.bases[candidate] ?? []).some((base) => base === settingsPath || imports(base, seen));
  };
  return index.settings.paths.filter((candidate) => {
    if (candidate === settingsPath || !imports(candidate)) return false;
    const found = settingStatements(index, candidate, 'MIDDLEWARE');
    return found?.path === candidate && found.facts.some((fact) => fact.op !== '=' || fact.conditional);
  });
}

function planEntry(path: string, index: ProjectIndex): PlanEntry {
  const identities = [path];
  const queue = [resolveClass(index, path)];
  for (let i = 0; i < queue.length && i < 50; i++) {
    for (const base of index.classes[queue[i]]?.bases ?? []) {
      if (KNOWN.has(base) && !identities.includes(base)) identities.push(base);
      if (!queue.includes(base)) queue.push(base);
    }
  }
  const cut = path.lastIndexOf('.');
  const file = index.modules[path.slice(0, cut)];
  const reads = file ? (index.extra[ID]?.[file] as RequestReads | undefined)?.[path.slice(cut + 1)] : undefined;
  const inferred = [];
  for (const attribute of Object.keys(REQUEST_ATTRIBUTES)) {
    const read = reads?.find((candidate) => candidate.attribute === attribute);
    if (read) inferred.push({ after: REQUEST_ATTRIBUTES[attribute], reason: `reads request.${attribute} in ${read.where}() at ${file}:${read.line}` });
  }
  return { path, identities, inferred };
}

function literalSettings(index: ProjectIndex, settingsPath: string): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const name of ['CSRF_USE_SESSIONS']) {
    const value = settingLiteral(index, name, settingsPath);
    if (value && (value.kind === 'bool' || value.kind === 'str' || value.kind === 'num')) settings[name] = value.value;
  }
  return settings;
}

function missingEntries(entries: PlanEntry[], index: ProjectIndex, settingsPath: string): string[] {
  const installed = settingLiteral(index, 'INSTALLED_APPS', settingsPath);
  const apps = (installed && stringItems(installed)) ?? [];
  return missingForInstalledApps(entries, apps).map((missing) => `${missing.message} (${missing.check})`);
}

function describeMoves(plan: OrderPlan, paths: string[]): string {
  const short = (path: string) => path.split('.').pop()!;
  const sentence = (text: string) => text.replace(/\.$/, '');
  return plan.moves
    .map((move) => {
      const why = move.rules.map((rule) => `${sentence(rule.text)}${rule.strength === 'required' ? '' : ` (${rule.strength})`}`).join('; ');
      return `${short(paths[move.entry])} moves from position ${move.from + 1} to ${move.to + 1}: ${why}.`;
    })
    .join(' ');
}
