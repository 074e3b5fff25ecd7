// The MIDDLEWARE a settings module ends up with, followed statement by statement at module level:
// assignments, `+=`, append/insert/extend/remove, `[...] + [...]`, `x if c else y`, `*NAME` splats,
// names bound to strings, lists or list positions (here or in a star-imported module), loops that only
// append, and star-imports of other project modules. Every combination of conditional branches that
// changes the result is a variant, with the branches it assumes. What djfix cannot follow (a
// comprehension, a function call, an index it cannot compute) makes the value unknown from that
// statement on, saying where and why; an entry it cannot resolve stays in the list as an opaque entry,
// so the others can still be checked.
import type { Node, Tree } from '../../src/parse';
import { parsePython, stringValue } from '../../src/parse';
import type { ProjectIndex } from '../../src/project/index';
import { resolveImportModule } from '../../src/project/modules';
import { addTrackedNames, assignmentParts, brief, callArguments, classMembers, listMethodCall, SETTING, shape, valueNames, writesIn } from './settings-syntax';

/** Why djfix cannot follow a value: a clause that reads on its own ("X is changed in a loop"). */
export interface Unknown {
  file: string;
  line: number;
  why: string;
}

export interface ListEntry {
  /** The dotted path; undefined for an opaque entry (then `text` is what is written, `unknown` why). */
  path?: string;
  text: string;
  /**
   * Where the entry was put in the list: where it is written, or, for an entry spliced in from a list
   * another module defines (`MIDDLEWARE += BASE`), the statement that splices it.
   */
  file: string;
  line: number;
  /** The list item, argument or splice in `file` that put it there. */
  node: Node;
  /** The same for the same entry in every variant, distinct for distinct entries. */
  key: string;
  unknown?: Unknown;
}

/** A branch a variant depends on, e.g. "`if DEBUG:` (line 12) is true"; `point` is the line of the if or try. */
export interface Assumption {
  file: string;
  point: number;
  text: string;
}

export type Value =
  | { kind: 'str'; entry: ListEntry }
  | { kind: 'int'; value: number }
  | { kind: 'list'; entries: ListEntry[]; /** The list or tuple literal this value is, unchanged. */ literal?: Node }
  | ({ kind: 'unknown' } & Unknown);

export interface Variant {
  /** undefined: MIDDLEWARE is not set in this variant. */
  value?: Value;
  assumptions: Assumption[];
}

/** A module-level statement of the analysed file that sets or changes MIDDLEWARE. */
export interface Change {
  node: Node;
  line: number;
  /** E.g. "changed by MIDDLEWARE.append() at line 6", read after "it is". */
  description: string;
  /** Inside an if/try/loop: it may not run. */
  conditional: boolean;
  /** For `MIDDLEWARE = [...]` (or a tuple): the literal. */
  literal?: Node;
  /** A star-import that brings another module's MIDDLEWARE, rather than a statement that writes it. */
  starImport?: true;
}

/** MIDDLEWARE set in a class body (django-configurations): a class attribute, or a method or property. */
export interface ClassSetting {
  owner: string;
  node: Node;
  line: number;
  /** The attribute's value in each variant of the module where the class is defined; none for a method. */
  values: Value[];
}

export interface Build {
  variants: Variant[];
  changes: Change[];
  classSettings: ClassSetting[];
}

/** Past this many variants the value is reported as unknown rather than checked. */
const MAX_VARIANTS = 32;

interface State {
  names: Map<string, Value>;
  assumptions: Assumption[];
}

interface Outcome {
  value: Value;
  assumptions: Assumption[];
}

interface Shared {
  index: ProjectIndex;
  readText(path: string): string | undefined;
  /** MIDDLEWARE and the names its value is built from. */
  tracked: Set<string>;
  /** Modules being evaluated (for star-import cycles), and those already evaluated. */
  stack: string[];
  done: Map<string, State[]>;
}

