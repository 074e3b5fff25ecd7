// The command line: parse flags, run, print, write, and exit with a documented code.
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { findProjectRoot } from './discovery';
import { defaultJobs, discardPrestarted } from './workers';
import { parseVersion, Version } from './project/django-version';
import type { Mode, WriteFailure } from './report';
import { EXIT, exitCode, Format, FORMATS, render, writeReport } from './output';
import type { Outcome } from './formats/outcome';
import { run, RunOptions, RunReport } from './runner';
import { DEFAULT_MAX_FILE_BYTES } from './source';
import { DEFAULT_CACHE_DIR } from './cache';
import { writeFiles } from './write';
import { knownOptionsText, optionDeclaration, parseOptionText } from './options';
import { ConfigError, ProjectConfig, readConfig, Settings, withConfig } from './config';
import { changedSince, GitError } from './git';
import { progressBar } from './progress';
import { TRANSFORMS, transformById } from '../transforms/registry';
import type { TransformOptions } from '../transforms/types';

export { EXIT };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('../../package.json').version;

const EXAMPLES = `
Examples:
  djfix                         interactive session on a terminal (dry run when piped)
  djfix --dry-run .             print every fix as a diff with its explanation
  djfix --check shop/           one line per finding, exit 1 if anything would change
  djfix --write --report pr.md  apply every fix, describe them in pr.md for a pull request
  djfix --check --format github annotate the findings in a GitHub Actions job
  djfix --check --format sarif > djfix.sarif   for GitHub code scanning
  djfix --json --dry-run . > findings.json
  djfix --explain middleware-order
  djfix --check --changed-since origin/main --report-unused-ignores

Configuration: [tool.djfix] in the project root's pyproject.toml, or --config FILE (djfix.toml keys at
its top level); flags win over it. Suppress a finding with "# djfix: ignore" or
"# djfix: ignore[transform-id, ...]" on its line or its statement's first line.

Formats print on stdout (text: diffs or findings, then a summary; json, sarif: one document; github:
one workflow command per finding, then the summary line); errors go to stderr.

Exit codes: 0 nothing to change (or --write applied every fix), 1 changes found (--dry-run, --check),
fixes written with --exit-non-zero-on-fix, or, with --report-unused-ignores, an unused suppression;
2 usage error (configuration and --changed-since included), internal error, or a file or the report
that could not be written. Findings djfix does not fix never change the exit code.`;

interface CliFlags {
  dryRun?: boolean;
  check?: boolean;
  write?: boolean;
  only?: string[];
  skip?: string[];
  listTransforms?: boolean;
  explain?: string;
  json?: boolean;
  format?: Format;
  report?: string;
  exitNonZeroOnFix?: boolean;
  color: boolean;
  include: string[];
  exclude: string[];
  targetDjango?: Version;
  jobs: number;
  maxFileSize: number;
  set: Array<[string, string, unknown]>;
  cache: boolean;
  cacheDir?: string;
  shard?: { index: number; count: number };
  config?: string;
  changedSince?: string;
  reportUnusedIgnores?: boolean;
}

const collectList = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
const collectRepeat = (value: string, previous: string[] = []) => [...previous, value];

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return parsed;
}

function djangoVersion(value: string): Version {
  const parsed = parseVersion(value);
  if (!parsed) throw new InvalidArgumentError('expected a version such as 4.2');
  return parsed;
}

/** `--shard 2/4`: the second of four shards. */
function shard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new InvalidArgumentError('expected K/N with 1 <= K <= N, e.g. 2/4');
  return { index: index - 1, count };
}

