// What project-local middleware reads from the request on its way in. `request.user` read there
// needs AuthenticationMiddleware above it; read on the way out (after get_response, in
// process_response) or in process_view (which Django calls after every middleware's request phase)
// it does not.
import type { Node, Tree } from '../../src/parse';
import { query, sameNode } from '../../src/parse';

/** Request attributes set by a middleware, and the middleware that sets each. */
export const REQUEST_ATTRIBUTES: Record<string, string> = {
  user: 'django.contrib.auth.middleware.AuthenticationMiddleware',
  session: 'django.contrib.sessions.middleware.SessionMiddleware',
  LANGUAGE_CODE: 'django.middleware.locale.LocaleMiddleware',
};

export interface RequestRead {
  attribute: string;
  line: number;
  /** The method or function the read is in. */
  where: string;
}

/** Top-level class or function name to the request attributes it reads on the way in. */
export type RequestReads = Record<string, RequestRead[]>;

const READS = query(`(attribute
  object: (identifier) @object
  attribute: (identifier) @attribute (#match? @attribute "^(user|session|LANGUAGE_CODE)$")) @read`, 'collect');
const REQUEST_PHASE = new Set(['process_request']);
const AFTER_REQUEST_PHASE = new Set(['process_view', 'process_response', 'process_exception', 'process_template_response']);

export function collectRequestReads(tree: Tree, text: string): RequestReads | undefined {
  // Only middleware matters here: `.user` alone is in most Django files, so both must be present.
  if (!/get_response|process_request/.test(text) || !/\.(user|session|LANGUAGE_CODE)\b/.test(text)) return undefined;
  const reads: RequestReads = {};
  for (const match of READS.matches(tree.rootNode)) {
    const object = match.captures.find((capture) => capture.name === 'object')!.node;
    const read = match.captures.find((capture) => capture.name === 'read')!.node;
    const attribute = match.captures.find((capture) => capture.name === 'attribute')!.node.text;
    const func = enclosingFunction(read);
    if (!func || object.text !== requestParameter(func)) continue;
    const name = func.childForFieldName('name')?.text ?? '';
    if (AFTER_REQUEST_PHASE.has(name)) continue;
    const topLevel = topLevelDefinition(func);
    if (!topLevel) continue;
    const inClass = topLevel.type === 'class_definition';
    // In __call__ or a factory's inner function, what runs after get_response() is the way out.
    const phaseKnown = REQUEST_PHASE.has(name) || name === '__call__' || (!inClass && !sameNode(func, topLevel));
    if (!phaseKnown || readsAfterGetResponse(func, read)) continue;
    const owner = topLevel.childForFieldName('name')?.text ?? '';
    (reads[owner] ??= []).push({ attribute, line: read.startPosition.row + 1, where: name });
  }
  return Object.keys(reads).length > 0 ? reads : undefined;
}

function enclosingFunction(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition') return current;
  }
  return undefined;
}

function topLevelDefinition(node: Node): Node | undefined {
  let found: Node | undefined;
  for (let current: Node | null = node; current; current = current.parent) {
    if ((current.type === 'function_definition' || current.type === 'class_definition') && current.parent) {
      const holder = current.parent.type === 'decorated_definition' ? current.parent.parent : current.parent;
      if (holder?.type === 'module') found = current;
    }
  }
  return found;
}

/** The name of the request parameter: the first one, or the second in a method. */
function requestParameter(func: Node): string | undefined {
  const parameters = func.childForFieldName('parameters')?.namedChildren.filter((p) => p.type === 'identifier' || p.type === 'typed_parameter') ?? [];
  const names = parameters.map((p) => (p.type === 'identifier' ? p.text : p.namedChildren[0]?.text ?? ''));
  return names[0] === 'self' ? names[1] : names[0];
}

function readsAfterGetResponse(func: Node, read: Node): boolean {
  const calls = query('(call function: [(identifier) (attribute)] @callee (#match? @callee "(^|\\\\.)get_response$")) @call').captures(func);
  return calls.some((capture) => capture.name === 'call' && capture.node.endIndex <= read.startIndex);
}