export function buildMiddleware(path: string, tree: Tree, index: ProjectIndex, readText: (path: string) => string | undefined): Build {
  const shared: Shared = { index, readText, tracked: new Set([SETTING]), stack: [path], done: new Map() };
  for (const member of classMembers(tree.rootNode)) {
    if (member.value) valueNames(member.value).forEach((name) => shared.tracked.add(name));
  }
  addTrackedNames(tree.rootNode, shared.tracked);
  const top = { changes: [], classSettings: [] };
  const states = new Runner(path, shared, top).block(tree.rootNode.namedChildren, [{ names: new Map(), assumptions: [] }]);
  return { variants: states.map((state) => ({ value: state.names.get(SETTING), assumptions: state.assumptions })), ...top };
}

class Runner {
  /** How many if/try/loop blocks the current statement is inside. */
  private depth = 0;

  /** `top` collects what the analysed file itself does; modules it star-imports run without it. */
  constructor(readonly path: string, readonly shared: Shared, readonly top: { changes: Change[]; classSettings: ClassSetting[] } | undefined) {}

  block(statements: Node[], states: State[]): State[] {
    for (const statement of statements) states = this.limit(this.statement(statement, states), statement);
    return states;
  }

  private statement(node: Node, states: State[]): State[] {
    switch (node.type) {
      case 'expression_statement': {
        const expression = node.firstNamedChild;
        if (expression?.type === 'assignment' || expression?.type === 'augmented_assignment') return this.assignment(node, expression, states);
        if (expression?.type === 'call') return this.call(node, expression, states);
        return states;
      }
      case 'if_statement':
        return this.ifStatement(node, states);
      case 'try_statement':
        return this.tryStatement(node, states);
      case 'with_statement':
        return this.block(node.childForFieldName('body')?.namedChildren ?? [], states);
      case 'for_statement':
      case 'while_statement':
        return this.loop(node, states);
      case 'import_from_statement':
        return this.importFrom(node, states);
      case 'delete_statement':
        return this.deletion(node, states);
      case 'class_definition':
      case 'decorated_definition':
        // A class body runs where the class is defined, with the module's names as they are there.
        for (const member of this.top ? classMembers(node.parent ?? node, node) : []) {
          const values = member.value ? states.flatMap((state) => this.evaluate(member.value!, state).map((outcome) => outcome.value)) : [];
          this.top!.classSettings.push({ owner: member.owner, node: member.node, line: member.node.startPosition.row + 1, values });
        }
        return states;
      default:
        return states;
    }
  }

  private assignment(statement: Node, expression: Node, states: State[]): State[] {
    const { targets, value } = assignmentParts(expression);
    const names = targets.filter((target) => target.type === 'identifier' && this.shared.tracked.has(target.text)).map((target) => target.text);
    const touched = targets.flatMap((target) => (target.type === 'identifier' ? [] : target.descendantsOfType('identifier').map((id) => id.text))).filter((name) => this.shared.tracked.has(name));
    if (!value || names.length + touched.length === 0) return states;
    const line = statement.startPosition.row + 1;
    const operator = expression.type === 'augmented_assignment' ? expression.child(1)?.text ?? '+=' : '=';
    if (touched.includes(SETTING)) this.record(statement, `changed by index or unpacking at line ${line}`);
    else if (operator !== '=' && names.includes(SETTING)) this.record(statement, `extended with ${operator} at line ${line}`);
    else if (names.includes(SETTING)) {
      const literal = targets.length === 1 && (value.type === 'list' || value.type === 'tuple') ? value : undefined;
      this.record(statement, literal ? `set to a list at line ${line}` : `set to \`${shape(value)}\` at line ${line}`, literal);
    }
    return states.flatMap((state) =>
      this.evaluate(value, state).map((outcome) => {
        const next = this.assume(state, outcome.assumptions);
        for (const name of names) {
          if (operator === '=') next.names.set(name, outcome.value);
          else if (operator === '+=') next.names.set(name, this.extend(state.names.get(name), outcome.value, value, statement, name));
          else next.names.set(name, this.unknown(statement, `\`${shape(expression)}\` is an expression djfix does not evaluate`));
        }
        touched.forEach((name) => next.names.set(name, this.unknown(statement, `${name} is changed by index or unpacking`)));
        return next;
      }),
    );
  }

