// middleware-order: MIDDLEWARE reordered so every required ordering rule holds, with as few moves as
// possible, and then (as a separate change to review) so the documented recommendations are followed.
// Only a MIDDLEWARE written once as a literal list or tuple of strings is rewritten; a list built at
// run time, or in a class, is evaluated where djfix can follow it and its problems are reported with
// where they come from, never edited.
import { stringItems } from '../../src/facts';
import type { Finding, TextEdit } from '../../src/model';
import type { Node } from '../../src/parse';
import { parsePython, stringValue } from '../../src/parse';
import { resolveClass, settingLiteral } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import { positionOf } from '../../src/source';
import type { AnalysisContext, ParsedFile, Transform } from '../types';
import { conditionSettings, listImporters, pythonValue } from './conditions';
import type { ConditionSetting } from './conditions';
import { buildMiddleware } from './effective';
import type { Build, Change, ClassSetting, ListEntry, Unknown, Variant } from './effective';
import { conditionOf } from './branches';
import { blockSizes, listItems, reorderList } from './list-text';
import { abovePhrase, distinctRules, moveSentence, plural, ruleSentence, sourcesOf, violationSentences } from './messages';
import type { Labels } from './messages';
import { checkOrder, missingForInstalledApps, planOrder } from './plan';
import type { OrderPlan, PlanContext, PlanEntry, Violation } from './plan';
import { collectRequestReads, REQUEST_ATTRIBUTES } from './request-reads';
import { SETTING } from './settings-syntax';
import type { RequestReads } from './request-reads';
import { KNOWN_MIDDLEWARE, MIDDLEWARE_RULES } from './rules';
import type { OrderRule } from './rules';

const ID = 'middleware-order';
const KNOWN = new Set(KNOWN_MIDDLEWARE);

export const middlewareOrder: Transform = {
  id: ID,
  title: "MIDDLEWARE follows Django's documented ordering rules",
  explanation:
    'Django runs MIDDLEWARE top to bottom on the way in and bottom to top on the way out, and several ' +
    'middleware depend on others having run first: AuthenticationMiddleware needs the session, ' +
    'CommonMiddleware needs an activated language, the cache middleware must wrap everything that ' +
    'changes Vary. djfix moves the fewest entries (counting the comment lines that travel with them) ' +
    'that make every required rule hold, and explains every move with the rule it repairs. Recommendations (SecurityMiddleware ' +
    'near the top, fallbacks near the bottom, third-party placements) come as a separate change to ' +
    'review, never against a required rule and never moving an entry past middleware djfix does not ' +
    'know; `--set middleware-order.required-only=true` leaves them out. A conditional rule is applied ' +
    'only when its setting is certain for every settings module that uses the list. Lists built at run ' +
    'time, spread over layered settings or set in a class are checked where djfix can follow them, and ' +
    'reported, not edited.',
  rules: MIDDLEWARE_RULES.map((rule) => ({ id: rule.id, strength: rule.strength, text: rule.text, sources: rule.sources })),
  options: [{ name: 'required-only', type: 'boolean', default: false, description: 'propose only the moves required rules need, never the recommendations' }],
  screen: (text) => text.includes(SETTING),
  mayApply: (file) => file.role === 'settings' && file.screened,
  collect: collectRequestReads,
  analyze,
};

function analyze({ file, index, options, readText }: AnalysisContext): Finding[] {
  const build = buildMiddleware(file.path, file.tree, index, readText);
  if (build.changes.length === 0 && build.classSettings.length === 0) return [];
  const conditions = conditionSettings(index, file.path, readText);
  const context: PlanContext = { settings: statesOf(conditions), django: index.django.version };
  const analysis = new Analysis(file, index, conditions, context);
  const literal = editableLiteral(build, file.path, index, readText);
  if (build.changes.length > 0) {
    if (literal.ok) analysis.literalList(literal.list, literal.entries, options['required-only'] === true);
    else analysis.reportOnly(build, literal.reasons);
  }
  for (const setting of build.classSettings) analysis.classList(setting);
  return analysis.findings;
}

