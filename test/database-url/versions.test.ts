// What the dj-database-url releases a project allows accept and return.
import { configAccepts, floorFor, schemeFor } from '../../transforms/database-url/versions';

test('config() keywords by release', () => {
  expect(configAccepts('conn_max_age', [0, 5])).toBe(true);
  expect(configAccepts('conn_health_checks', [1, 1])).toBe(false);
  expect(configAccepts('conn_health_checks', [1, 2])).toBe(true);
  expect(configAccepts('disable_server_side_cursors', [2, 1])).toBe(false);
  expect(configAccepts('no_such_keyword', [9, 9])).toBe(false);
  expect(floorFor(['env', 'default', 'conn_max_age'])).toEqual([0, 5]);
  expect(floorFor(['default', 'conn_health_checks'])).toEqual([1, 2]);
});

test('a scheme gives the ENGINE in every release allowed, or engine= keeps it', () => {
  expect(schemeFor('django.db.backends.sqlite3', [0, 5])).toEqual({ scheme: 'sqlite', needsEngine: false });
  expect(schemeFor('django.db.backends.postgresql', [0, 5])).toEqual({ scheme: 'postgres', needsEngine: true, differs: 'django.db.backends.postgresql_psycopg2' });
  expect(schemeFor('django.db.backends.postgresql', [1, 0])).toEqual({ scheme: 'postgres', needsEngine: false });
  expect(schemeFor('django.db.backends.postgresql_psycopg2', [1, 3])).toEqual({ scheme: 'postgres', needsEngine: true, differs: 'django.db.backends.postgresql' });
  expect(schemeFor('django.contrib.gis.db.backends.postgis', [0, 5])).toEqual({ scheme: 'postgis', needsEngine: false });
  expect(schemeFor('django_prometheus.db.backends.mysql', [0, 5])).toEqual({ scheme: 'mysql', needsEngine: true, differs: 'django.db.backends.mysql' });
  expect(schemeFor('django_tenants.postgresql_backend', [2, 0])).toEqual({ scheme: 'postgres', needsEngine: true, differs: 'django.db.backends.postgresql' });
  expect(schemeFor('ldapdb.backends.ldap', [0, 5])).toBeUndefined();
});