  private call(statement: Node, expression: Node, states: State[]): State[] {
    const method = listMethodCall(expression);
    const line = statement.startPosition.row + 1;
    if (method && this.shared.tracked.has(method.name)) {
      if (method.name === SETTING) this.record(statement, `changed by ${SETTING}.${method.method}() at line ${line}`);
      return states.map((state) => this.listMethod(statement, method, state));
    }
    // A tracked list handed to a function may come back changed.
    const passed = callArguments(expression).filter((arg) => arg.type === 'identifier' && this.shared.tracked.has(arg.text));
    if (passed.length === 0) return states;
    const callee = brief(expression.childForFieldName('function') ?? expression);
    if (passed.some((arg) => arg.text === SETTING)) this.record(statement, `passed to ${callee}() at line ${line}`);
    return states.map((state) => {
      const next = this.assume(state, []);
      passed.forEach((arg) => next.names.set(arg.text, this.unknown(statement, `${arg.text} is passed to ${callee}(), which may change it`)));
      return next;
    });
  }

  private listMethod(statement: Node, { name, method, args }: { name: string; method: string; args: Node[] }, state: State): State {
    const current = state.names.get(name);
    const next = this.assume(state, []);
    const set = (value: Value) => next.names.set(name, value);
    if (current?.kind !== 'list') {
      set(current?.kind === 'unknown' ? current : this.unknown(statement, `${name}.${method}() is called on a value djfix does not know`));
      return next;
    }
    const entries = current.entries;
    if (method === 'append' && args.length === 1) {
      set({ kind: 'list', entries: [...entries, this.entryOf(args[0], state)] });
    } else if (method === 'extend' && args.length === 1) {
      const [outcome] = this.evaluate(args[0], state);
      set({ kind: 'list', entries: [...entries, ...this.entriesOf(outcome.value, args[0])] });
    } else if (method === 'insert' && args.length === 2) {
      const at = this.position(args[0], entries, state);
      if (at === undefined) set(this.unknown(statement, `${name}.insert() puts an entry at a position djfix cannot compute (${brief(args[0])})`));
      else set({ kind: 'list', entries: [...entries.slice(0, at), this.entryOf(args[1], state), ...entries.slice(at)] });
    } else if (method === 'remove' && args.length === 1) {
      const path = this.entryOf(args[0], state).path;
      const at = entries.findIndex((entry) => entry.path !== undefined && entry.path === path);
      // Removing an entry that is not there raises ValueError when the settings are imported.
      if (at === -1) set(this.unknown(statement, `${name}.remove(${brief(args[0])}) removes an entry djfix does not find in the list`));
      else set({ kind: 'list', entries: [...entries.slice(0, at), ...entries.slice(at + 1)] });
    } else {
      set(this.unknown(statement, `${name}.${method}() changes it in a way djfix does not follow`));
    }
    return next;
  }

  private ifStatement(node: Node, states: State[]): State[] {
    if (!this.touches(node)) return states;
    const condition = (part: Node) => brief(part.childForFieldName('condition') ?? part);
    const branches: Array<{ body?: Node | null; text: string }> = [{ body: node.childForFieldName('consequence'), text: `\`if ${condition(node)}:\` (${this.where(node)}) is true` }];
    const alternatives = node.childrenForFieldName('alternative');
    for (const alternative of alternatives) {
      if (alternative.type === 'elif_clause') branches.push({ body: alternative.childForFieldName('consequence'), text: `\`elif ${condition(alternative)}:\` (${this.where(alternative)}) is taken` });
      else branches.push({ body: alternative.childForFieldName('body'), text: `the \`else:\` (${this.where(alternative)}) is taken` });
    }
    if (!alternatives.some((alternative) => alternative.type === 'else_clause')) {
      branches.push({ text: `\`if ${condition(node)}:\` (${this.where(node)}) is false${alternatives.length > 0 ? ' and no elif is taken' : ''}` });
    }
    return this.merge(branches.flatMap((branch) => this.nested(() => this.block(branch.body?.namedChildren ?? [], states.map((state) => this.assume(state, [this.assumption(node, branch.text)]))))));
  }