/** `--set middleware-order.required-only=true`, checked against the option's declaration. */
function transformSetting(value: string, previous: Array<[string, string, unknown]> = []): Array<[string, string, unknown]> {
  const match = /^([\w-]+)\.([\w-]+)=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected TRANSFORM.OPTION=VALUE, e.g. middleware-order.required-only=true');
  const transform = transformById(match[1]);
  if (!transform) throw new InvalidArgumentError(`unknown transform "${match[1]}" (see --list-transforms)`);
  const declaration = optionDeclaration(transform, match[2]);
  if (!declaration) throw new InvalidArgumentError(`unknown option "${match[2]}" of ${transform.id} ${knownOptionsText(transform)}`);
  const parsed = parseOptionText(declaration, match[3]);
  if (!parsed.ok) throw new InvalidArgumentError(`${transform.id}.${declaration.name} ${parsed.message}`);
  return [...previous, [transform.id, declaration.name, parsed.value]];
}

function program(): Command {
  return new Command('djfix')
    .description(`Find and fix problems that hurt large Django projects, with reviewable diffs.\nTransforms: ${TRANSFORMS.map((transform) => transform.id).join(', ')} (see --list-transforms).`)
    .argument('[paths...]', 'files or directories to fix (the whole project around them is indexed)', ['.'])
    .addOption(new Option('--dry-run', 'print the diff and explanation of every fix; write nothing'))
    .addOption(new Option('--diff', 'alias of --dry-run').hideHelp())
    .option('--check', 'like --dry-run, with one line per finding instead of diffs')
    .option('--write', 'apply every fix and print a summary')
    .addOption(new Option('--yes', 'alias of --write').hideHelp())
    .option('--only <ids>', 'run only these transforms (comma-separated)', collectList)
    .option('--skip <ids>', 'do not run these transforms (comma-separated)', collectList)
    .option('--list-transforms', 'list the transforms and exit')
    .option('--explain <id>', 'print what a transform does and the rules it encodes, then exit')
    .addOption(new Option('--format <format>', 'output format: text (default), json (schema in the README), sarif (GitHub code scanning) or github (Actions annotations)').choices(FORMATS))
    .option('--json', 'alias of --format json')
    .option('--report <file>', 'also write a Markdown pull-request description of the changes to <file>')
    .option('--exit-non-zero-on-fix', 'exit 1 when fixes were written (as --dry-run and --check do when they find some)')
    .option('--no-color', 'plain output even on a terminal')
    .option('--include <glob>', 'fix only files matching the glob (repeatable)', collectRepeat, [])
    .option('--exclude <glob>', 'do not fix files matching the glob (repeatable)', collectRepeat, [])
    .option('--target-django <X.Y>', 'the Django version to target (default: read from the dependency files)', djangoVersion)
    .option('--jobs <n>', 'threads at work: this one and N-1 workers (default: the number of cores)', positiveInt, defaultJobs())
    .option('--max-file-size <bytes>', 'skip Python files larger than this', positiveInt, DEFAULT_MAX_FILE_BYTES)
    .option('--no-cache', 'do not read or write the cache')
    .option('--cache-dir <dir>', `where the cache lives (default: ${DEFAULT_CACHE_DIR} in the project root, or $DJFIX_CACHE_DIR)`)
    .option('--shard <K/N>', 'index the whole project but fix only the K-th of N deterministic groups of files (CI matrices)', shard)
    .option('--set <transform.option=value>', 'set a transform option, e.g. middleware-order.required-only=true (repeatable)', transformSetting, [])
    .option('--changed-since <ref>', 'index the whole project but fix only files changed since the merge base with REF, uncommitted and untracked ones included (git)')
    .option('--report-unused-ignores', 'list "# djfix: ignore" comments that suppressed nothing, and exit 1 if there are any')
    .option('--config <file>', 'read the configuration from this TOML file (default: [tool.djfix] of pyproject.toml in the project root)')
    .version(VERSION, '--version')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError()
    .exitOverride();
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** Where the progress bar goes, when stderr is a terminal. */
  progressStream?: NodeJS.WriteStream;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
  progressStream: process.stderr.isTTY ? process.stderr : undefined,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const command = program();
  command.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    command.parse(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? EXIT.clean : EXIT.error;
  }
  const flags = command.opts() as CliFlags & { diff?: boolean; yes?: boolean };
  const colour = flags.color && io.isTTY && !process.env.NO_COLOR;
  if (flags.listTransforms) {
    for (const transform of TRANSFORMS) io.stdout(`${transform.id.padEnd(22)} ${transform.title}`);
    return EXIT.clean;
  }
  if (flags.explain) return explain(flags.explain, io);
  const modes = [flags.dryRun || flags.diff ? 'dry-run' : '', flags.check ? 'check' : '', flags.write || flags.yes ? 'write' : ''].filter(Boolean) as Mode[];
  if (modes.length > 1) {
    io.stderr(`djfix: choose one of --dry-run, --check and --write (got ${modes.map((mode) => `--${mode}`).join(', ')})`);
    return EXIT.error;
  }
  if (flags.json && flags.format && flags.format !== 'json') {
    io.stderr(`djfix: --json is --format json; it cannot go with --format ${flags.format}`);
    return EXIT.error;
  }
  const format: Format = flags.format ?? (flags.json ? 'json' : 'text');
  const mode: Mode = modes[0] ?? (io.isTTY && format === 'text' ? 'interactive' : 'dry-run');
  const paths = (command.processedArgs[0] as string[]).map((target) => path.resolve(target));
  // A missing path among others is reported and the run goes on; with none there, nothing would be
  // checked, and a typo in CI would pass as clean.
  if (!paths.some((target) => fs.existsSync(target))) {
    io.stderr(`djfix: no such file or directory: ${(command.processedArgs[0] as string[]).join(', ')}`);
    return EXIT.error;
  }
  const root = findProjectRoot(paths[0]);
  const outside = paths.find((target) => path.relative(root, target).startsWith('..'));
  if (outside) {
    io.stderr(`djfix: ${outside} is not inside the project at ${root}; run djfix once per project`);
    return EXIT.error;
  }
  let config: ProjectConfig | undefined;
  let settings: Settings;
  let changedFiles: Set<string> | undefined;
  try {
    config = readConfig(root, flags.config);
    settings = withConfig(cliSettings(flags), (key) => command.getOptionValueSource(key) === 'cli', config);
    changedFiles = flags.changedSince === undefined ? undefined : changedSince(root, flags.changedSince);
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof GitError)) throw error;
    io.stderr(`djfix: ${error.message}`);
    return EXIT.error;
  }
  const selected = selectIds(settings, io);
  if (!selected) return EXIT.error;
  const options: RunOptions = {
    root,
    targets: paths,
    include: settings.include,
    exclude: settings.exclude,
    transforms: selected,
    transformOptions: settings.transformOptions,
    targetDjango: settings.targetDjango,
    targetDjangoSource: command.getOptionValueSource('targetDjango') === 'cli' ? '--target-django' : config?.file,
    jobs: settings.jobs,
    maxFileBytes: settings.maxFileSize,
    maxRounds: 5,
    cacheDir: flags.cache ? path.resolve(root, settings.cacheDir ?? process.env.DJFIX_CACHE_DIR ?? DEFAULT_CACHE_DIR) : null,
    shard: flags.shard,
    changedFiles,
    editMigrations: settings.editMigrations,
  };

  const bar = progressBar(io.progressStream ?? process.stderr, io.progressStream !== undefined);
  let report: RunReport;
  try {
    // The prompt library is loaded only for the session: batch runs start faster without it.
    const decide = mode === 'interactive' ? (await import('./interactive')).interactiveDecide({ root, colour, write: io.stdout }) : undefined;
    report = await run({ ...options, progress: bar.update }, decide);
  } catch (error) {
    io.stderr(`djfix: internal error: ${(error as Error).stack ?? error}\nPlease report this with the command you ran.`);
    return EXIT.error;
  } finally {
    bar.stop();
  }
  const failures = mode === 'write' || mode === 'interactive' ? writeAll(report) : [];
  const outcome: Outcome = { report, mode, failures, version: VERSION, unusedIgnores: flags.reportUnusedIgnores ? report.unusedIgnores : [] };
  if (flags.report) outcome.reportError = writeReport(flags.report, outcome, io.stderr);
  const code = exitCode(outcome, Boolean(flags.exitNonZeroOnFix));
  io.stdout(render(format, outcome, code, colour));
  if (outcome.reportError) io.stderr(`djfix: ${outcome.reportError}`);
  return code;
}

