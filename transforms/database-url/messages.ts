// The words of the findings: what djfix read and where, what the fix does, and how the result differs
// from the old settings.
import { stringValue } from '../../src/parse';
import type { AliasPlan } from './convert';

export const SOURCES = ['docs/ref/settings.txt (DATABASES, CONN_MAX_AGE, CONN_HEALTH_CHECKS)', 'docs/ref/databases.txt (persistent connections)', 'https://github.com/jazzband/dj-database-url#readme'];
export const POOL_SOURCE = 'docs/ref/databases.txt (connection pool, Django 5.1+)';

export interface ConversionText {
  where: string;
  plans: AliasPlan[];
  connMaxAge: number;
  dependency: string;
  version: string;
  poolHint?: string;
}

/** `a`, `a and b`, `a, b and c`. */
export function listing(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function sentences(parts: Array<string | undefined>): string {
  return parts
    .filter((part): part is string => Boolean(part))
    .map((part) => part.replace(/\.?$/, '.'))
    .join(' ');
}

/** Notes shared by several databases are said once, naming them. */
function notesOf(plans: AliasPlan[]): string[] {
  const byNote = new Map<string, string[]>();
  for (const plan of plans) for (const note of plan.notes) byNote.set(note, [...(byNote.get(note) ?? []), plan.alias]);
  return [...byNote].map(([note, aliases]) => (plans.length > 1 ? `${listing(aliases)}: ${note}` : note));
}

function keptKeys(plan: AliasPlan): string[] {
  return plan.rewrite.kept.map((pair) => stringValue(pair.childForFieldName('key')!) ?? '');
}

export function conversionMessage(text: ConversionText): string {
  const { plans } = text;
  const added = plans.filter((plan) => plan.addsConnMaxAge);
  const checks = plans.filter((plan) => plan.healthChecks);
  const additions = [
    added.length > 0 ? `CONN_MAX_AGE=${text.connMaxAge} so connections are reused for up to ${text.connMaxAge} seconds` : undefined,
    checks.length > 0 ? 'CONN_HEALTH_CHECKS=True so a reused connection is checked before use' : undefined,
  ].filter((addition): addition is string => addition !== undefined);
  const kept = plans.filter((plan) => plan.rewrite.kept.length > 0);
  const merged = plans.filter((plan) => plan.rewrite.holder);
  return sentences([
    `DATABASES at ${text.where} is written into the settings: every deployment gets this database${added.length > 0 ? ', and Django opens a new connection for every request' : ''}`,
    `It now comes from dj_database_url.config(), with one environment variable per database (${plans.map((plan) => `${plan.alias}: ${plan.envVar}`).join(', ')}); ` +
      `with ${listing(plans.map((plan) => plan.envVar))} unset, DATABASES is what it was, built from the same values${additions.length > 0 ? `, plus ${additions.join(' and ')}` : ''}`,
    kept.length > 0 ? `Kept as written, since a URL has no place for them: ${kept.map((plan) => `${listing(keptKeys(plan))}${plans.length > 1 ? ` (${plan.alias})` : ''}`).join('; ')}` : undefined,
    merged.length > 0 ? `OPTIONS keeps its entries, and the options of a URL's query string are merged over them (through ${listing(merged.map((plan) => plan.rewrite.holder!))})` : undefined,
    `Where ${listing(plans.map((plan) => plan.envVar))} is already set${plans.some((plan) => plan.envVar === 'DATABASE_URL') ? ' (Heroku, Render and many CI services set DATABASE_URL)' : ''}, Django connects to that database from now on; set but empty, it leaves the database unconfigured`,
    ...notesOf(plans),
    ...plans.filter((plan) => plan.pool).map((plan) => `OPTIONS["pool"] (${plan.pool}) turns on Django's connection pool, which rejects persistent connections, so CONN_MAX_AGE of ${plan.alias} stays as it was`),
    ...plans
      .filter((plan) => plan.literalPassword)
      .map((plan) => `The ${plan.alias} password is a literal in the source (${plan.literalPassword}); it stays there, inside the default URL: move it into ${plan.envVar} in the environment and out of the repository`),
    text.poolHint,
    text.dependency,
    text.version,
  ]);
}

export function heldBackMessage(alias: string, where: string, reason: string): string {
  return `The ${alias} database at ${where} stays written into the settings: djfix cannot move it to dj_database_url.config() without changing it (${reason})`;
}

export function dynamicMessage(where: string, reason: string): string {
  return `DATABASES at ${where} ${reason}, so the dict Django gets is decided when the settings load; djfix rewrites only one DATABASES dict written out in full, and leaves this one as it is`;
}

export function environMessage(alias: string, where: string, variable: string): string {
  return (
    `The ${alias} database (${where}) already comes from a URL, through django-environ; djfix does not rewrite it. It sets no CONN_MAX_AGE, so Django opens a new ` +
    `connection for every request: add ?conn_max_age=600 to ${variable} (django-environ reads it from the query string) or set DATABASES["${alias}"]["CONN_MAX_AGE"]`
  );
}