  private tryStatement(node: Node, states: State[]): State[] {
    if (!this.touches(node)) return states;
    const clause = (type: string) => node.namedChildren.find((child) => child.type === type);
    const blockOf = (part: Node | undefined | null) => (part?.type === 'block' ? part : part?.namedChildren.find((child) => child.type === 'block'))?.namedChildren ?? [];
    const handlers = node.namedChildren.filter((child) => child.type === 'except_clause' || child.type === 'except_group_clause');
    const completed = this.nested(() => this.block(blockOf(clause('else_clause')), this.block(blockOf(node.childForFieldName('body')), states)));
    const outcomes = completed.map((state) => (handlers.length > 0 ? this.assume(state, [this.assumption(node, `the \`try:\` (${this.where(node)}) completes`)]) : state));
    for (const handler of handlers) {
      const header = brief(handler).split(':')[0];
      const assumed = states.map((state) => this.assume(state, [this.assumption(node, `\`${header}:\` (${this.where(handler)}) runs`)]));
      outcomes.push(...this.nested(() => this.block(blockOf(handler), assumed)));
    }
    return this.block(blockOf(clause('finally_clause')), this.merge(outcomes));
  }

  /**
   * A loop runs its body any number of times. A list the body only appends to keeps its entries in
   * order, followed by entries djfix cannot list; anything else it does to a tracked name is unknown.
   */
  private loop(node: Node, states: State[]): State[] {
    const line = node.startPosition.row + 1;
    const mentioned = [...new Set(node.descendantsOfType('identifier').map((id) => id.text))].filter((name) => this.shared.tracked.has(name));
    const written = mentioned.filter((name) => writesIn(node, name).length > 0);
    if (written.length === 0) return states;
    if (written.includes(SETTING)) this.record(node, `extended in the loop at line ${line}`);
    return states.map((state) => {
      const next = this.assume(state, []);
      for (const name of written) {
        const current = state.names.get(name);
        const appendsOnly = writesIn(node, name).every((write) => write.appends);
        if (appendsOnly && current?.kind === 'list') {
          const added = this.opaque(node, { file: this.path, line, why: 'djfix cannot list them' });
          next.names.set(name, { kind: 'list', entries: [...current.entries, { ...added, text: 'the entries the loop adds' }] });
        } else {
          next.names.set(name, current?.kind === 'unknown' ? current : this.unknown(node, `${name} is changed in the loop at line ${line}`));
        }
      }
      return next;
    });
  }

  private importFrom(node: Node, states: State[]): State[] {
    const target = this.importedPath(node);
    const line = node.startPosition.row + 1;
    if (node.namedChildren.some((child) => child.type === 'wildcard_import')) {
      if (!target || this.shared.stack.includes(target)) return states;
      const imported = this.evaluateModule(target);
      if (imported.some((state) => state.names.has(SETTING))) this.record(node, `taken from ${target} (star-import at line ${line})`, undefined, true);
      const combined = states.flatMap((state) =>
        imported.map((other) => {
          const next = this.assume(state, other.assumptions);
          // `import *` copies the public names (settings modules do not set __all__, in practice).
          other.names.forEach((value, name) => !name.startsWith('_') && next.names.set(name, value));
          return next;
        }),
      );
      return this.merge(combined);
    }
    const names = node.childrenForFieldName('name').map((name) =>
      name.type === 'aliased_import' ? { name: name.childForFieldName('name')?.text ?? '', local: name.childForFieldName('alias')?.text ?? '' } : { name: name.text, local: name.text },
    );
    const wanted = names.filter(({ local }) => this.shared.tracked.has(local));
    if (wanted.length === 0) return states;
    if (wanted.some(({ local }) => local === SETTING)) this.record(node, `imported at line ${line}`);
    const imported = target && !this.shared.stack.includes(target) ? this.evaluateModule(target) : [];
    return this.merge(
      states.flatMap((state) =>
        (imported.length > 0 ? imported : [undefined]).map((other) => {
          const next = this.assume(state, other?.assumptions ?? []);
          for (const { name, local } of wanted) next.names.set(local, other?.names.get(name) ?? this.unknown(node, `${local} is imported from a module djfix does not evaluate`));
          return next;
        }),
      ),
    );
  }