/** The settings as the command line gives them, before the configuration file fills in the rest. */
function cliSettings(flags: CliFlags): Settings {
  const transformOptions: Record<string, TransformOptions> = {};
  for (const [id, key, value] of flags.set) (transformOptions[id] ??= {})[key] = value;
  const { include, exclude, only, skip, targetDjango, jobs, maxFileSize, cacheDir } = flags;
  return { include, exclude, only, skip, targetDjango, jobs, maxFileSize, cacheDir, editMigrations: false, transformOptions };
}

function selectIds(flags: Pick<Settings, 'only' | 'skip'>, io: Io): string[] | undefined {
  const known = new Set(TRANSFORMS.map((transform) => transform.id));
  for (const id of [...(flags.only ?? []), ...(flags.skip ?? [])]) {
    if (!known.has(id)) {
      io.stderr(`djfix: unknown transform "${id}"; known: ${[...known].join(', ')}`);
      return undefined;
    }
  }
  return TRANSFORMS.map((transform) => transform.id).filter((id) => (!flags.only || flags.only.includes(id)) && !flags.skip?.includes(id));
}

function explain(id: string, io: Io): number {
  const transform = transformById(id);
  if (!transform) {
    io.stderr(`djfix: unknown transform "${id}"; known: ${TRANSFORMS.map((t) => t.id).join(', ')}`);
    return EXIT.error;
  }
  io.stdout(`${transform.id}: ${transform.title}\n\n${transform.explanation}`);
  if (transform.options?.length) {
    io.stdout('\nOptions (--set ID.NAME=VALUE, or NAME = VALUE in [tool.djfix.ID]):');
    for (const option of transform.options) io.stdout(`  ${option.name} (${option.type}, default ${JSON.stringify(option.default)}): ${option.description}`);
  }
  if (transform.rules?.length) {
    io.stdout('\nRules:');
    for (const rule of transform.rules) {
      io.stdout(`  ${rule.id}${rule.strength ? ` (${rule.strength})` : ''}: ${rule.text}\n    source: ${rule.sources.join('; ')}`);
    }
  }
  return EXIT.clean;
}

