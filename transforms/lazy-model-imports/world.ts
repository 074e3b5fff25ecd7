// The project as the import simulation sees it: the index's import-time imports, and what the files
// of a cycle bind and read, parsed the first time a question needs them; with the bindings a plan
// makes lazy left out, so the same simulation tells whether a set of cuts works.
import { parsePython } from '../../src/parse';
import type { ProjectIndex } from '../../src/project/index';
import { importTargets } from '../../src/project/cycles';
import { resolveImportModule } from '../../src/project/modules';
import type { ImportStatement, ImportWorld } from './simulate';
import { BindingSummary, FileSummary, summarize } from './summary';

/** A project file's text, as djfix currently sees it. */
export type ReadText = (path: string) => string | undefined;

/** The project's files, each read, parsed and summarized at most once per plan. */
export class ProjectFiles {
  private readonly summaries = new Map<string, FileSummary | undefined>();
  private readonly statements = new Map<string, ImportStatement[]>();
  private readonly namesRead = new Map<string, string[]>();

  constructor(readonly index: ProjectIndex, readonly readText: ReadText) {
    for (const edge of index.imports) {
      if (edge.scope !== 'module') continue;
      const list = this.statements.get(edge.from) ?? [];
      list.push({ line: edge.line, to: edge.to, names: edge.names });
      this.statements.set(edge.from, list);
    }
    for (const list of this.statements.values()) list.sort((a, b) => a.line - b.line);
  }

  summary(module: string): FileSummary | undefined {
    const path = this.index.modules[module];
    if (path === undefined) return undefined;
    if (!this.summaries.has(path)) {
      const text = this.readText(path);
      this.summaries.set(path, text === undefined ? undefined : summarize(parsePython(text), text));
    }
    return this.summaries.get(path);
  }

  /** The import-time import statements of a module, as the index has them, in line order. */
  importsOf(module: string): ImportStatement[] {
    return this.statements.get(module) ?? [];
  }

  /**
   * What a module's import statements name: `to` of `import to`, `to.name` of `from to import
   * name`. A member read can only go through one of them.
   */
  importedNames(module: string): string[] {
    let names = this.namesRead.get(module);
    if (!names) {
      names = this.importsOf(module).flatMap((statement) => (statement.names ? statement.names.map(({ name }) => `${statement.to}.${name}`) : [statement.to]));
      this.namesRead.set(module, names);
    }
    return names;
  }

  /** The absolute module a binding's statement imports from (`from x import ...`), or imports (`import x`). */
  resolved(binding: BindingSummary, module: string): string | undefined {
    const path = this.index.modules[module];
    return resolveImportModule(binding, module, this.index.files[path]?.isPackage ?? false);
  }

  /** The project modules a binding's import runs. */
  targets(binding: BindingSummary, module: string): string[] {
    const resolved = this.resolved(binding, module);
    return resolved ? importTargets(this.index, resolved, binding.name !== undefined ? [{ name: binding.name }] : undefined) : [];
  }

  /** The project module a binding binds, when it binds a module (`import a.b`, `from pkg import submodule`). */
  moduleBound(binding: BindingSummary, module: string): string | undefined {
    const resolved = this.resolved(binding, module);
    const bound = binding.dotted !== undefined ? resolved : resolved && `${resolved}.${binding.name}`;
    return bound !== undefined && this.index.modules[bound] !== undefined ? bound : undefined;
  }
}

/** A binding a plan makes lazy: its import no longer runs, its name is no longer bound at import time. */
export interface LazyImport {
  module: string;
  binding: BindingSummary;
}

export class ProjectWorld implements ImportWorld {
  constructor(private readonly files: ProjectFiles, private readonly lazy: LazyImport[] = []) {}

  /** The same project with more bindings made lazy. */
  without(lazy: LazyImport[]): ProjectWorld {
    return new ProjectWorld(this.files, [...this.lazy, ...lazy]);
  }

  imports(module: string): ImportStatement[] {
    const lazy = this.lazyOf(module);
    if (lazy.length === 0) return this.files.importsOf(module);
    return this.files.importsOf(module).flatMap((statement) => {
      const here = lazy.filter((binding) => binding.line === statement.line);
      if (here.length === 0) return [statement];
      if (!statement.names) return here.some((binding) => binding.dotted !== undefined && this.files.resolved(binding, module) === statement.to) ? [] : [statement];
      const names = statement.names.filter((item) => !here.some((binding) => binding.name === item.name && binding.alias === item.alias));
      return names.length > 0 ? [{ ...statement, names }] : [];
    });
  }

  isModule(module: string): boolean {
    return this.files.index.modules[module] !== undefined;
  }

  bindingLine(module: string, name: string, depth = 0): number | undefined {
    const lazyLines = new Set(this.lazyOf(module).filter((binding) => binding.local === name).map((binding) => binding.line));
    const lines = (this.files.summary(module)?.bindingLines[name] ?? []).filter((line) => !lazyLines.has(line));
    // `from other import *` binds the names `other` binds (any, for a module outside the project).
    for (const statement of this.imports(module)) {
      if (!statement.names?.some((item) => item.name === '*') || depth > 8) continue;
      if (!this.isModule(statement.to) || this.bindingLine(statement.to, name, depth + 1) !== undefined) lines.push(statement.line);
    }
    return lines.length > 0 ? Math.min(...lines) : undefined;
  }

  memberReads(module: string, running: (target: string) => boolean): Array<{ line: number; target: string; member: string }> {
    // From the index first: only a module that imports a running module as a module needs reading.
    if (!this.files.importedNames(module).some(running)) return [];
    const lazy = this.lazyOf(module);
    return (this.files.summary(module)?.bindings ?? []).flatMap((binding) => {
      const target = this.files.moduleBound(binding, module);
      if (!target || !running(target) || lazy.includes(binding)) return [];
      return binding.memberReads.map((read) => ({ line: read.line, target, member: read.member }));
    });
  }

  private lazyOf(module: string): BindingSummary[] {
    return this.lazy.filter((entry) => entry.module === module).map((entry) => entry.binding);
  }
}
