// The data djfix passes around: findings, changes and per-file results. Everything here is plain
// data (no class instances, no tree-sitter nodes) so it can cross worker threads and live in the cache.

/** A replacement of the text between two JS string offsets of a file as it was read. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** What a change does to one file: edits to its current text, or the whole text of a new file. */
export type FileChange =
  | { path: string; kind: 'edit'; edits: TextEdit[]; /** Set by the engine: the text the edits were made for. */ baseHash?: string }
  | { path: string; kind: 'create'; text: string };

/**
 * How far a fix can be trusted. `safe`: behaviour is kept (middleware order that Django requires).
 * `review`: correct by the analysis, but a human should read it (a new dependency, a moved import).
 */
export type Safety = 'safe' | 'review';

/** A group of edits applied together or not at all. */
export interface Change {
  safety: Safety;
  files: FileChange[];
}

export interface Location {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  /** 1-based line and column. */
  line: number;
  column: number;
}

export interface Finding {
  transform: string;
  /** A short, stable code for the kind of finding inside the transform, e.g. `order` or `dynamic`. */
  code: string;
  location: Location;
  /** The problem and, where there is one, the fix, in the user's words. */
  message: string;
  /** Where the rule comes from (Django docs paths and the like). */
  sources?: string[];
  /** Present when djfix can fix it. */
  change?: Change;
  /** Present when it cannot: why djfix held back. */
  notFixed?: string;
}

/** Why a file was not analysed at all. */
export interface Skip {
  path: string;
  reason: string;
}

/** Something went wrong that the user should know about; the run went on. */
export interface Problem {
  path: string;
  line?: number;
  message: string;
}