/**
 * Writes every changed file. SIGINT is held off meanwhile so Ctrl-C cannot stop the loop between
 * two files of one change; each file is replaced atomically anyway.
 */
function writeAll(report: RunReport): WriteFailure[] {
  const hold = () => undefined;
  process.on('SIGINT', hold);
  try {
    const groups = report.findings.filter((finding) => finding.status === 'applied').map((finding) => finding.change!.files.map((file) => file.path));
    return writeFiles(report.root, report.files, groups);
  } finally {
    process.off('SIGINT', hold);
  }
}

export function runCli(): void {
  // `djfix --dry-run | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv)
    .catch((error) => {
      process.stderr.write(`djfix: internal error: ${(error as Error).stack ?? error}\n`);
      return EXIT.error;
    })
    // Workers bin/djfix started for a run that did not need them stop before the process ends.
    .then(async (code) => {
      await discardPrestarted();
      exitWhenWritten(code);
    });
}

/**
 * Ends the process once everything it wrote is out. Left to end by itself, Node first tears down the
 * heap and every parser tree still in it, for memory the system frees at exit anyway: 60 ms after a
 * cold run on saleor. Every file, cache and report is written by now, and the workers have stopped.
 */
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  let unflushed = 2;
  // A stream calls back after the writes queued before this one, even where pipes are asynchronous.
  const flushed = () => {
    if (--unflushed === 0) process.exit(code);
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}
