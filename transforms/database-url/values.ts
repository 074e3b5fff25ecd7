// What a settings value can be when the settings load: text, a number, a path, None, or something
// djfix cannot tell. Literals are read as they are; a handful of well-known readers of the environment
// (os.environ, os.getenv, django-environ's Env, python-decouple's config) and path builders are
// typed from their documented behaviour; names are followed to their one assignment.
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';
import type { NameScope } from './scope';

export type ValueKind = 'str' | 'int' | 'path' | 'none' | 'bool' | 'other';

export interface Classified {
  /** The source text of the value. */
  text: string;
  kinds: Set<ValueKind>;
  /** The value, when the node is itself a plain literal. */
  literal?: string | number;
  /** Where a name the value goes through was set to a literal string (for the password warning). */
  literalVia?: string;
}

const MAX_DEPTH = 8;
const STRING_METHODS = new Set(['format', 'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'replace', 'join', 'removeprefix', 'removesuffix']);
const PATH_METHODS = new Set(['resolve', 'absolute', 'joinpath', 'with_name', 'with_suffix', 'expanduser']);
const PATH_ATTRIBUTES = new Set(['parent']);
const OS_PATH_FUNCTIONS = new Set(['join', 'abspath', 'realpath', 'normpath', 'expanduser', 'dirname', 'basename']);
const ENV_INSTANCE_CLASSES = new Set(['environ.Env', 'environ.FileAwareEnv', 'environ.environ.Env', 'environ.environ.FileAwareEnv']);

const kinds = (...values: ValueKind[]) => new Set<ValueKind>(values);
const union = (...sets: Array<Set<ValueKind>>) => new Set<ValueKind>(sets.flatMap((set) => [...set]));

export function classify(node: Node, scope: NameScope, depth = 0): Classified {
  const result = classifyKinds(node, scope, depth);
  return { text: node.text, ...result };
}

function classifyKinds(node: Node, scope: NameScope, depth: number): Omit<Classified, 'text'> {
  if (depth > MAX_DEPTH) return { kinds: kinds('other') };
  switch (node.type) {
    case 'string': {
      const prefix = node.firstChild?.text ?? '';
      if (/[bB]/.test(prefix)) return { kinds: kinds('other') };
      const value = stringValue(node);
      return value === undefined ? { kinds: kinds('str') } : { kinds: kinds('str'), literal: value };
    }
    case 'concatenated_string': {
      const parts = node.namedChildren.filter((child) => child.type === 'string').map((child) => classifyKinds(child, scope, depth + 1));
      if (parts.some((part) => !part.kinds.has('str'))) return { kinds: kinds('other') };
      const literals = parts.map((part) => part.literal);
      return literals.every((part): part is string => typeof part === 'string') ? { kinds: kinds('str'), literal: literals.join('') } : { kinds: kinds('str') };
    }
    case 'integer': {
      const value = Number(node.text.replace(/_/g, ''));
      return /^[0-9_]+$/.test(node.text) && Number.isSafeInteger(value) ? { kinds: kinds('int'), literal: value } : { kinds: kinds('int') };
    }
    case 'true':
    case 'false':
      return { kinds: kinds('bool') };
    case 'none':
      return { kinds: kinds('none') };
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((child) => child.type !== 'comment');
      return inner.length === 1 ? classifyKinds(inner[0], scope, depth + 1) : { kinds: kinds('other') };
    }
    case 'identifier':
      return identifier(node, scope, depth);
    case 'binary_operator':
      return { kinds: binary(node, scope, depth) };
    case 'boolean_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (node.childForFieldName('operator')?.text !== 'or' || !left || !right) return { kinds: kinds('other') };
      // `a or b` is b whenever a is falsy: None (and '' or 0) never come out of the left side.
      const leftKinds = new Set(classifyKinds(left, scope, depth + 1).kinds);
      leftKinds.delete('none');
      return { kinds: union(leftKinds, classifyKinds(right, scope, depth + 1).kinds) };
    }
    case 'conditional_expression': {
      const [body, , alternative] = node.namedChildren.filter((child) => child.type !== 'comment');
      if (!body || !alternative) return { kinds: kinds('other') };
      return { kinds: union(classifyKinds(body, scope, depth + 1).kinds, classifyKinds(alternative, scope, depth + 1).kinds) };
    }
    case 'attribute': {
      const object = node.childForFieldName('object');
      const attribute = node.childForFieldName('attribute')?.text ?? '';
      if (object && PATH_ATTRIBUTES.has(attribute) && isOnly(classifyKinds(object, scope, depth + 1).kinds, 'path')) return { kinds: kinds('path') };
      return { kinds: kinds('other') };
    }
    case 'subscript': {
      const value = node.childForFieldName('value');
      return value && qualified(value, scope) === 'os.environ' ? { kinds: kinds('str') } : { kinds: kinds('other') };
    }
    case 'call':
      return { kinds: call(node, scope, depth) };
    default:
      return { kinds: kinds('other') };
  }
}

function isOnly(set: Set<ValueKind>, kind: ValueKind): boolean {
  return set.size === 1 && set.has(kind);
}

function identifier(node: Node, scope: NameScope, depth: number): Omit<Classified, 'text'> {
  const found = scope.assigned(node.text);
  if (!found) return { kinds: kinds('other') };
  const inner = classifyKinds(found.node, found.scope, depth + 1);
  const literalVia = typeof inner.literal === 'string' && inner.literal !== '' ? found.where : inner.literalVia;
  return { kinds: inner.kinds, literalVia };
}

