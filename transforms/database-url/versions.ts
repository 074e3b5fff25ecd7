// What each dj-database-url release accepts and returns, as far as the rewrite depends on it. Read
// from the tagged sources of jazzband/dj-database-url (0.5.0 to 3.1); Debian 12 ships 0.5.0.
import type { Version } from '../../src/project/django-version';

/** The oldest release djfix writes for: Debian 12's, and the first whose config() has every keyword below but the newer ones. */
export const BASELINE: Version = [0, 5];

/** The release each config() keyword appeared in. */
const KEYWORD_SINCE: Record<string, Version> = {
  env: [0, 5],
  default: [0, 5],
  engine: [0, 5],
  conn_max_age: [0, 5],
  ssl_require: [0, 5],
  conn_health_checks: [1, 2],
  test_options: [1, 2],
  disable_server_side_cursors: [2, 2],
};

/** config()'s keywords, in its signature's order. */
export const CONFIG_KEYWORDS = Object.keys(KEYWORD_SINCE);

export function versionAtLeast(version: Version, floor: Version): boolean {
  return version[0] > floor[0] || (version[0] === floor[0] && version[1] >= floor[1]);
}

/** Whether config() takes `keyword` in every release from `floor` on. */
export function configAccepts(keyword: string, floor: Version): boolean {
  const since = KEYWORD_SINCE[keyword];
  return since !== undefined && versionAtLeast(floor, since);
}

/** The first release that has every keyword: the floor a requirement needs. */
export function floorFor(keywords: string[]): Version {
  return keywords.map((keyword) => KEYWORD_SINCE[keyword] ?? BASELINE).reduce((a, b) => (versionAtLeast(a, b) ? a : b), BASELINE);
}

interface Scheme {
  scheme: string;
  /** The ENGINE the scheme gives, by the release it gave it from (ascending). */
  engines: Array<[Version, string]>;
}

// Schemes present in 0.5.0 and every release since, with what each maps to. 1.0 moved postgres://
// from the removed `postgresql_psycopg2` name to `postgresql` (for Django 2.0 and later).
const SCHEMES: Scheme[] = [
  { scheme: 'sqlite', engines: [[[0, 5], 'django.db.backends.sqlite3']] },
  { scheme: 'postgres', engines: [[[0, 5], 'django.db.backends.postgresql_psycopg2'], [[1, 0], 'django.db.backends.postgresql']] },
  { scheme: 'postgis', engines: [[[0, 5], 'django.contrib.gis.db.backends.postgis']] },
  { scheme: 'mysql', engines: [[[0, 5], 'django.db.backends.mysql']] },
  { scheme: 'mysqlgis', engines: [[[0, 5], 'django.contrib.gis.db.backends.mysql']] },
  { scheme: 'mysql-connector', engines: [[[0, 5], 'mysql.connector.django']] },
  { scheme: 'spatialite', engines: [[[0, 5], 'django.contrib.gis.db.backends.spatialite']] },
  { scheme: 'oracle', engines: [[[0, 5], 'django.db.backends.oracle']] },
  { scheme: 'oraclegis', engines: [[[0, 5], 'django.contrib.gis.db.backends.oracle']] },
  { scheme: 'redshift', engines: [[[0, 5], 'django_redshift_backend']] },
  { scheme: 'mssql', engines: [[[0, 5], 'sql_server.pyodbc']] },
];

/** Backend families, for an ENGINE no scheme gives (a wrapper such as django_prometheus or django_tenants). */
const FAMILIES: Array<[RegExp, string]> = [
  [/postgis/, 'postgis'],
  [/postgres|psycopg/, 'postgres'],
  [/spatialite/, 'spatialite'],
  [/sqlite/, 'sqlite'],
  [/mysql/, 'mysql'],
  [/oracle/, 'oracle'],
];

export interface SchemeChoice {
  scheme: string;
  /** config() needs `engine=`: the scheme does not give this ENGINE in every release from the floor on. */
  needsEngine: boolean;
  /** What the scheme gives instead, in some release in range (when `engine=` is needed). */
  differs?: string;
}

/** The URL scheme for an ENGINE, given the oldest dj-database-url release the project may run. */
export function schemeFor(engine: string, floor: Version): SchemeChoice | undefined {
  // The ENGINEs a scheme gives in the releases from the floor on.
  const inRange = (scheme: Scheme) => scheme.engines.filter((_, i) => i === scheme.engines.length - 1 || !versionAtLeast(floor, scheme.engines[i + 1][0])).map(([, name]) => name);
  const exact = SCHEMES.find((scheme) => inRange(scheme).every((name) => name === engine));
  if (exact) return { scheme: exact.scheme, needsEngine: false };
  const family = SCHEMES.find((scheme) => inRange(scheme).includes(engine))?.scheme ?? FAMILIES.find(([pattern]) => pattern.test(engine))?.[1];
  const scheme = SCHEMES.find((candidate) => candidate.scheme === family);
  return scheme ? { scheme: scheme.scheme, needsEngine: true, differs: inRange(scheme).find((name) => name !== engine) } : undefined;
}

/**
 * Schemes whose releases return PORT as text rather than a number (0.5: the oracle ENGINE; 1.0-2.x:
 * oracle and the two SQL Server ENGINEs; 3.x: the oracle, mssql and mssqlms schemes).
 */
export function portMayBeText(scheme: string): boolean {
  return scheme === 'oracle' || scheme === 'mssql';
}

/**
 * Host part decoding: every release lower-cases host names; a percent-encoded host (a socket
 * directory) keeps its case before 3.0 and is lower-cased from 3.0, and releases before 1.2 decode
 * only `%2F` in it.
 */
export const FULL_HOST_DECODING_SINCE: Version = [1, 2];
