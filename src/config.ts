// The configuration file. By default `[tool.djfix]` of the project root's pyproject.toml; with
// `--config FILE`, that file instead: a pyproject.toml is read at `[tool.djfix]`, any other file
// (djfix.toml) holds the configuration at its top level, as Ruff reads pyproject.toml and ruff.toml.
// Every key and value is checked: the file is the user's own instruction, so a typo or a wrong type
// stops the run with the file and the key rather than running without it.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { checkOptionValue, describeValue, knownOptionsText, optionDeclaration } from './options';
import { parseVersion, Version } from './project/django-version';
import { TRANSFORMS, transformById } from '../transforms/registry';
import type { TransformOptions } from '../transforms/types';

/** What the configuration and the command line both set; the command line's value wins. */
export interface Settings {
  include: string[];
  exclude: string[];
  only?: string[];
  skip?: string[];
  targetDjango?: Version;
  jobs: number;
  maxFileSize: number;
  /** Relative to the project root. */
  cacheDir?: string;
  editMigrations: boolean;
  transformOptions: Record<string, TransformOptions>;
}

export interface ProjectConfig {
  /** The file, as messages show it. */
  file: string;
  settings: Partial<Settings>;
}

/** A configuration that cannot be used; the message names the file and, where there is one, the key. */
export class ConfigError extends Error {}

type Check = (value: unknown) => { ok: true; value: unknown } | { ok: false; message: string };

const strings: Check = (value) => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? { ok: true, value } : { ok: false, message: 'must be an array of strings' });
const transformIds: Check = (value) => {
  const checked = strings(value);
  const unknown = checked.ok ? (value as string[]).find((id) => !transformById(id)) : undefined;
  return unknown === undefined ? checked : { ok: false, message: `names unknown transform "${unknown}" (known: ${TRANSFORMS.map((transform) => transform.id).join(', ')})` };
};
const wholeNumber: Check = (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 1 ? { ok: true, value } : { ok: false, message: `must be a whole number of 1 or more (got ${describeValue(value)})` });

/** The top-level keys, by their name in the file, with the setting each one sets. */
const KEYS: Record<string, { setting: keyof Settings; check: Check }> = {
  include: { setting: 'include', check: strings },
  exclude: { setting: 'exclude', check: strings },
  only: { setting: 'only', check: (value) => (Array.isArray(value) && value.length === 0 ? { ok: false, message: 'is empty, so no transform would run (leave it out to run them all)' } : transformIds(value)) },
  skip: { setting: 'skip', check: transformIds },
  'target-django': {
    setting: 'targetDjango',
    // A TOML number would turn "4.10" into 4.1: only a string says which version is meant.
    check: (value) => {
      const version = typeof value === 'string' ? parseVersion(value) : null;
      return version ? { ok: true, value: version } : { ok: false, message: `must be a version string such as "4.2" (got ${describeValue(value)})` };
    },
  },
  jobs: { setting: 'jobs', check: wholeNumber },
  'max-file-size': { setting: 'maxFileSize', check: wholeNumber },
  'cache-dir': { setting: 'cacheDir', check: (value) => (typeof value === 'string' && value !== '' ? { ok: true, value } : { ok: false, message: `must be a directory path (got ${describeValue(value)})` }) },
  'edit-migrations': { setting: 'editMigrations', check: (value) => (typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: `must be true or false (got ${describeValue(value)})` }) },
};

/**
 * The configuration for a project: the `--config` file when given, else the root's pyproject.toml
 * if it has a `[tool.djfix]` table; undefined when there is none.
 */
export function readConfig(root: string, explicit?: string): ProjectConfig | undefined {
  const file = explicit ? path.resolve(explicit) : path.join(root, 'pyproject.toml');
  const relative = path.relative(process.cwd(), file);
  const shownFile = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  if (!explicit && !fs.existsSync(file)) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${shownFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new ConfigError(`${shownFile}:${error.line}:${error.column}: invalid TOML: ${error.message.split('\n')[0].replace(/^Invalid TOML document: /, '')}`);
  }
  const isPyproject = path.basename(file) === 'pyproject.toml';
  const tool = document.tool;
  const table = isPyproject ? (isTable(tool) ? tool.djfix : undefined) : document;
  if (table === undefined) {
    if (explicit) throw new ConfigError(`${shownFile} has no [tool.djfix] table`);
    return undefined;
  }
  const prefix = isPyproject ? 'tool.djfix.' : '';
  if (!isTable(table)) throw new ConfigError(`${shownFile}: ${prefix.slice(0, -1)} must be a table`);
  return { file: shownFile, settings: settingsOf(table, shownFile, prefix) };
}

function settingsOf(table: Record<string, unknown>, file: string, prefix: string): Partial<Settings> {
  const settings: Partial<Settings> = {};
  const transformOptions: Record<string, TransformOptions> = {};
  for (const [key, value] of Object.entries(table)) {
    const known = KEYS[key];
    const transform = transformById(key);
    if (known) {
      const checked = known.check(value);
      if (!checked.ok) throw new ConfigError(`${file}: ${prefix}${key} ${checked.message}`);
      (settings as Record<string, unknown>)[known.setting] = checked.value;
    } else if (transform) {
      if (!isTable(value)) throw new ConfigError(`${file}: ${prefix}${key} must be a table of ${transform.id}'s options ${knownOptionsText(transform)}`);
      transformOptions[transform.id] = {};
      for (const [name, optionValue] of Object.entries(value)) {
        const declaration = optionDeclaration(transform, name);
        if (!declaration) throw new ConfigError(`${file}: unknown key "${prefix}${key}.${name}" ${knownOptionsText(transform)}`);
        const checked = checkOptionValue(declaration, optionValue);
        if (!checked.ok) throw new ConfigError(`${file}: ${prefix}${key}.${name} ${checked.message}`);
        transformOptions[transform.id][name] = checked.value;
      }
    } else {
      const names = [...Object.keys(KEYS), ...TRANSFORMS.map((candidate) => `[${prefix}${candidate.id}]`)];
      throw new ConfigError(`${file}: unknown key "${prefix}${key}" (known: ${names.join(', ')})`);
    }
  }
  if (Object.keys(transformOptions).length > 0) settings.transformOptions = transformOptions;
  return settings;
}

/**
 * The settings of a run: what the command line gives (`given` says whether the user typed the flag)
 * wins over the file, which wins over the defaults. `--only` and `--skip` are one choice: either on
 * the command line replaces both keys of the file. `--set` wins over the option tables, option by option.
 */
export function withConfig(cli: Settings, given: (setting: keyof Settings) => boolean, config: ProjectConfig | undefined): Settings {
  const file = config?.settings ?? {};
  const pick = <K extends keyof Settings>(key: K): Settings[K] => (given(key) || file[key] === undefined ? cli[key] : (file[key] as Settings[K]));
  const selectionGiven = given('only') || given('skip');
  const transformOptions: Record<string, TransformOptions> = {};
  for (const id of new Set([...Object.keys(file.transformOptions ?? {}), ...Object.keys(cli.transformOptions)])) {
    transformOptions[id] = { ...file.transformOptions?.[id], ...cli.transformOptions[id] };
  }
  return {
    include: pick('include'),
    exclude: pick('exclude'),
    only: selectionGiven ? cli.only : file.only,
    skip: selectionGiven ? cli.skip : file.skip,
    targetDjango: pick('targetDjango'),
    jobs: pick('jobs'),
    maxFileSize: pick('maxFileSize'),
    cacheDir: pick('cacheDir'),
    editMigrations: pick('editMigrations'),
    transformOptions,
  };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