type Editable = { ok: true; list: Node; entries: ListEntry[] } | { ok: false; reasons: string[] };

/**
 * The list djfix may rewrite: MIDDLEWARE set once in this module, unconditionally, to a literal list
 * or tuple of strings that nothing changes afterwards, here or in a settings module that star-imports
 * this one. Otherwise, why not, in the user's words.
 */
function editableLiteral(build: Build, settingsPath: string, index: ProjectIndex, readText: AnalysisContext['readText']): Editable {
  const reasons: string[] = [];
  const literals = build.changes.filter((change) => change.literal && !change.conditional);
  const others = build.changes.filter((change) => !literals.includes(change));
  reasons.push(...others.map((change) => `it is ${change.description}${change.conditional ? ' (inside a conditional block)' : ''}`));
  if (literals.length > 1) reasons.push(`it is set more than once (lines ${literals.map((change) => change.line).join(', ')})`);
  const value = build.variants.length === 1 ? build.variants[0].value : undefined;
  // The list must be the one literal this module sets, unchanged, and each entry one of its own string items.
  const list = build.changes.length === 1 && literals.length === 1 && value?.kind === 'list' && value.literal?.startIndex === literals[0].literal!.startIndex ? value.literal : undefined;
  if (list && value?.kind === 'list') {
    const items = listItems(list);
    const notStrings = items.filter((item) => stringValue(item) === undefined);
    if (notStrings.length > 0) reasons.push(`it holds ${notStrings.map((item) => `${item.text} (line ${item.startPosition.row + 1})`).join(', ')}, not ${notStrings.length === 1 ? 'a plain string' : 'plain strings'}`);
    const repeated = duplicates(value.entries).map((group) => label(group[0].path!));
    if (repeated.length > 0) reasons.push(`it lists ${repeated.join(', ')} more than once`);
    if (reasons.length === 0 && items.length !== value.entries.length) throw new Error('a literal list of strings evaluated to a different number of entries');
  }
  for (const importer of layeredModifiers(settingsPath, index, readText)) reasons.push(`${importer} imports this MIDDLEWARE and builds on it`);
  if (reasons.length === 0 && list && value?.kind === 'list') return { ok: true, list, entries: value.entries };
  return { ok: false, reasons };
}

/**
 * Modules that import the MIDDLEWARE of `settingsPath` (directly or not) and do anything with it other
 * than replace it with a list of plain strings: reordering the list here would reorder theirs too,
 * under changes (an insert at an index, `MIDDLEWARE[2] = ...`) written for the order as it is. A module
 * djfix cannot read counts as one.
 */
function layeredModifiers(settingsPath: string, index: ProjectIndex, readText: AnalysisContext['readText']): string[] {
  return listImporters(index, settingsPath).filter((importer) => {
    const text = readText(importer);
    const tree = text === undefined ? undefined : parsePython(text);
    if (!tree || tree.rootNode.hasError) return true;
    const replaces = (change: Change) => !change.conditional && change.literal !== undefined && listItems(change.literal).every((item) => stringValue(item) !== undefined);
    return buildMiddleware(importer, tree, index, readText).changes.some((change) => !change.starImport && !replaces(change));
  });
}

function statesOf(conditions: Record<string, ConditionSetting>): PlanContext['settings'] {
  return Object.fromEntries(Object.entries(conditions).map(([name, condition]) => [name, condition.state]));
}

/** A middleware's name in messages: the class name of known middleware, else the dotted path as written. */
function label(path: string): string {
  return KNOWN.has(path) ? path.slice(path.lastIndexOf('.') + 1) : path;
}

/** Entries listed more than once, grouped by path. */
function duplicates(entries: ListEntry[]): ListEntry[][] {
  const byPath = new Map<string, ListEntry[]>();
  for (const entry of entries) if (entry.path !== undefined) byPath.set(entry.path, [...(byPath.get(entry.path) ?? []), entry]);
  return [...byPath.values()].filter((group) => group.length > 1);
}

