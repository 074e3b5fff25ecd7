// A key expression's shape, independent of layout, quotes and the name the instance has: two
// expressions with the same canonical form build the same key from the same instance. Existing
// receivers are recognised by it, so djfix does not add a second receiver for a key already deleted.
import type { Node } from '../../src/parse';

const AS_TEXT = new Set(['string_content', 'escape_sequence', 'format_specifier', 'type_conversion']);

/** `instance` names the instance in the expression (`instance` in a receiver, `self` in a model method). */
export function canonicalKey(node: Node, instance: string | undefined): string {
  if (node.type === 'identifier') return node.text === instance ? '$' : node.text;
  if (node.type === 'parenthesized_expression' && node.namedChildCount === 1) return canonicalKey(node.namedChildren[0], instance);
  if (node.type === 'comment') return '';
  if (AS_TEXT.has(node.type)) return JSON.stringify(node.text);
  if (node.type === 'string') {
    const prefix = (node.firstChild?.text ?? '').replace(/["']/g, '').toLowerCase();
    const parts = node.children.filter((child) => child.type !== 'string_start' && child.type !== 'string_end');
    return `s${prefix.includes('f') ? 'f' : ''}(${parts.map((part) => canonicalKey(part, instance)).join('')})`;
  }
  if (node.type === 'call') {
    // A key helper is the same helper whether it is called as `user_key` or `keys.user_key`.
    const callee = node.childForFieldName('function')!;
    const name = callee.type === 'attribute' && !rootIs(callee, instance) && callee.childForFieldName('object')?.type !== 'string' ? callee.childForFieldName('attribute')!.text : canonicalKey(callee, instance);
    return `call(${name},${canonicalKey(node.childForFieldName('arguments')!, instance)})`;
  }
  if (node.childCount === 0) return node.text;
  return `${node.type}(${node.children.map((child) => canonicalKey(child, instance)).join(' ')})`;
}

function rootIs(node: Node, name: string | undefined): boolean {
  let root = node;
  while (root.type === 'attribute') root = root.childForFieldName('object')!;
  return root.type === 'identifier' && root.text === name;
}
