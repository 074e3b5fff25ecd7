// Import cycles among the project's own modules: the graph of imports that run at import time, its
// strongly connected components, and the shortest cycle through an edge (to show a cycle as a chain).
import type { ProjectIndex } from './types';
import { compareText } from '../order';

/** One import statement that makes `from` import `to` while `from` is being imported. */
export interface ImportTimeEdge {
  from: string;
  to: string;
  /** The importing file and the statement's line. */
  path: string;
  line: number;
}

/** A strongly connected component of more than one module: every module in it imports every other, directly or not. */
export interface ImportCycle {
  /** Sorted. */
  modules: string[];
  /** The edges between its modules, sorted by file and line. */
  edges: ImportTimeEdge[];
}

/**
 * The project modules an import statement runs: `import a.b` runs `a.b`; `from m import n` runs `m`,
 * and also `m.n` when that is a module (`from . import models`). Modules outside the project are not
 * part of any cycle djfix can see, and are left out. Parent packages that Python runs first without
 * the statement naming them are left out too: they are in `sys.modules` before any of their
 * submodules runs, so only a name read from them can fail, and that import names them.
 */
export function importTargets(index: ProjectIndex, target: string, names: Array<{ name: string }> | undefined): string[] {
  const targets: string[] = [];
  if (index.modules[target] !== undefined) targets.push(target);
  for (const { name } of names ?? []) {
    const submodule = `${target}.${name}`;
    if (name !== '*' && index.modules[submodule] !== undefined && !targets.includes(submodule)) targets.push(submodule);
  }
  return targets;
}

/**
 * Edges of imports that run while their module is imported: module level and class bodies, inside
 * module-level `try`/`if` too; not inside functions, not under `if TYPE_CHECKING:`.
 */
export function importTimeEdges(index: ProjectIndex): ImportTimeEdge[] {
  // Only a module that others are under can have a submodule that `from m import n` runs: the names
  // of the other imports (most of them, on saleor) are not looked up as modules.
  const parents = new Set<string>();
  for (const module in index.modules) {
    for (let cut = module.lastIndexOf('.'); cut > 0 && !parents.has(module.slice(0, cut)); cut = module.lastIndexOf('.', cut - 1)) parents.add(module.slice(0, cut));
  }
  const edges: ImportTimeEdge[] = [];
  const seen = new Set<string>();
  for (const edge of index.imports) {
    if (edge.scope !== 'module') continue;
    for (const to of importTargets(index, edge.to, parents.has(edge.to) ? edge.names : undefined)) {
      const key = `${edge.from}\0${to}\0${edge.line}`;
      if (to === edge.from || seen.has(key)) continue;
      seen.add(key);
      edges.push({ from: edge.from, to, path: edge.path, line: edge.line });
    }
  }
  return edges.sort(compareEdges);
}

export function compareEdges(a: ImportTimeEdge, b: ImportTimeEdge): number {
  return compareText(a.path, b.path) || a.line - b.line || compareText(a.to, b.to);
}

/**
 * Strongly connected components (Tarjan's algorithm, iterative so that deep import chains cannot
 * overflow the stack). Components come out in reverse topological order; each lists its nodes in the
 * order they were reached.
 */
export function stronglyConnected(nodes: string[], successors: (node: string) => readonly string[]): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (order.has(root)) continue;
    const frames: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    order.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const targets = successors(frame.node);
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!order.has(target)) {
          order.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          frames.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, order.get(target)!));
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === order.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.reverse());
      }
    }
  }
  return components;
}

/** The import cycles of edges, as components of more than one module, sorted by their first module. */
export function cyclesOf(edges: ImportTimeEdge[]): ImportCycle[] {
  const successors = new Map<string, string[]>();
  for (const edge of edges) {
    const targets = successors.get(edge.from) ?? [];
    if (!targets.includes(edge.to)) targets.push(edge.to);
    successors.set(edge.from, targets);
    if (!successors.has(edge.to)) successors.set(edge.to, []);
  }
  const nodes = [...successors.keys()].sort();
  const cycles: ImportCycle[] = [];
  for (const component of stronglyConnected(nodes, (node) => successors.get(node) ?? [])) {
    if (component.length < 2) continue;
    const members = new Set(component);
    cycles.push({ modules: component.sort(), edges: edges.filter((edge) => members.has(edge.from) && members.has(edge.to)) });
  }
  return cycles.sort((a, b) => compareText(a.modules[0], b.modules[0]));
}

/**
 * The project's import cycles, computed once per index and kept in it: the main thread computes them
 * to tell which files need the project-wide plan, before the index goes to the workers, which then
 * need not compute them again.
 */
export function importCycles(index: ProjectIndex): ImportCycle[] {
  return (index.cycles ??= cyclesOf(importTimeEdges(index)));
}

/**
 * The shortest cycle that starts with `through` and returns to its importer over `edges`, as the
 * chain of edges (the first edge of each module pair, by file and line); undefined when there is none.
 */
export function shortestCycle(edges: ImportTimeEdge[], through: ImportTimeEdge): ImportTimeEdge[] | undefined {
  const firstEdge = new Map<string, ImportTimeEdge>();
  const successors = new Map<string, string[]>();
  for (const edge of [...edges].sort(compareEdges)) {
    const key = `${edge.from}\0${edge.to}`;
    if (firstEdge.has(key)) continue;
    firstEdge.set(key, edge);
    successors.set(edge.from, [...(successors.get(edge.from) ?? []), edge.to]);
  }
  const cameFrom = new Map<string, string>([[through.to, '']]);
  const queue = [through.to];
  for (let i = 0; i < queue.length && !cameFrom.has(through.from); i++) {
    for (const next of successors.get(queue[i]) ?? []) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, queue[i]);
      queue.push(next);
    }
  }
  if (!cameFrom.has(through.from)) return undefined;
  const back: ImportTimeEdge[] = [];
  for (let node = through.from; node !== through.to; node = cameFrom.get(node)!) back.push(firstEdge.get(`${cameFrom.get(node)}\0${node}`)!);
  return [through, ...back.reverse()];
}