  private deletion(node: Node, states: State[]): State[] {
    const names = node.descendantsOfType('identifier').map((id) => id.text).filter((name) => this.shared.tracked.has(name));
    if (names.length === 0) return states;
    if (names.includes(SETTING)) this.record(node, `changed by del at line ${node.startPosition.row + 1}`);
    return states.map((state) => {
      const next = this.assume(state, []);
      names.forEach((name) => next.names.set(name, this.unknown(node, `${name} is changed by del`)));
      return next;
    });
  }

  /** What an expression can evaluate to: one outcome, or one per branch of a conditional expression. */
  private evaluate(node: Node, state: State): Outcome[] {
    const plain = (value: Value): Outcome[] => [{ value, assumptions: [] }];
    const opaqueExpression = () => plain(this.unknown(node, `\`${shape(node)}\` is an expression djfix does not evaluate`));
    switch (node.type) {
      case 'string': {
        const value = stringValue(node);
        return plain(value === undefined ? this.unknown(node, `${brief(node)} is a string djfix does not read (an f-string, or one with escapes)`) : { kind: 'str', entry: this.entry(node, value) });
      }
      case 'integer':
      case 'unary_operator':
      case 'binary_operator': {
        const position = this.integer(node, state);
        if (position !== undefined) return plain({ kind: 'int', value: position });
        if (node.type !== 'binary_operator' || node.childForFieldName('operator')?.text !== '+') return opaqueExpression();
        const [left, right] = [node.childForFieldName('left')!, node.childForFieldName('right')!];
        return this.evaluate(left, state).flatMap((l) =>
          this.evaluate(right, state).map((r) => ({ value: this.sum(l.value, left, r.value, right, node), assumptions: [...l.assumptions, ...r.assumptions] })),
        );
      }
      case 'list':
      case 'tuple':
        return plain({ kind: 'list', entries: node.namedChildren.filter((child) => child.type !== 'comment').flatMap((item) => this.itemEntries(item, state)), literal: node });
      case 'parenthesized_expression': {
        const inner = node.namedChildren.filter((child) => child.type !== 'comment');
        return inner.length === 1 ? this.evaluate(inner[0], state) : opaqueExpression();
      }
      case 'conditional_expression': {
        const [yes, condition, no] = node.namedChildren;
        const branch = (side: Node, truth: string) =>
          this.evaluate(side, state).map((outcome) => ({ value: outcome.value, assumptions: [this.assumption(node, `\`${brief(condition)}\` (${this.where(node)}) is ${truth}`), ...outcome.assumptions] }));
        return [...branch(yes, 'true'), ...branch(no, 'false')];
      }
      case 'identifier':
        return plain(state.names.get(node.text) ?? this.unknown(node, `${node.text} is not set in this module or the modules it star-imports`));
      case 'call': {
        const callee = node.childForFieldName('function')?.text;
        const args = callArguments(node);
        if ((callee === 'list' || callee === 'tuple') && args.length === 1 && args[0].type !== 'keyword_argument') {
          return this.evaluate(args[0], state).map((outcome) => ({ ...outcome, value: outcome.value.kind === 'list' ? { kind: 'list', entries: outcome.value.entries } : outcome.value }));
        }
        const position = this.integer(node, state);
        return position === undefined ? opaqueExpression() : plain({ kind: 'int', value: position });
      }
      default:
        return opaqueExpression();
    }
  }

  private itemEntries(item: Node, state: State): ListEntry[] {
    if (item.type === 'list_splat' && item.namedChildren[0]) {
      const [outcome] = this.evaluate(item.namedChildren[0], state);
      return this.entriesOf(outcome.value, item);
    }
    return [this.entryOf(item, state)];
  }

  /** One list entry written as `node`: a string, or a name bound to one. */
  private entryOf(node: Node, state: State): ListEntry {
    const [outcome] = this.evaluate(node, state);
    const value = outcome.value;
    if (value.kind === 'str' && outcome.assumptions.length === 0) return { ...this.entry(node, value.entry.path!), text: node.text };
    return this.opaque(node, value.kind === 'unknown' ? value : { file: this.path, line: node.startPosition.row + 1, why: `${brief(node)} is not a dotted path djfix can read` });
  }

