// The facts of class bodies and literals, most of what a file tells the index: they are read with a
// tree cursor, which creates no node objects (a node object per statement cost more than parsing).
import type { CallFact, ClassFact, Literal } from './facts';
import { Cursor, eachField, eachNamedChild, stringValueAt, typeAt } from './parse';

/** A class: its name, bases, attribute assignments, Meta options and methods (the cursor on the class_definition). */
export function classFact(cursor: Cursor): ClassFact {
  const fact: ClassFact = { name: '', line: cursor.startPosition.row + 1, bases: [], attributes: [], meta: {}, methods: [] };
  eachField(cursor, {
    name: () => (fact.name = cursor.nodeText),
    superclasses: () =>
      eachNamedChild(cursor, (type) => {
        if (type !== 'keyword_argument') fact.bases.push(cursor.nodeText);
      }),
    body: () => eachNamedChild(cursor, (type) => classStatement(cursor, type, fact)),
  });
  return fact;
}

/** A statement of a class body: a method, the Meta class, or an attribute assignment. */
function classStatement(cursor: Cursor, type: string, fact: ClassFact): void {
  if (type === 'decorated_definition') {
    eachField(cursor, { definition: () => definitionInClass(cursor, fact) });
  } else if (type === 'function_definition' || type === 'class_definition') {
    definitionInClass(cursor, fact);
  } else if (type === 'expression_statement') {
    const line = cursor.startPosition.row + 1;
    firstNamedChild(cursor, (inner) => {
      const assignment = inner === 'assignment' ? assignmentAt(cursor) : undefined;
      if (assignment) fact.attributes.push({ name: assignment.name, line, value: assignment.value, call: assignment.call });
    });
  }
}

function definitionInClass(cursor: Cursor, fact: ClassFact): void {
  const type = typeAt(cursor);
  const isClass = type === 'class_definition';
  if (!isClass && type !== 'function_definition') return;
  let name: string | undefined;
  const readName = () => (name = cursor.nodeText);
  if (!isClass) {
    // A method's name is all it tells: its parameters and body are not walked.
    eachField(cursor, { name: readName });
    fact.methods.push(name ?? '');
    return;
  }
  eachField(cursor, {
    name: readName,
    body: () => {
      if (name === 'Meta') eachNamedChild(cursor, () => firstNamedChild(cursor, (inner) => metaOption(cursor, inner, fact)));
    },
  });
}

function metaOption(cursor: Cursor, type: string, fact: ClassFact): void {
  const assignment = type === 'assignment' ? assignmentAt(cursor, false) : undefined;
  if (assignment) fact.meta[assignment.name] = assignment.value;
}

/** Calls `visit` with the cursor on the first named child of the node it is on, if it has one. */
function firstNamedChild(cursor: Cursor, visit: (type: string) => void): void {
  eachNamedChild(cursor, (type) => {
    visit(type);
    return 'stop';
  });
}

/** Whether a class attribute's callee may declare a model field: `...Field`, `...Key`, `...Relation`. */
export function declaresField(callee: string): boolean {
  return /(Field|Key|Relation)$/.test(callee.slice(callee.lastIndexOf('.') + 1));
}

/** Values a class attribute holds as text (see ClassAttributeFact). */
const KEPT_AS_TEXT = new Set(['list', 'tuple', 'dictionary']);

/** `name = value` (the cursor on the assignment): the name, the value as a literal and, for a call, the call. */
function assignmentAt(cursor: Cursor, withCall = true): { name: string; value: Literal; call?: CallFact } | undefined {
  let left: { type: string; text: string } | undefined;
  let value: Literal | undefined;
  let call: CallFact | undefined;
  eachField(cursor, {
    left: () => (left = { type: typeAt(cursor), text: cursor.nodeText }),
    right: () => {
      const type = typeAt(cursor);
      value = KEPT_AS_TEXT.has(type) ? { kind: 'expr', text: cursor.nodeText } : literalAt(cursor);
      if (withCall && type === 'call') call = callFactAt(cursor);
    },
  });
  return left?.type === 'identifier' && value ? { name: left.text, value, call } : undefined;
}

function callFactAt(cursor: Cursor): CallFact {
  const fact: CallFact = { callee: '', args: [], kwargs: {} };
  eachField(cursor, {
    function: () => (fact.callee = cursor.nodeText),
    arguments: () => {
      if (!declaresField(fact.callee)) return;
      eachNamedChild(cursor, (type) => {
        if (type === 'keyword_argument') keywordArgument(cursor, fact);
        else if (type !== 'comment') fact.args.push(literalAt(cursor));
      });
    },
  });
  return fact;
}

function keywordArgument(cursor: Cursor, fact: CallFact): void {
  let name: string | undefined;
  let value: Literal | undefined;
  eachField(cursor, { name: () => (name = cursor.nodeText), value: () => (value = literalAt(cursor)) });
  if (name && value) fact.kwargs[name] = value;
}

/** A Python literal (the cursor on it) as data, or its source text when it is not a literal. */
export function literalAt(cursor: Cursor): Literal {
  const type = typeAt(cursor);
  switch (type) {
    case 'string': {
      const value = stringValueAt(cursor);
      return value === undefined ? { kind: 'expr', text: cursor.nodeText } : { kind: 'str', value };
    }
    case 'integer':
    case 'float': {
      const text = cursor.nodeText;
      const value = Number(text.replace(/_/g, ''));
      return Number.isFinite(value) ? { kind: 'num', value } : { kind: 'expr', text };
    }
    case 'true':
    case 'false':
      return { kind: 'bool', value: type === 'true' };
    case 'none':
      return { kind: 'none' };
    case 'list':
    case 'tuple': {
      const items: Literal[] = [];
      eachNamedChild(cursor, (child) => {
        if (child !== 'comment') items.push(literalAt(cursor));
      });
      return { kind: type, items };
    }
    case 'parenthesized_expression': {
      let count = 0;
      let only: Literal | undefined;
      eachNamedChild(cursor, (child) => {
        if (child === 'comment') return undefined;
        if (++count > 1) return 'stop';
        only = literalAt(cursor);
      });
      return count === 1 ? only! : { kind: 'expr', text: cursor.nodeText };
    }
    case 'dictionary': {
      let plain = true;
      eachNamedChild(cursor, (child) => (child !== 'pair' && child !== 'comment' ? ((plain = false), 'stop') : undefined));
      if (!plain) return { kind: 'expr', text: cursor.nodeText };
      const entries: Array<[Literal, Literal]> = [];
      eachNamedChild(cursor, (child) => {
        if (child === 'pair') entries.push(pairAt(cursor));
      });
      return { kind: 'dict', entries };
    }
    default:
      return { kind: 'expr', text: cursor.nodeText };
  }
}

function pairAt(cursor: Cursor): [Literal, Literal] {
  let key: Literal | undefined;
  let value: Literal | undefined;
  eachField(cursor, { key: () => (key = literalAt(cursor)), value: () => (value = literalAt(cursor)) });
  return [key!, value!];
}
