// The one interface every transform implements. A transform never reads the file system, never
// discovers the project on its own, and never throws for bad input: it reads the project index and one
// parsed file, and returns findings, each with a change or with the reason it held back.
import type { Finding } from '../src/model';
import type { Tree } from '../src/parse';
import type { ProjectIndex, FileRole } from '../src/project/index';

export interface ParsedFile {
  /** Relative to the project root, forward slashes. */
  path: string;
  /** Dotted module name. */
  module: string;
  role: FileRole;
  text: string;
  tree: Tree;
}

/** What `mayApply` knows of a file: not its text, only whether the text passed the transform's screen. */
export interface ScreenedFile {
  path: string;
  role: FileRole;
  screened: boolean;
}

export interface TransformOptions {
  /** Per-transform settings by their declared name, e.g. `{ 'required-only': true }` for middleware-order. */
  [key: string]: unknown;
}

export type OptionValue = boolean | number | string;

/**
 * An option a transform reads, declared once: `--set ID.NAME=VALUE`, the `[tool.djfix.ID]` table of
 * the configuration and `--explain ID` all go by it. Values reach `analyze` already checked.
 */
export interface OptionDeclaration {
  name: string;
  /** `integer` is a whole number. */
  type: 'boolean' | 'integer' | 'string';
  default: OptionValue;
  description: string;
  /** What is wrong with a value of the right type (a negative number of seconds, say), or undefined. */
  check?(value: OptionValue): string | undefined;
}

export interface AnalysisContext {
  file: ParsedFile;
  index: ProjectIndex;
  options: TransformOptions;
  /** Text of another project file (dependency files included), as djfix currently sees it. */
  readText(path: string): string | undefined;
  /**
   * Whether a `# djfix: ignore` comment for this transform covers that line. The engine drops
   * suppressed findings itself; a transform asks only when one fix of its covers places of several
   * findings, so that a place the user suppressed stays out of the others' fixes too.
   */
  isSuppressed(location: { path: string; line: number }): boolean;
}

/** A rule the transform encodes, printed by `djfix --explain ID`. */
export interface RuleDoc {
  id: string;
  strength?: string;
  text: string;
  sources: string[];
}

export interface Transform {
  id: string;
  title: string;
  /** One paragraph: what the problem is and what the fix does. */
  explanation: string;
  rules?: RuleDoc[];
  /** The options `analyze` reads from `AnalysisContext.options`; no other names are accepted. */
  options?: OptionDeclaration[];
  /**
   * A cheap test of a file's text alone, true of every file the transform may apply to. It runs when
   * the file's facts are collected and is kept with them (as `screened`), so the decision below needs
   * no second read of the file. Without it, every text passes.
   */
  screen?(text: string): boolean;
  /**
   * Whether the transform may apply to a file, from its role, the screen's answer and the index: it is
   * asked before the file is read again, and a file no transform may apply to (and with no djfix
   * comment) is not read, parsed or sent to a worker at all. `analyze` may still find nothing.
   */
  mayApply(file: ScreenedFile, index: ProjectIndex): boolean;
  /**
   * Optional per-file facts the index keeps for this transform (stored under `extra[id]`), computed in
   * the same pass as the rest of the file's facts and cached with them.
   */
  collect?(tree: Tree, text: string): unknown;
  /**
   * Findings are located in `context.file` (their changes may edit other files): the engine chooses
   * the files to fix (paths, globs, shards, --changed-since) by choosing the files it analyses.
   */
  analyze(context: AnalysisContext): Finding[];
  /**
   * Optional: whether analysing the file starts from work this transform does once per index and
   * thread (a plan of the whole project). Those files go to one worker together, so that work is
   * done once, not once per worker.
   */
  usesProjectPlan?(path: string, index: ProjectIndex): boolean;
}