class Analysis {
  readonly findings: Finding[] = [];

  constructor(
    readonly file: ParsedFile,
    readonly index: ProjectIndex,
    readonly conditions: Record<string, ConditionSetting>,
    readonly context: PlanContext,
  ) {}

  /** The list djfix may edit: the required fix, then the recommendations, each its own change. */
  literalList(list: Node, listed: ListEntry[], requiredOnly: boolean): void {
    const sizes = blockSizes(this.file.text, list);
    const entries = listed.map((entry, index) => ({ ...this.planEntryOf(entry), lines: sizes[index] }));
    const labels: Labels = (entry) => label(entries[entry].path);
    for (const message of this.missingOf(entries)) this.add('missing', list, message, MISSING);

    const required = planOrder(entries, this.context, 'required');
    for (const conflict of required.conflicts) {
      this.add('conflict', list, conflict.message, { notFixed: 'the rules cannot all hold; decide the order by hand', sources: sourcesOf(conflict.rules) });
    }
    this.possible(required, labels, list);
    if (required.conflicts.length > 0) return;
    if (required.moves.length > 0) {
      const rules = distinctRules(required.violations);
      const broken = `MIDDLEWARE ${breaksRequired(rules.length)}`;
      const fix = `${broken}; moving ${plural(required.moves.length, 'entry', 'entries')} fixes ${rules.length === 1 ? 'it' : 'them'}. ${required.moves.map((move) => moveSentence(move, labels)).join(' ')}`;
      const reordered = reorderList(this.file.text, list, required.order, required.moves.map((move) => move.entry));
      if (reordered.ok) this.add('order', list, fix, { sources: sourcesOf(rules), change: this.change('safe', reordered.edit) });
      else this.add('order', list, `${broken}: ${violationSentences(required.violations, labels)}`, { notFixed: reordered.reason, sources: sourcesOf(rules) });
    }
    if (requiredOnly) return;

    // Recommendations are planned on the list as the required fix leaves it. Their finding sits on the
    // first entry it moves, after the required one (on the list itself): the engine takes fixes in
    // source order, applies the required one, and re-analyses the file for the rest.
    const fixed = required.order.map((entry) => entries[entry]);
    const recommended = planOrder(fixed, this.context, 'recommended');
    const fixedLabels: Labels = (entry) => label(fixed[entry].path);
    const unmet = recommended.unmet.length > 0 ? ` Not followed: ${violationSentences(recommended.unmet, fixedLabels)} ${blockedBy(recommended.unmet, fixed)}` : '';
    const rules = distinctRules(recommended.violations);
    if (recommended.moves.length === 0) {
      if (unmet) {
        this.add('recommendation', list, `MIDDLEWARE meets the required ordering rules but does not follow ${plural(rules.length, 'recommendation', 'recommendations')}.${unmet}`, {
          notFixed: 'following it would move middleware past one djfix does not know; reorder by hand if that middleware allows it',
          sources: sourcesOf(rules),
        });
      }
      return;
    }
    const order = recommended.order.map((entry) => required.order[entry]);
    const moved = [...required.moves.map((move) => move.entry), ...recommended.moves.map((move) => required.order[move.entry])];
    const at = listed[Math.min(...recommended.moves.map((move) => required.order[move.entry]))].node;
    const moves = recommended.moves.map((move) => moveSentence(move, fixedLabels)).join(' ');
    const followed = rules.filter((rule) => !recommended.unmet.some((violation) => violation.rule === rule));
    const moving = `moving ${plural(recommended.moves.length, 'entry', 'entries')} follows ${followed.length > 0 ? plural(followed.length, 'recommendation', 'recommendations') : 'recommendations in part'}`;
    const message =
      required.moves.length > 0
        ? `After the required fix, ${moving} (a change to review, which includes the required fix). ${moves}${unmet}`
        : `MIDDLEWARE meets the required ordering rules; ${moving} (a change to review). ${moves}${unmet}`;
    const reordered = reorderList(this.file.text, list, order, moved);
    if (reordered.ok) this.add('recommendation', at, message, { sources: sourcesOf(rules), change: this.change('review', reordered.edit) });
    else {
      const notFollowed = `MIDDLEWARE meets the required ordering rules but does not follow ${plural(rules.length, 'recommendation', 'recommendations')}: ${violationSentences(recommended.violations, fixedLabels)}`;
      this.add('recommendation', at, notFollowed, { notFixed: reordered.reason, sources: sourcesOf(rules) });
    }
  }

