// Python's import order, simulated over the project's modules: which import of a cycle fails, and
// when. A module that is being imported is in `sys.modules` half done: `import a.b` and
// `from pkg import submodule` still work on it, but `from mod import name` (and `mod.name` read while
// importing) fail when `mod` has not reached the line that binds `name` yet. That is the only way an
// import cycle breaks, so a cycle whose imports never meet it is harmless, whatever its shape.

/** One import-time import statement: `import to` (no names) or `from to import names`. */
export interface ImportStatement {
  line: number;
  to: string;
  names?: Array<{ name: string; alias?: string }>;
}

/** What the simulation needs to know about the project's modules. */
export interface ImportWorld {
  /** The import-time imports of a project module, in the order they run. */
  imports(module: string): ImportStatement[];
  isModule(module: string): boolean;
  /** The first line that binds `name` at the module level of `module`; undefined when none does. */
  bindingLine(module: string, name: string): number | undefined;
  /**
   * `alias.member` reads that run while `module` is imported, through its imports of the modules for
   * which `running` holds (asked only about those, so that a world need not read every file).
   */
  memberReads(module: string, running: (target: string) => boolean): Array<{ line: number; target: string; member: string }>;
}

export interface ImportFailure {
  /** The module whose import fails, and the line. */
  importer: string;
  line: number;
  /** The half-imported module it reads `name` from, the line that module is paused at, and where it binds `name` (if it does). */
  target: string;
  name: string;
  pausedAt: number;
  boundAt?: number;
  /** The modules being imported when it fails, outermost first, each with the line of the import it is running. */
  stack: Array<{ module: string; line: number }>;
}

interface ModuleState {
  done: boolean;
  /** Line of the import statement the module is running, while it is not done. */
  paused: number;
}

const chains = new WeakMap<ImportWorld, Map<string, string[]>>();

/**
 * The project modules `import module` runs, outermost package first. A plan runs the same imports
 * thousands of times over, so each chain is worked out once per world.
 */
function importChain(world: ImportWorld, module: string): string[] {
  let byModule = chains.get(world);
  if (!byModule) chains.set(world, (byModule = new Map()));
  let chain = byModule.get(module);
  if (!chain) {
    const parts = module.split('.');
    chain = parts.map((_, i) => parts.slice(0, i + 1).join('.')).filter((name) => world.isModule(name));
    byModule.set(module, chain);
  }
  return chain;
}

const submodules = new WeakMap<ImportWorld, WeakMap<ImportStatement, Array<string | undefined>>>();

/**
 * For each name of `from to import ...`, the module `to.name` when it is one (then it is imported,
 * not read), worked out once per statement: a plan runs each statement thousands of times.
 */
function submodulesOf(world: ImportWorld, statement: ImportStatement): Array<string | undefined> {
  let byStatement = submodules.get(world);
  if (!byStatement) submodules.set(world, (byStatement = new WeakMap()));
  let found = byStatement.get(statement);
  if (!found) {
    found = (statement.names ?? []).map(({ name }) => (name !== '*' && world.isModule(`${statement.to}.${name}`) ? `${statement.to}.${name}` : undefined));
    byStatement.set(statement, found);
  }
  return found;
}

/** One interpreter: modules imported so far, and what importing one more does. */
export class ImportRun {
  private readonly state: Map<string, ModuleState>;
  private readonly stack: string[] = [];

  /** `watched`: the modules whose half-imported state matters; reads from any other module are taken to work. */
  constructor(private readonly world: ImportWorld, private readonly watched: ReadonlySet<string>, state?: Map<string, ModuleState>) {
    this.state = state ?? new Map();
  }

  /** The modules imported so far (done or still running). */
  imported(): string[] {
    return [...this.state.keys()];
  }

  /** A copy that continues from the modules this one has imported. */
  fork(): ImportRun {
    return new ImportRun(this.world, this.watched, new Map([...this.state].map(([module, state]) => [module, { ...state }])));
  }

  /** Imports `module` (and the packages above it first, as Python does); the first failure, if any. */
  import(module: string): ImportFailure | undefined {
    // Imported already, and so were the packages above it (they run first): most imports of a plan.
    if (this.state.has(module)) return undefined;
    for (const name of importChain(this.world, module)) {
      const failure = this.run(name);
      if (failure) return failure;
    }
    return undefined;
  }

  private run(module: string): ImportFailure | undefined {
    if (this.state.has(module)) return undefined;
    const state: ModuleState = { done: false, paused: 0 };
    this.state.set(module, state);
    this.stack.push(module);
    try {
      for (const statement of this.world.imports(module)) {
        state.paused = statement.line;
        const failure = this.runImport(module, statement);
        if (failure) return failure;
      }
      // Reads through an imported module happen in the body; modules still being imported stay so until this one is done.
      for (const read of this.world.memberReads(module, (target) => this.isRunning(target))) {
        const failure = this.check(module, read.line, read.target, read.member);
        if (failure) return failure;
      }
      state.done = true;
      return undefined;
    } finally {
      this.stack.pop();
    }
  }

  private runImport(module: string, statement: ImportStatement): ImportFailure | undefined {
    const failure = this.import(statement.to);
    if (failure || !statement.names) return failure;
    const submodules = submodulesOf(this.world, statement);
    for (let i = 0; i < statement.names.length; i++) {
      const { name } = statement.names[i];
      if (name === '*') continue;
      // `from pkg import submodule` imports it, and finds it in sys.modules even half done (Python 3.7+).
      const found = submodules[i] !== undefined ? this.import(submodules[i]!) : this.check(module, statement.line, statement.to, name);
      if (found) return found;
    }
    return undefined;
  }

  private isRunning(module: string): boolean {
    const state = this.state.get(module);
    return state !== undefined && !state.done && this.watched.has(module);
  }

  private check(importer: string, line: number, target: string, name: string): ImportFailure | undefined {
    const state = this.state.get(target);
    if (!state || !this.isRunning(target)) return undefined;
    // A submodule is an attribute of its package once it has been imported.
    if (this.state.get(`${target}.${name}`)?.done) return undefined;
    const boundAt = this.world.bindingLine(target, name);
    if (boundAt !== undefined && boundAt < state.paused) return undefined;
    return { importer, line, target, name, pausedAt: state.paused, boundAt, stack: this.stack.map((module) => ({ module, line: this.state.get(module)!.paused })) };
  }
}
