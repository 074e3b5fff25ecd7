// `npm run bench -- PATH [--runs N] [--no-scaling]`: djfix cold, djfix warm and ast-grep on the
// same tree, alternated in one invocation so that all three see the same machine state; then djfix
// cold over 1x, 2x and 4x copies of the tree. Prints medians, ratios, throughput and peak RSS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const DJFIX = path.join(REPO, 'bin', 'djfix');
const AST_GREP = path.join(REPO, 'node_modules', '.bin', 'ast-grep');
const RULES = path.join(REPO, 'bench', 'ast-grep', 'sgconfig.yml');
const TIME = '/usr/bin/time';

interface Sample {
  seconds: number;
  /** Peak resident memory in MiB, when /usr/bin/time is there to measure it. */
  rssMiB?: number;
}

function measure(command: string, args: string[], cwd: string): Sample {
  const timed = fs.existsSync(TIME);
  const started = process.hrtime.bigint();
  const result = timed
    ? spawnSync(TIME, ['-f', '%M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // djfix exits 1 when it has fixes to show; ast-grep exits 0. Anything else is a failed run.
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const kib = timed ? Number(result.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, rssMiB: Number.isFinite(kib) ? kib / 1024 : undefined };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function pythonSize(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) {
    if (!name.endsWith('.py') || name.split(path.sep).some((part) => part === 'node_modules' || part === '.git')) continue;
    files++;
    bytes += fs.statSync(path.join(root, name)).size;
  }
  return { files, bytes };
}

function djfixArgs(tree: string, cacheDir: string | null): string[] {
  return [DJFIX, '--dry-run', '--json', ...(cacheDir ? ['--cache-dir', cacheDir] : ['--no-cache']), tree];
}

function compare(tree: string, runs: number): void {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-bench-cache-'));
  measure(process.execPath, djfixArgs(tree, cacheDir), tree); // fills the cache for the warm runs
  const samples: Record<'cold' | 'warm' | 'astGrep', Sample[]> = { cold: [], warm: [], astGrep: [] };
  for (let i = 0; i < runs; i++) {
    samples.cold.push(measure(process.execPath, djfixArgs(tree, null), tree));
    samples.warm.push(measure(process.execPath, djfixArgs(tree, cacheDir), tree));
    samples.astGrep.push(measure(AST_GREP, ['scan', '-c', RULES, '--json=compact', '.'], tree));
  }
  const { files, bytes } = pythonSize(tree);
  const mb = bytes / 1e6;
  const astGrep = median(samples.astGrep.map((s) => s.seconds));
  console.log(`tree: ${tree}\n  ${files} Python files, ${mb.toFixed(1)} MB; ${os.cpus().length} cores; ${runs} alternated runs each; medians:`);
  for (const [name, list] of Object.entries(samples)) {
    const seconds = median(list.map((s) => s.seconds));
    const rss = list.map((s) => s.rssMiB).filter((v): v is number => v !== undefined);
    console.log(
      `  ${name.padEnd(8)} ${seconds.toFixed(2).padStart(6)} s  ${(files / seconds).toFixed(0).padStart(6)} files/s  ${(mb / seconds).toFixed(1).padStart(5)} MB/s  ` +
        `peak RSS ${rss.length ? `${Math.max(...rss).toFixed(0)} MiB` : 'n/a'}  ${name === 'astGrep' ? '' : `= ${(seconds / astGrep).toFixed(2)}x ast-grep`}`,
    );
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
}

/** djfix cold over 1x, 2x and 4x copies of the tree's Python files: time should grow linearly. */
function scaling(tree: string, runs: number): void {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-bench-scale-'));
  console.log('scaling (djfix cold, median):');
  let first: number | undefined;
  for (const copies of [1, 2, 4]) {
    const root = path.join(base, `x${copies}`);
    for (let i = 0; i < copies; i++) fs.cpSync(tree, path.join(root, `copy${i}`), { recursive: true, filter: (source) => !/[/\\](\.git|node_modules|\.djfix_cache)$/.test(source) });
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "bench"\n');
    const samples = Array.from({ length: runs }, () => measure(process.execPath, djfixArgs(root, null), root));
    const seconds = median(samples.map((sample) => sample.seconds));
    const rss = samples.map((sample) => sample.rssMiB ?? 0);
    first ??= seconds;
    const { files, bytes } = pythonSize(root);
    console.log(`  ${copies}x  ${files} files  ${(bytes / 1e6).toFixed(1)} MB  ${seconds.toFixed(2)} s  (${(seconds / first).toFixed(2)}x the 1x time)  peak RSS ${Math.max(...rss).toFixed(0)} MiB`);
  }
  fs.rmSync(base, { recursive: true, force: true });
}

function main(): void {
  const args = process.argv.slice(2);
  const tree = args.find((arg) => !arg.startsWith('--'));
  const runsFlag = args.indexOf('--runs');
  const runs = runsFlag === -1 ? 5 : Number(args[runsFlag + 1]);
  if (!tree || !fs.existsSync(tree) || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: npm run bench -- PATH [--runs N] [--no-scaling]');
    process.exitCode = 2;
    return;
  }
  const root = path.resolve(tree);
  compare(root, runs);
  if (!args.includes('--no-scaling')) scaling(root, Math.max(1, Math.min(runs, 3)));
}

main();