  /** A list djfix reports on but does not edit: each variant it can evaluate is checked. */
  reportOnly(build: Build, reasons: string[]): void {
    const notFixed = `djfix edits MIDDLEWARE only when it is written once as a literal list of strings and changed nowhere else; here ${reasons.join('; ')}`;
    this.variants(build.variants, 'MIDDLEWARE', notFixed);
    // Missing middleware is this file's to report only when it writes the whole list, in every variant.
    const lists = build.variants.map((variant) => (variant.value?.kind === 'list' ? variant.value.entries : undefined));
    if (lists.some((entries) => entries === undefined || entries.some((entry) => entry.file !== this.file.path))) return;
    const missing = lists.map((entries) => this.missingOf(entries!.map((entry) => this.planEntryOf(entry))));
    for (const message of missing[0].filter((candidate) => missing.every((messages) => messages.includes(candidate)))) this.add('missing', build.changes[0].node, message, MISSING);
  }

  /** MIDDLEWARE in a class body: a literal attribute is checked, a method or property is not. */
  classList(setting: ClassSetting): void {
    const where = `MIDDLEWARE of class ${setting.owner} (line ${setting.line})`;
    if (setting.values.length === 0) {
      this.add('not-checked', setting.node, `${where} is computed by a method or property, which djfix does not evaluate: its order is not checked.`, { notFixed: 'djfix checks class-based settings only when MIDDLEWARE is a list in the class body' });
      return;
    }
    const notFixed = `djfix does not edit class-based settings (django-configurations): a subclass can build on this list (${setting.owner}.MIDDLEWARE + [...]) in ways djfix does not see`;
    this.variants(setting.values.map((value) => ({ value, assumptions: [] })), where, notFixed);
  }

  /** Checks each variant and reports, once, what the entries this file wrote break and what it could not follow. */
  private variants(variants: Variant[], subject: string, notFixed: string): void {
    const reported = new Set<string>();
    const notChecked = (unknown: Unknown, message: string) => {
      const key = `${unknown.file}:${unknown.line}:${unknown.why}`;
      if (unknown.file !== this.file.path || reported.has(key)) return;
      reported.add(key);
      this.add('not-checked', this.lineNode(unknown.line), message, { notFixed: 'djfix checks MIDDLEWARE only where it can follow how the settings build it' });
    };
    for (const variant of variants) {
      if (variant.value?.kind === 'unknown') notChecked(variant.value, `${subject} is not checked: ${variant.value.why} (line ${variant.value.line}).`);
    }
    const lists = variants.filter((variant): variant is Variant & { value: { kind: 'list'; entries: ListEntry[] } } => variant.value?.kind === 'list');
    const found = new Map<string, Found>();
    for (const variant of lists) {
      const entries = variant.value.entries;
      for (const entry of entries) {
        if (!entry.unknown) continue;
        const elsewhere = entry.unknown.line !== entry.line ? ` (line ${entry.unknown.line})` : '';
        notChecked(entry.unknown, `${subject} is checked without ${entry.text} (line ${entry.line}): ${entry.unknown.why}${elsewhere}.`);
      }
      const checked = checkOrder(entries.map((entry) => this.planEntryOf(entry)), this.context);
      const groups: Array<[Strength, Violation[]]> = [['required', checked.required], ['recommended', checked.recommended], ['possible', checked.possible]];
      for (const [strength, violations] of groups) {
        for (const violation of violations) {
          const pair: [ListEntry, ListEntry] = [entries[violation.before], entries[violation.after]];
          if (!pair.some((entry) => entry.file === this.file.path)) continue;
          const key = `${strength}|${violation.rule.id}|${pair.map(entryKey).join('|')}`;
          const seen = found.get(key);
          if (seen) seen.variants.push(variant);
          else found.set(key, { rule: violation.rule, strength, pair, variants: [variant] });
        }
      }
      for (const group of duplicates(entries)) {
        const key = `duplicate|${group.map(entryKey).join('|')}`;
        if (!group.some((entry) => entry.file === this.file.path) || reported.has(key)) continue;
        reported.add(key);
        const at = [...group].reverse().find((entry) => entry.file === this.file.path)!;
        const times = group.length === 2 ? 'twice' : `${group.length} times`;
        this.add('duplicate', at.node, `${subject} lists ${label(group[0].path!)} ${times} (${this.origins(group)}): Django creates and runs it once for each entry.`, {
          notFixed: 'djfix does not remove entries; keep the one whose place the ordering rules agree with',
        });
      }
    }
    // Where djfix can see both entries of a pair (or the whole list), it can tell whether the pair is broken.
    const visible = (item: Found) => lists.filter((variant) => item.pair.every((entry) => variant.value.entries.some((other) => entryKey(other) === entryKey(entry))) || variant.value.entries.every((entry) => !entry.unknown));
    this.reportViolations([...found.values()].map((item) => ({ ...item, when: conditionOf(item.variants, visible(item)) })), subject, notFixed);
  }