  /** A value spliced into a list: its entries, or one opaque entry saying why djfix cannot list them. */
  private entriesOf(value: Value, node: Node): ListEntry[] {
    if (value.kind === 'list') {
      return value.entries.map((entry) =>
        entry.file === this.path ? entry : { ...entry, file: this.path, line: node.startPosition.row + 1, node, key: `${this.path}:${node.startIndex}<${entry.key}` },
      );
    }
    return [this.opaque(node, value.kind === 'unknown' ? value : { file: this.path, line: node.startPosition.row + 1, why: `${brief(node)} is not a list` })];
  }

  /** `name += right`: what `name` held, extended; unknown stays unknown. */
  private extend(left: Value | undefined, right: Value, rightNode: Node, at: Node, name: string): Value {
    if (left === undefined) return this.unknown(at, `${name} is extended before it is set`);
    if (left.kind !== 'list') return left.kind === 'unknown' ? left : this.unknown(at, `\`${shape(at)}\` is an expression djfix does not evaluate`);
    return { kind: 'list', entries: [...left.entries, ...this.entriesOf(right, rightNode)] };
  }

  /** `left + right` of lists: an operand djfix cannot list becomes one opaque entry. */
  private sum(left: Value, leftNode: Node, right: Value, rightNode: Node, at: Node): Value {
    if (left.kind === 'str' || right.kind === 'str' || left.kind === 'int' || right.kind === 'int') return this.unknown(at, `\`${shape(at)}\` is an expression djfix does not evaluate`);
    return { kind: 'list', entries: [...this.entriesOf(left, leftNode), ...this.entriesOf(right, rightNode)] };
  }

  /** Where insert() puts an entry, as Python does: negative positions count from the end, and any position is clamped. */
  private position(node: Node, entries: ListEntry[], state: State): number | undefined {
    const raw = this.integer(node, state);
    if (raw === undefined) return undefined;
    const at = raw < 0 ? raw + entries.length : raw;
    return Math.min(Math.max(at, 0), entries.length);
  }