function binary(node: Node, scope: NameScope, depth: number): Set<ValueKind> {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  const operator = node.childForFieldName('operator')?.text;
  if (!left || !right) return kinds('other');
  const leftKinds = classifyKinds(left, scope, depth + 1).kinds;
  const rightKinds = classifyKinds(right, scope, depth + 1).kinds;
  if (operator === '+' && (isOnly(leftKinds, 'str') || isOnly(rightKinds, 'str'))) return kinds('str');
  if (operator === '%' && isOnly(leftKinds, 'str')) return kinds('str');
  // `x / "name"` cannot be arithmetic on text: x is a path (pathlib, or anything that joins like one).
  if (operator === '/' && (isOnly(leftKinds, 'path') || isOnly(rightKinds, 'str'))) return kinds('path');
  return kinds('other');
}

/** A dotted callee or object, qualified through the module's imports (`environ` -> `os.environ`). */
function qualified(node: Node, scope: NameScope): string | undefined {
  if (node.type !== 'identifier' && node.type !== 'attribute') return undefined;
  if (!/^[\w.]+$/.test(node.text)) return undefined;
  const [head, ...rest] = node.text.split('.');
  const bound = scope.bindings[head];
  if (bound) return [bound, ...rest].join('.');
  return scope.assigned(head) ? undefined : node.text;
}

interface Arguments {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` or `**kwargs`: the call's arguments cannot be read. */
  spread: boolean;
}

function argumentsOf(call: Node): Arguments {
  const args: Arguments = { positional: [], keywords: new Map(), spread: false };
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) args.keywords.set(name, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      args.spread = true;
    } else {
      args.positional.push(arg);
    }
  }
  return args;
}

function call(node: Node, scope: NameScope, depth: number): Set<ValueKind> {
  const callee = node.childForFieldName('function');
  if (!callee) return kinds('other');
  const args = argumentsOf(node);
  if (args.spread) return kinds('other');
  const of = (value: Node | undefined) => (value ? classifyKinds(value, scope, depth + 1).kinds : kinds());
  const name = qualified(callee, scope);
  if (name === 'str') return kinds('str');
  if (name === 'int') return kinds('int');
  if (name === 'pathlib.Path' || name === 'pathlib.PurePath' || name === 'pathlib.PosixPath') return kinds('path');
  if (name === 'os.environ.get' || name === 'os.getenv') {
    const fallback = args.positional[1] ?? args.keywords.get('default');
    return union(kinds('str'), fallback ? of(fallback) : kinds('none'));
  }
  if (name?.startsWith('os.path.') && OS_PATH_FUNCTIONS.has(name.slice('os.path.'.length))) return kinds('str');
  if (name === 'decouple.config') return decoupleConfig(args, of);
  if (callee.type === 'identifier' && envInstance(callee, scope, depth)) return environCall(args, envInstance(callee, scope, depth)!, of);
  if (callee.type !== 'attribute') return kinds('other');
  const object = callee.childForFieldName('object')!;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  if (object.type === 'identifier' && envInstance(object, scope, depth)) return environMethod(method, args, of);
  const objectKinds = of(object);
  if (PATH_METHODS.has(method) && isOnly(objectKinds, 'path')) return kinds('path');
  if (STRING_METHODS.has(method) && isOnly(objectKinds, 'str')) return kinds('str');
  return kinds('other');
}

/** Whether `node` names a django-environ Env instance. */
export function isEnvInstance(node: Node, scope: NameScope): boolean {
  return node.type === 'identifier' && envInstance(node, scope, 0) !== undefined;
}

/** Names declared with a cast in `environ.Env(NAME=(type, default))`, when `node` names an Env instance. */
function envInstance(node: Node, scope: NameScope, depth: number): { declared: Set<string> } | undefined {
  const found = scope.assigned(node.text);
  if (!found || found.node.type !== 'call' || depth > MAX_DEPTH) return undefined;
  const callee = found.node.childForFieldName('function');
  const name = callee ? qualified(callee, found.scope) : undefined;
  if (!name || !ENV_INSTANCE_CLASSES.has(name)) return undefined;
  return { declared: new Set(argumentsOf(found.node).keywords.keys()) };
}

type KindsOf = (value: Node | undefined) => Set<ValueKind>;

function castKinds(cast: Node | undefined): Set<ValueKind> {
  if (!cast || cast.type === 'none') return kinds('str');
  if (cast.text === 'str') return kinds('str');
  if (cast.text === 'int') return kinds('int');
  return kinds('other');
}

/** django-environ `env(var, cast=None, default=NOTSET)`: the default comes back as given, uncast. */
function environCall(args: Arguments, env: { declared: Set<string> }, of: KindsOf): Set<ValueKind> {
  const variable = args.positional[0] ? stringValue(args.positional[0]) : undefined;
  if (variable === undefined || env.declared.has(variable)) return kinds('other');
  const cast = args.positional[1] ?? args.keywords.get('cast');
  const fallback = args.positional[2] ?? args.keywords.get('default');
  return union(castKinds(cast), of(fallback));
}

/** django-environ `env.str(var, default)` / `env.int(var, default)`. */
function environMethod(method: string, args: Arguments, of: KindsOf): Set<ValueKind> {
  const fallback = args.positional[1] ?? args.keywords.get('default');
  if (method === 'str') return union(kinds('str'), of(fallback));
  if (method === 'int') return union(kinds('int'), of(fallback));
  return kinds('other');
}

/** python-decouple `config(option, default, cast)`: the cast applies to the default too. */
function decoupleConfig(args: Arguments, of: KindsOf): Set<ValueKind> {
  const fallback = args.positional[1] ?? args.keywords.get('default');
  const cast = args.positional[2] ?? args.keywords.get('cast');
  if (cast) return castKinds(cast);
  return union(kinds('str'), of(fallback));
}