  /**
   * One finding per kind of rule, branch condition and line: located at the entry this file wrote last
   * among those involved, which is where the problem was made.
   */
  private reportViolations(found: Array<Found & { when: string }>, subject: string, notFixed: string): void {
    const groups = new Map<string, { strength: Strength; when: string; at: ListEntry; items: Found[] }>();
    for (const item of found) {
      const at = item.pair.filter((entry) => entry.file === this.file.path).sort((x, y) => y.line - x.line)[0];
      const key = `${item.strength}|${item.when}|${at.line}`;
      const group = groups.get(key) ?? { strength: item.strength, when: item.when, at, items: [] };
      group.items.push(item);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const rules = [...new Set(group.items.map((item) => item.rule))];
      const sentences = rules
        .map((rule) => {
          const pairs = group.items.filter((item) => item.rule === rule).map((item) => item.pair);
          return `${ruleSentence(rule)} (here ${abovePhrase(pairs.map(([first, above]): [string, string] => [this.described(first), this.described(above)]))}).`;
        })
        .join(' ');
      const scope = group.when ? `${subject}, ${group.when},` : subject;
      if (group.strength === 'required') {
        this.add('order', group.at.node, `${scope} ${breaksRequired(rules.length)}: ${sentences}`, { notFixed, sources: sourcesOf(rules) });
      } else if (group.strength === 'recommended') {
        this.add('recommendation', group.at.node, `${scope} does not follow ${plural(rules.length, 'recommendation', 'recommendations')} (no required rule is broken by it): ${sentences}`, { notFixed, sources: sourcesOf(rules) });
      } else {
        this.add('possible-order', group.at.node, `${scope} may break ${plural(rules.length, 'conditional rule', 'conditional rules')}: ${this.doubts(rules)} If so: ${sentences}`, {
          notFixed: `${notFixed}; and the rule applies only if the setting holds`,
          sources: sourcesOf(rules),
        });
      }
    }
  }

  /** Pairs that a conditional rule would break if its uncertain setting held. */
  private possible(plan: OrderPlan, labels: Labels, at: Node): void {
    const rules = distinctRules(plan.possible);
    if (rules.length === 0) return;
    this.add('possible-order', at, `MIDDLEWARE may break ${plural(rules.length, 'conditional rule', 'conditional rules')}: ${this.doubts(rules)} If so: ${violationSentences(plan.possible, labels)}`, {
      notFixed: 'djfix applies a conditional rule only when its setting is certain for every settings module that uses this list; until then it moves nothing across the rule, either way',
      sources: sourcesOf(rules),
    });
  }