  /** An integer djfix can compute: a literal, a name bound to one, `len(L)`, `L.index("x")`, and sums of those. */
  private integer(node: Node | null, state: State): number | undefined {
    if (!node) return undefined;
    switch (node.type) {
      case 'integer':
        return Number(node.text.replace(/_/g, ''));
      case 'identifier': {
        const value = state.names.get(node.text);
        return value?.kind === 'int' ? value.value : undefined;
      }
      case 'unary_operator': {
        const value = node.text.startsWith('-') ? this.integer(node.childForFieldName('argument'), state) : undefined;
        return value === undefined ? undefined : -value;
      }
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.text;
        const left = this.integer(node.childForFieldName('left'), state);
        const right = this.integer(node.childForFieldName('right'), state);
        if (left === undefined || right === undefined) return undefined;
        return operator === '+' ? left + right : operator === '-' ? left - right : undefined;
      }
      case 'call': {
        const args = callArguments(node);
        if (node.childForFieldName('function')?.text === 'len' && args.length === 1) {
          const value = state.names.get(args[0].text);
          return value?.kind === 'list' ? value.entries.length : undefined;
        }
        const method = listMethodCall(node);
        const value = method && state.names.get(method.name);
        if (method?.method !== 'index' || args.length !== 1 || value?.kind !== 'list') return undefined;
        const path = stringValue(args[0]);
        const at = value.entries.findIndex((entry) => entry.path !== undefined && entry.path === path);
        return at === -1 ? undefined : at;
      }
      default:
        return undefined;
    }
  }

  private evaluateModule(path: string): State[] {
    const done = this.shared.done.get(path);
    if (done) return done;
    const text = this.shared.readText(path);
    let states: State[] = [{ names: new Map(), assumptions: [] }];
    if (text !== undefined) {
      const tree = parsePython(text);
      if (!tree.rootNode.hasError) {
        addTrackedNames(tree.rootNode, this.shared.tracked);
        this.shared.stack.push(path);
        states = new Runner(path, this.shared, undefined).block(tree.rootNode.namedChildren, states);
        this.shared.stack.pop();
      }
    }
    this.shared.done.set(path, states);
    return states;
  }

  private importedPath(node: Node): string | undefined {
    const file = this.shared.index.files[this.path];
    const moduleNode = node.childForFieldName('module_name');
    if (!file || !moduleNode) return undefined;
    let level = 0;
    let module = moduleNode.text;
    if (moduleNode.type === 'relative_import') {
      level = moduleNode.namedChildren.find((child) => child.type === 'import_prefix')?.text.length ?? 0;
      module = moduleNode.namedChildren.find((child) => child.type === 'dotted_name')?.text ?? '';
    }
    const resolved = resolveImportModule({ module, level }, file.module, file.isPackage);
    return resolved === undefined ? undefined : this.shared.index.modules[resolved];
  }

  /** Whether a block can change a tracked name: it mentions one, or star-imports a module. */
  private touches(node: Node): boolean {
    return node.descendantsOfType('identifier').some((id) => this.shared.tracked.has(id.text)) || node.descendantsOfType('wildcard_import').length > 0;
  }

  /** "line 12" in the analysed file, "base.py:12" in a module it imports. */
  private where(node: Node): string {
    const line = node.startPosition.row + 1;
    return this.top ? `line ${line}` : `${this.path}:${line}`;
  }

  private nested<T>(run: () => T): T {
    this.depth++;
    try {
      return run();
    } finally {
      this.depth--;
    }
  }

  private record(node: Node, description: string, literal?: Node, starImport?: true): void {
    this.top?.changes.push({ node, line: node.startPosition.row + 1, description, conditional: this.depth > 0, literal, starImport });
  }

  private entry(node: Node, path: string): ListEntry {
    return { path, text: node.text, file: this.path, line: node.startPosition.row + 1, node, key: `${this.path}:${node.startIndex}` };
  }

  private opaque(node: Node, unknown: Unknown): ListEntry {
    const { file, line, why } = unknown;
    return { text: brief(node), file: this.path, line: node.startPosition.row + 1, node, key: `${this.path}:${node.startIndex}`, unknown: { file, line, why } };
  }

  private unknown(node: Node, why: string): Value {
    return { kind: 'unknown', file: this.path, line: node.startPosition.row + 1, why };
  }

  private assumption(point: Node, text: string): Assumption {
    return { file: this.path, point: point.startPosition.row + 1, text };
  }

  private assume(state: State, assumptions: Assumption[]): State {
    return { names: new Map(state.names), assumptions: [...state.assumptions, ...assumptions] };
  }

  /** States with the same names are one variant, assuming only what all of them assume. */
  private merge(states: State[]): State[] {
    const byKey = new Map<string, State>();
    for (const state of states) {
      const key = stateKey(state);
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, state);
      else seen.assumptions = seen.assumptions.filter((assumption) => state.assumptions.some((other) => sameAssumption(assumption, other)));
    }
    return [...byKey.values()];
  }

  private limit(states: State[], at: Node): State[] {
    if (states.length <= MAX_VARIANTS) return states;
    const names = new Map<string, Value>();
    for (const name of new Set(states.flatMap((state) => [...state.names.keys()]))) {
      const same = new Set(states.map((state) => valueKey(state.names.get(name)))).size === 1;
      names.set(name, same ? states[0].names.get(name)! : this.unknown(at, `${name} depends on more than ${MAX_VARIANTS} combinations of conditional blocks`));
    }
    return [{ names, assumptions: [] }];
  }
}

function sameAssumption(a: Assumption, b: Assumption): boolean {
  return a.file === b.file && a.point === b.point && a.text === b.text;
}

function stateKey(state: State): string {
  return [...state.names.keys()].sort().map((name) => `${name}=${valueKey(state.names.get(name))}`).join(';');
}

function valueKey(value: Value | undefined): string {
  if (!value) return '-';
  if (value.kind === 'unknown') return `?${value.file}:${value.line}:${value.why}`;
  if (value.kind === 'int') return `i${value.value}`;
  if (value.kind === 'str') return `s${value.entry.key}`;
  return `l${value.literal ? value.literal.startIndex : ''}[${value.entries.map((entry) => entry.key).join(',')}]`;
}
