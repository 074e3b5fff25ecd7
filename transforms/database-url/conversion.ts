// The one change a settings file gets: the new alias values, the config holders, the imports and
// the dependency, and the finding that explains all of it.
import type { Finding, TextEdit } from '../../src/model';
import { mergeInsertions } from '../../src/edits';
import { addImports } from '../../src/imports';
import { atLeast } from '../../src/project/django-version';
import { lineEnding, positionOf } from '../../src/source';
import type { AnalysisContext } from '../types';
import type { AliasPlan, AliasSite } from './convert';
import { addRequirement, Addition, Dependencies } from './dependencies';
import { indentAt, lineStart } from './layout';
import { conversionMessage, POOL_SOURCE, SOURCES } from './messages';
import { renderAlias, urlCode } from './render';
import { usesQuote } from './url';
import { BASELINE, CONFIG_KEYWORDS, configAccepts, floorFor } from './versions';

/** The dj-database-url releases a project may run. */
export interface ProjectRelease {
  floor: [number, number];
  /** The project declares a lower bound (or a lock file pins one). */
  known: boolean;
  /** Why the project's dj-database-url is too old to write for. */
  tooOld?: string;
}

export interface ConversionInput {
  converted: Array<{ plan: AliasPlan; site: AliasSite }>;
  dependencies: Dependencies;
  /** The directory of the project the settings belong to, when it is not the root djfix runs in. */
  nested?: string;
  release: ProjectRelease;
  connMaxAge: number;
}

export function conversion(context: AnalysisContext, input: ConversionInput): Finding {
  const { file } = context;
  const { converted, release } = input;
  const eol = lineEnding(file.text);
  const plans = converted.map(({ plan }) => plan);
  const edits: TextEdit[] = [];
  for (const { plan, site } of converted) {
    const statement = site.statement.node;
    const rendered = renderAlias(file.text, plan.rewrite, urlCode(plan.url, plan.rewrite.quote), indentAt(file.text, statement.startIndex), eol);
    edits.push({ start: plan.rewrite.value.startIndex, end: plan.rewrite.value.endIndex, text: rendered.value });
    // The config holder goes right above the statement that defines the alias.
    if (rendered.statement) edits.push({ start: lineStart(file.text, statement.startIndex), end: lineStart(file.text, statement.startIndex), text: rendered.statement });
  }
  const imports = addImports(file.text, file.tree, [{ module: 'dj_database_url' }, ...(plans.some((plan) => usesQuote(plan.url)) ? [{ module: 'urllib.parse', name: 'quote' }] : [])]);
  const files = [{ path: file.path, kind: 'edit' as const, edits: mergeInsertions([...imports, ...edits]) }];

  const used = new Set(plans.flatMap((plan) => plan.rewrite.arguments.map(([name]) => name)));
  const keywords = CONFIG_KEYWORDS.filter((keyword) => used.has(keyword));
  const { text: dependency, change } = dependencyText(context, input, floorFor(keywords));
  if (change) files.push(change);
  const healthChecksAsKey = plans.some((plan) => plan.healthChecks === 'key') && !configAccepts('conn_health_checks', release.floor);
  const version = release.known
    ? `The call uses only arguments dj-database-url ${release.floor.join('.')} and later have (${keywords.join(', ')})`
    : `The project does not pin dj-database-url, so the call uses only arguments its ${BASELINE.join('.')}.0 release has (${keywords.join(', ')}; Debian 12 ships 0.5.0)` +
      (healthChecksAsKey ? '; CONN_HEALTH_CHECKS is set as a key since config() takes conn_health_checks only from 1.2 on' : '');
  const poolHint = nativePoolHint(context, input);
  const first = converted.map(({ site }) => site.statement).sort((a, b) => a.node.startIndex - b.node.startIndex)[0];
  return {
    transform: 'database-url',
    code: 'convert',
    location: { path: file.path, ...positionOf(file.text, first.node.startIndex) },
    message: conversionMessage({ where: `${file.path}:${first.line}`, plans, connMaxAge: input.connMaxAge, dependency, version, poolHint }),
    sources: plans.some((plan) => plan.pool) || poolHint ? [...SOURCES, POOL_SOURCE] : SOURCES,
    change: { safety: 'review', files },
  };
}

/** What the message says about the dependency, and the edit that adds it. */
function dependencyText(context: AnalysisContext, input: ConversionInput, floor: [number, number]): { text: string; change?: { path: string; kind: 'edit'; edits: TextEdit[] } } {
  const declared = input.dependencies.declared.get('dj-database-url');
  if (declared) return { text: `dj-database-url is already a dependency (${declared[0].path}: ${declared[0].text})` };
  const requirement = `dj-database-url>=${floor.join('.')}.0`;
  const addition: Addition =
    input.nested === undefined
      ? addRequirement(context.index.dependencyFiles, input.dependencies, context.readText, 'dj-database-url', floor)
      : { ok: false, reason: `the settings belong to the project in ${input.nested}/ (its manage.py) and djfix reads dependency files only where it runs; add ${requirement} to that project's dependencies, or run djfix in ${input.nested}/` };
  if (!addition.ok) return { text: `dj-database-url is not added to a dependency file: ${addition.reason}` };
  const edits = addition.change.kind === 'edit' ? addition.change.edits : [];
  return { text: `${addition.path} gets ${requirement}${addition.followUp ? `; ${addition.followUp}` : ''}`, change: { path: addition.path, kind: 'edit', edits } };
}

/** Django 5.1+ pools PostgreSQL connections itself with psycopg 3: worth a mention where both are there. */
function nativePoolHint(context: AnalysisContext, input: ConversionInput): string | undefined {
  const plans = input.converted.map(({ plan }) => plan);
  const postgres = plans.some((plan) => plan.scheme === 'postgres' || plan.scheme === 'postgis');
  const psycopg = ['psycopg', 'psycopg-binary', 'psycopg-c'].map((name) => input.dependencies.declared.get(name)?.[0]).find((entry) => entry !== undefined);
  if (!postgres || !psycopg || !atLeast(context.index.django, [5, 1]) || plans.some((plan) => plan.pool)) return undefined;
  return `With Django 5.1+ and psycopg 3 (${psycopg.path}), Django can pool connections itself: OPTIONS={"pool": True} with CONN_MAX_AGE 0 instead of persistent connections, worth it under many workers; djfix does not switch to it`;
}
