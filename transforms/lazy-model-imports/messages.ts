// The words of lazy-model-imports: cycles as chains of imports with file:line, and why a use of a
// model has no lazy form, with what to do instead.
import type { ImportTimeEdge } from '../../src/project/cycles';
import type { ImportFailure } from './simulate';
import type { BindingProblem, BlockedKind } from './uses';

/** `a/x.py:3 imports a.y, a/y.py:5 imports a.x`: one cycle, every edge with its file and line. */
export function chainText(chain: ImportTimeEdge[]): string {
  return chain.map((edge) => `${edge.path}:${edge.line} imports ${edge.to}`).join(', ');
}

/**
 * `django.setup() fails: it imports a.models; a/models.py:3 imports a.helpers; a/helpers.py:4 imports
 * Order from a.models, which is still at line 3 and binds Order only at line 6.`
 */
export function failureText(failure: ImportFailure, entry: string | undefined, pathOf: (module: string) => string): string {
  const start = entry === undefined ? `django.setup() fails: it imports ${failure.stack[0].module}` : `Importing ${entry} first fails`;
  const steps = failure.stack.slice(0, -1).map((step, i) => `${pathOf(step.module)}:${step.line} imports ${failure.stack[i + 1].module}`);
  const bound =
    failure.boundAt === undefined ? `does not bind ${failure.name} before that` : failure.boundAt === failure.pausedAt ? `binds ${failure.name} only once that line is done` : `binds ${failure.name} only at line ${failure.boundAt}`;
  const read = `${pathOf(failure.importer)}:${failure.line} reads ${failure.name} from ${failure.target}, which is still at line ${failure.pausedAt} and ${bound}`;
  return `${start}; ${[...steps, read].join('; ')} (ImportError: partially initialized module)`;
}

export function chainsText(chains: ImportTimeEdge[][]): string {
  return chains.map((chain, i) => (chains.length > 1 ? `(${i + 1}) ${chainText(chain)}` : chainText(chain))).join('; ');
}

const BLOCKED: Record<BlockedKind, { what: string; instead: string }> = {
  'base-class': {
    what: 'is a base class, which must exist when the class is defined',
    instead: 'move the subclass, or what the other module needs, into a module that imports neither',
  },
  decorator: {
    what: 'is used in a decorator, which runs when the module is imported',
    instead: 'apply it where the model is ready (AppConfig.ready()), or move the decorated code to a module the cycle does not need',
  },
  'signal-sender': {
    what: 'is a signal sender, set when the module is imported',
    instead: 'model signals accept the lazy sender="app_label.Model"; or connect the receiver in AppConfig.ready()',
  },
  'default-argument': {
    what: "is a parameter's default value, evaluated when the function is defined",
    instead: 'default to None and look the model up in the body',
  },
  'class-body': {
    what: 'is used in a class body, which runs when the module is imported',
    instead: 'compute it in a method or property instead',
  },
  lambda: {
    what: 'is used in a lambda outside any function, which has no body to hold a lookup',
    instead: 'use a named function',
  },
  'type-alias': {
    what: 'is used in a type alias statement',
    instead: 'import it under if TYPE_CHECKING: and quote the alias',
  },
  'module-level': {
    what: 'is used at module level, which runs when the module is imported',
    instead: 'move that code into a function, or into AppConfig.ready() for registrations',
  },
  'one-line-body': {
    what: "is used in a function whose body is on its def line, where a lookup has no line of its own",
    instead: 'put the body on its own lines and run djfix again',
  },
  'unquotable-annotation': {
    what: 'is used in an annotation djfix cannot quote (it spans lines, or holds both kinds of quotes or a backslash)',
    instead: 'quote the annotation by hand, or add from __future__ import annotations',
  },
  'module-object': {
    what: 'is used as a module object, not through one of its names',
    instead: 'read the names it needs from the module inside functions',
  },
};

/** `Order is a base class at shop/x.py:9 ...; instead: ...` */
export function blockedText(kind: BlockedKind, name: string, where: string): string {
  const { what, instead } = BLOCKED[kind];
  return `${name} ${what} (${where}): it has no lazy form; ${instead}`;
}

export function problemText(problem: BindingProblem, name: string, where: string): string {
  switch (problem.kind) {
    case 'rebound':
      return `${name} is also bound at ${where}, so djfix cannot tell which uses are the imported one`;
    case 'exported':
      return `${name} is listed in __all__ (${where}): other modules may import it from here`;
    case 'star':
      return `the star import at ${where} binds names djfix cannot see`;
  }
}

/** `a and b`, `a, b and c` */
export function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
