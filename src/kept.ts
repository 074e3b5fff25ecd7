// Trees kept from a file's first pass (its facts) for its second (the analysis), in the thread that
// made them: the files whose screens pass are most of what the analysis parses, and parsing them a
// second time was about a tenth of a cold run's CPU on saleor. Kept within a budget of characters per
// thread, so memory stays bounded however large the project (a tree takes about 23 bytes per
// character).
import type { Tree } from './parse';

export interface KeptFile {
  hash: string;
  text: string;
  tree: Tree;
}

const kept = new Map<string, KeptFile>();
let room = 0;

/** Starts a first pass: trees of an earlier one go, and up to `chars` characters of text keep theirs. */
export function startKeeping(chars: number): void {
  kept.clear();
  room = chars;
}

/** Keeps a file's tree if there is room for its text; says whether it did. */
export function keep(path: string, file: KeptFile): boolean {
  if (file.text.length > room) return false;
  room -= file.text.length;
  kept.set(path, file);
  return true;
}

/** The file as it was collected, if it was kept and still has those bytes; it is kept no longer. */
export function takeKept(path: string, hash: string): KeptFile | undefined {
  const found = kept.get(path);
  kept.delete(path);
  return found?.hash === hash ? found : undefined;
}

/** The analysis is over: every tree still kept goes. */
export function dropKept(): void {
  kept.clear();
  room = 0;
}