  /** Why the settings conditional rules read are uncertain: "CSRF_USE_SESSIONS is ..., so djfix cannot tell whether it is True." */
  private doubts(rules: OrderRule[]): string {
    const conditions = new Map(rules.flatMap((rule) => (rule.when ? [[rule.when.setting, rule.when.equals] as const] : [])));
    return [...conditions]
      .map(([name, value]) => `${this.conditions[name]?.doubt ?? `${name} is not certain`}, so djfix cannot tell whether it is ${pythonValue(value)}.`)
      .join(' ');
  }

  private missingOf(entries: PlanEntry[]): string[] {
    const installed = settingLiteral(this.index, 'INSTALLED_APPS', this.file.path);
    const apps = (installed && stringItems(installed)) ?? [];
    return missingForInstalledApps(entries, apps).map((missing) => `${missing.message} (${missing.check})`);
  }

  private change(safety: 'safe' | 'review', edit: TextEdit): Finding['change'] {
    return { safety, files: [{ path: this.file.path, kind: 'edit', edits: [edit] }] };
  }

  private add(code: string, node: Node, message: string, extra: Partial<Finding>): void {
    this.findings.push({ transform: ID, code, location: { path: this.file.path, ...positionOf(this.file.text, node.startIndex) }, message, ...extra });
  }

  private planEntryOf(entry: ListEntry): PlanEntry {
    return entry.path === undefined ? { path: entry.text, identities: [] } : planEntryFor(entry.path, this.index);
  }

  private described(entry: ListEntry): string {
    return `${entry.path === undefined ? entry.text : label(entry.path)} (${this.origin(entry)})`;
  }

  private origin(entry: ListEntry): string {
    return entry.file === this.file.path ? `line ${entry.line}` : `${entry.file}:${entry.line}`;
  }

  /** "lines 3 and 5", or each origin in full when they are not all in this file. */
  private origins(entries: ListEntry[]): string {
    if (entries.some((entry) => entry.file !== this.file.path)) return entries.map((entry) => this.origin(entry)).join(', ');
    const lines = entries.map((entry) => String(entry.line));
    return `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
  }

  private lineNode(line: number): Node {
    let node = this.file.tree.rootNode.descendantForPosition({ row: line - 1, column: 0 });
    while (node.parent && node.parent.type !== 'module' && node.parent.startPosition.row === line - 1) node = node.parent;
    return node;
  }
}

type Strength = 'required' | 'recommended' | 'possible';

/** The headline of required violations, the same whether djfix fixes them or not. */
function breaksRequired(count: number): string {
  return `breaks documented ordering rules (${plural(count, 'required rule', 'required rules')})`;
}

/** A broken pair found in one or more variants. */
interface Found {
  rule: OrderRule;
  strength: Strength;
  /** The entry the rule wants first, and the one above it. */
  pair: [ListEntry, ListEntry];
  variants: Variant[];
}

const MISSING: Partial<Finding> = {
  notFixed: 'djfix does not add middleware: adding one changes behaviour; add it yourself where the rules say',
  sources: ['django/contrib/admin/checks.py'],
};

function entryKey(entry: ListEntry): string {
  return entry.key;
}

/** Why recommendations stay unmet: the middleware djfix does not know that sits between the pair. */
function blockedBy(unmet: Violation[], entries: PlanEntry[]): string {
  const between = new Set<string>();
  for (const violation of unmet) {
    const [from, to] = [Math.min(violation.before, violation.after), Math.max(violation.before, violation.after)];
    for (let entry = from + 1; entry < to; entry++) if (entries[entry].identities.every((name) => !KNOWN.has(name))) between.add(entries[entry].path);
  }
  return between.size > 0
    ? `djfix does not move middleware past ${[...between].join(', ')}: it cannot see what ${between.size === 1 ? 'that middleware needs' : 'those need'} around ${between.size === 1 ? 'it' : 'them'}.`
    : 'djfix does not move middleware past middleware it does not know.';
}

function planEntryFor(path: string, index: ProjectIndex): PlanEntry {
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
