// What middleware-order says about each fixture case, read as a user reads it. A case may hold a
// findings.json: every finding of `djfix --dry-run --json` on its input (code, location, status,
// safety, message and the reason it was not fixed), so each message is reviewed like the diff is.
// DJFIX_UPDATE_FINDINGS=1 rewrites them; review the change before committing it.
//
// Every case with a change is also held to its explanations, step by step as the interactive session
// shows them: the entries a message says move are the ones whose place changes, and the diff of that
// step shows each of them moving. (--dry-run shows one diff per file, under every fix's explanation.)
import fs from 'node:fs';
import path from 'node:path';
import { copyTree, repoRoot } from '../helpers/django';
import { djfix } from '../helpers/cli';
import { KNOWN_MIDDLEWARE } from '../../transforms/middleware-order/rules';

const CASES = path.join(repoRoot(), 'fixtures', 'middleware-order');
const UPDATE = process.env.DJFIX_UPDATE_FINDINGS === '1';
const KNOWN = new Set(KNOWN_MIDDLEWARE);

interface JsonFinding {
  code: string;
  path: string;
  line: number;
  column: number;
  message: string;
  status: string;
  safety: string | null;
  reason: string | null;
}

interface Reported {
  code: string;
  at: string;
  status: string;
  safety: string | null;
  message: string;
  reason: string | null;
}

function argsOf(caseDir: string): string[] {
  const argsFile = path.join(caseDir, 'args.json');
  return fs.existsSync(argsFile) ? JSON.parse(fs.readFileSync(argsFile, 'utf8')) : [];
}

async function dryRunFindings(caseDir: string): Promise<Reported[]> {
  const result = await djfix(['--dry-run', '--json', '--only', 'middleware-order', '--jobs', '1', ...argsOf(caseDir), copyTree(path.join(caseDir, 'input'))]);
  return (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings.map((finding) => ({
    code: finding.code,
    at: `${finding.path}:${finding.line}:${finding.column}`,
    status: finding.status,
    safety: finding.safety,
    message: finding.message,
    reason: finding.reason,
  }));
}

/** How messages name an entry: the class name of middleware djfix knows, else the dotted path. */
function nameOf(dotted: string): string {
  return KNOWN.has(dotted) ? dotted.slice(dotted.lastIndexOf('.') + 1) : dotted;
}

/** The entries of the MIDDLEWARE literal written one per line, in order; undefined for other layouts. */
function middlewareLines(text: string): string[] | undefined {
  const body = /^MIDDLEWARE\b[^=\n]*=\s*[[(][ \t]*\r?\n([\s\S]*?)^[\])]/m.exec(text)?.[1];
  return body?.split('\n').flatMap((line) => /^\s*["']([\w.]+)["']\s*,?\s*(#.*)?\r?$/.exec(line)?.[1] ?? []);
}

/** Entries the messages say move: "<name> moves up" / "<name> moves down". */
function movedInMessages(findings: Array<Pick<Reported, 'status' | 'message'>>): string[] {
  return [...new Set(findings.filter((finding) => finding.status === 'applied').flatMap((finding) => [...finding.message.matchAll(/([\w.]+) moves (?:up|down)\b/g)].map((match) => match[1])))];
}

/**
 * The explanation accounts for the change: the entries it says move are exactly what makes the new
 * order differ (the others keep their order), each of them really changes place, and the diff shows
 * none of them as an unchanged line.
 */
function expectExplained(before: string[], after: string[], explained: string[], diff: string) {
  const moved = (entry: string) => explained.includes(nameOf(entry));
  expect(after.filter((entry) => !moved(entry))).toEqual(before.filter((entry) => !moved(entry)));
  for (const entry of before.filter(moved)) {
    const above = (order: string[]) => order.slice(0, order.indexOf(entry)).sort();
    expect(above(after)).not.toEqual(above(before));
  }
  const unchanged = [...diff.matchAll(/^ [ \t]*["']([\w.]+)["']/gm)].map((match) => match[1]);
  expect(unchanged.filter(moved)).toEqual([]);
}

/** Every Python file under `dir`, by relative path. */
function texts(dir: string, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) texts(dir, relative).forEach((text, file) => found.set(file, text));
    else if (entry.name.endsWith('.py')) found.set(relative, fs.readFileSync(path.join(dir, relative), 'utf8'));
  }
  return found;
}

/**
 * The fixes as the interactive session offers them, one step at a time: the required fix (as
 * `required-only` applies it), then the recommendations on the list it leaves. Each step's
 * explanation is held to that step's change, which is what the session shows next to it.
 */
async function expectStepsExplained(caseDir: string) {
  const work = copyTree(path.join(caseDir, 'input'));
  for (const only of [['--set', 'middleware-order.required-only=true'], []]) {
    const before = texts(work);
    const result = await djfix(['--write', '--json', '--only', 'middleware-order', '--jobs', '1', ...argsOf(caseDir), ...only, work]);
    const document = JSON.parse(result.stdout) as { findings: JsonFinding[]; changes: Array<{ path: string; diff: string }> };
    const explained = movedInMessages(document.findings.map((finding) => ({ ...finding, at: '' })));
    for (const change of document.changes) {
      const [from, to] = [middlewareLines(before.get(change.path)!), middlewareLines(fs.readFileSync(path.join(work, change.path), 'utf8'))];
      if (from && to) expectExplained(from, to, explained, change.diff);
    }
  }
}

const cases = fs.readdirSync(CASES).filter((name) => fs.existsSync(path.join(CASES, name, 'input'))).sort();

describe('what middleware-order says about each fixture', () => {
  for (const name of cases) {
    const caseDir = path.join(CASES, name);
    const golden = path.join(caseDir, 'findings.json');
    test(name, async () => {
      const findings = await dryRunFindings(caseDir);
      if (UPDATE) fs.writeFileSync(golden, `${JSON.stringify(findings, null, 2)}\n`);
      if (fs.existsSync(golden)) expect(findings).toEqual(JSON.parse(fs.readFileSync(golden, 'utf8')));
      if (findings.some((finding) => finding.status === 'applied')) await expectStepsExplained(caseDir);
    });
  }
});
