// Pure tests of the shared database logic in src/db (used by postgres.* and sqlite.*).
import { describe, expect, it } from 'vitest';
import { compactEvidence, compareVersions, looseEqual, meetsExpectation, parseExpectation, parseSize, parseVersion, quoteIdent, scrub } from '../../../src/db/compare.js';
import { evaluateRows, evaluateSchema, readOnlyQueryProblem, summarizeMigrations, type SchemaExpectation, type SchemaFacts } from '../../../src/db/expect.js';
import { describePgError } from '../../../src/db/pg.js';
import { resolveDbTarget, sqlitePathFromUrl, type PgTarget } from '../../../src/db/target.js';

describe('versions, sizes and expectations', () => {
  it('parses PostgreSQL and Redis versions', () => {
    expect(parseVersion('150004')).toEqual([15, 4]);
    expect(parseVersion('90624')).toEqual([9, 6, 24]);
    expect(parseVersion('7.0.15')).toEqual([7, 0, 15]);
    expect(parseVersion(14)).toEqual([14]);
    expect(parseVersion('latest')).toBeUndefined();
    expect(compareVersions([13, 4], [14])).toBeLessThan(0);
    expect(compareVersions([14], [14, 0])).toBe(0);
  });
  it('parses Redis sizes', () => {
    expect(parseSize('256mb')).toBe(256 * 1024 ** 2);
    expect(parseSize('1g')).toBe(1e9);
    expect(parseSize('100')).toBe(100);
    expect(parseSize('lots')).toBeUndefined();
  });
  it('evaluates >= / list / boolean expectations', () => {
    expect(meetsExpectation('100', parseExpectation('>= 100'))).toBe(true);
    expect(meetsExpectation('99', parseExpectation('>=100'))).toBe(false);
    expect(meetsExpectation('replica', parseExpectation(['replica', 'logical']))).toBe(true);
    expect(meetsExpectation('on', parseExpectation(true))).toBe(true);
    expect(meetsExpectation('off', parseExpectation('!= off'))).toBe(false);
    expect(meetsExpectation('abc', parseExpectation('> 3'))).toBeUndefined();
  });
});

describe('looseEqual', () => {
  it('forgives driver spellings', () => {
    expect(looseEqual(19, '19.00')).toBe(true);
    expect(looseEqual('19.00', 19)).toBe(true);
    expect(looseEqual(true, 1)).toBe(true);
    expect(looseEqual(false, 't')).toBe(false);
    expect(looseEqual('2024-01-01', new Date('2024-01-01T00:00:00Z'))).toBe(true);
    expect(looseEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(looseEqual(null, null)).toBe(true);
    expect(looseEqual(0, null)).toBe(false);
    expect(looseEqual('Starter', 'starter')).toBe(false);
  });
});

describe('scrub and identifiers', () => {
  it('removes URL passwords and planted secrets', () => {
    expect(scrub('failed for postgres://app:s3cr3t-pw@db/app')).toBe('failed for postgres://app:***@db/app');
    expect(scrub('the pw is Hunter22!', ['Hunter22!'])).toBe('the pw is ***');
    expect(scrub('encoded p%40ss%2Fword here', ['p@ss/word'])).toBe('encoded *** here');
  });
  it('drops undefined keys from evidence so reports show only what was asked and found', () => {
    const ev = compactEvidence({ expected: { count: 4, min_count: undefined }, actual: { count: 3, rows: [1, undefined] }, details: { target: 't', x: undefined } });
    expect(ev).toEqual({ expected: { count: 4 }, actual: { count: 3, rows: [1, undefined] }, details: { target: 't' } });
    expect(compactEvidence({ expected: '> 0', actual: 0 })).toEqual({ expected: '> 0', actual: 0 });
  });
  it('quotes identifiers', () => {
    expect(quoteIdent('public.plans')).toBe('"public"."plans"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});

describe('connection targets', () => {
  it('parses a postgres URL with percent-encoded password and sslmode', () => {
    const { target } = resolveDbTarget({ url: 'postgresql://app:p%40ss@db.internal:6432/appdb?sslmode=verify-full', url_env: 'DATABASE_URL' }, {}, '/');
    expect(target).toMatchObject({ kind: 'postgres', host: 'db.internal', port: 6432, user: 'app', password: 'p@ss', database: 'appdb', sslmode: 'verify-full', label: 'app@db.internal:6432/appdb' });
    expect(target!.label).not.toContain('p@ss');
  });
  it('lets fields override the URL and defaults sslmode', () => {
    const { target } = resolveDbTarget({ url: 'postgres://app@db/app', url_env: 'DATABASE_URL', port: 5433, database: 'other' }, {}, '/', 'require');
    expect(target).toMatchObject({ port: 5433, database: 'other', sslmode: 'require' });
  });
  it('routes sqlite: and file: URLs, relative to the profile directory', () => {
    expect(sqlitePathFromUrl('sqlite:///dev.db')).toBe('dev.db');
    expect(sqlitePathFromUrl('sqlite:////var/app.db')).toBe('/var/app.db');
    expect(sqlitePathFromUrl('file:./dev.db?mode=ro')).toBe('./dev.db');
    expect(sqlitePathFromUrl('sqlite://:memory:')).toBeUndefined();
    expect(resolveDbTarget({ url_env: 'DATABASE_URL' }, { DATABASE_URL: 'sqlite:///data/dev.db' }, '/srv/app').target).toMatchObject({ kind: 'sqlite', path: '/srv/app/data/dev.db' });
  });
  it('explains unusable targets without echoing the URL', () => {
    expect(resolveDbTarget({ url_env: 'DATABASE_URL' }, {}, '/').problem).toBe('DATABASE_URL is not set (and no url or host was given)');
    const bad = resolveDbTarget({ url: 'mysql://root:Sekrit-123@db/app', url_env: 'DATABASE_URL' }, {}, '/').problem!;
    expect(bad).toContain('unsupported URL scheme "mysql:"');
    expect(bad).not.toContain('Sekrit-123');
    expect(resolveDbTarget({ url: 'postgres://db/app?sslmode=maybe', url_env: 'DATABASE_URL' }, {}, '/').problem).toMatch(/unknown sslmode "maybe"/);
  });
});

describe('describePgError', () => {
  const target: PgTarget = { kind: 'postgres', host: 'db', port: 5432, user: 'app', password: 'Pw-SECRET-1', database: 'app', sslmode: 'require', label: 'app@db:5432/app' };
  it('gives one plain sentence per failure', () => {
    expect(describePgError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }), target, 2000).message).toBe('connection refused at db:5432');
    expect(describePgError(Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' }), target, 2000).message).toBe('cannot resolve host "db": no such host (ENOTFOUND)');
    expect(describePgError(new Error('Connection terminated due to connection timeout'), target, 2000).message).toBe('db:5432 did not answer within 2s (while connecting)');
    expect(describePgError(new Error('The server does not support SSL connections'), target, 2000).message).toBe('server at db:5432 refused TLS (sslmode=require)');
    expect(describePgError(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01', severity: 'FATAL' }), target, 2000)).toMatchObject({ kind: 'auth', message: 'db:5432 rejected the password of user "app" (28P01)', failure: { kind: 'auth-rejected', code: '28P01', where: 'db:5432' } });
    expect(describePgError(Object.assign(new Error('x'), { code: '3D000' }), target, 2000).message).toBe('database "app" does not exist on db:5432 (3D000)');
  });
  it('never repeats the password', () => {
    expect(describePgError(new Error('weird failure mentioning Pw-SECRET-1'), target, 2000).message).not.toContain('Pw-SECRET-1');
  });
});

describe('schema and rows decisions', () => {
  const facts: SchemaFacts = { engine: 'postgres', schema: 'public', tables: { users: ['id', 'email'], plans: ['id', 'name'] }, views: {}, extensions: { plpgsql: '1.0' } };
  const expectation = (over: Partial<SchemaExpectation>): SchemaExpectation => ({ tables: [], exact_tables: false, columns: {}, extensions: [], ...over });
  it('lists missing and unexpected tables', () => {
    const v = evaluateSchema(facts, expectation({ tables: ['users', 'invoices'], exact_tables: true }));
    expect(v.message).toBe('1 of 2 expected tables missing: invoices; 1 unexpected table(s) in schema public: plans');
    expect(v.evidence?.details).toMatchObject({ missing_tables: ['invoices'], unexpected_tables: ['plans'] });
  });
  it('summarizes each migration tool', () => {
    expect(summarizeMigrations('alembic_version', [{ version_num: 'abc' }])).toMatchObject({ tool: 'Alembic', heads: ['abc'] });
    expect(summarizeMigrations('knex_migrations', [{ id: 1, name: '20240101_a.js', batch: 1 }, { id: 2, name: '20240202_b.js', batch: 2 }])).toMatchObject({ tool: 'Knex', heads: ['20240202_b.js'], applied: 2 });
    expect(summarizeMigrations('schema_migrations', [{ version: '9' }, { version: '10' }])).toMatchObject({ heads: ['10'] });
    expect(summarizeMigrations('flyway_schema_history', [{ installed_rank: 1, version: '1', success: true }, { installed_rank: 2, version: '2', success: false }])).toMatchObject({ tool: 'Flyway', failed: ['2'], heads: ['1'] });
  });
  it('says when the database is ahead of the expected head', () => {
    const v = evaluateSchema({ ...facts, tables: { ...facts.tables, schema_migrations: ['version'] }, migrations: { table: 'schema_migrations', rows: [{ version: '1' }, { version: '2' }] } },
      expectation({ migrations: { head: ['1'] } }));
    expect(v.message).toBe('migration head is 2, expected 1 (the database is ahead of the expected head)');
  });
  it('compares row counts and bounds', () => {
    expect(evaluateRows({ source: 'table plans', count: 3 }, { min_count: 4, exact_rows: false }).message).toBe('table plans has 3 rows, expected at least 4');
    expect(evaluateRows({ source: 'table plans', count: 9 }, { max_count: 4, exact_rows: false }).message).toBe('table plans has 9 rows, expected at most 4');
    expect(evaluateRows({ source: 'table plans', count: 1 }, { exact_rows: false }).status).toBe('pass');
  });
  it('accepts only single read-only statements', () => {
    expect(readOnlyQueryProblem('SELECT 1;')).toBeUndefined();
    expect(readOnlyQueryProblem("SELECT ';' AS semi")).toBeUndefined();
    expect(readOnlyQueryProblem('WITH d AS (DELETE FROM plans RETURNING *) SELECT * FROM d')).toMatch(/must not modify/);
    expect(readOnlyQueryProblem('SELECT 1; SELECT 2')).toMatch(/single statement/);
    expect(readOnlyQueryProblem('TRUNCATE plans')).toMatch(/must be a SELECT/);
  });
});

describe('parts that could not be read', () => {
  const facts: SchemaFacts = { engine: 'postgres', schema: 'public', tables: { users: ['id', 'email'] }, views: {}, extensionsError: 'a query was cancelled after statement_timeout (5s)' };
  it('fails a missing table even when the extensions could not be read, naming them as unchecked', () => {
    const v = evaluateSchema(facts, { tables: ['users', 'plans'], exact_tables: false, columns: {}, extensions: ['pgcrypto'] });
    expect(v).toMatchObject({ status: 'fail', message: '1 of 2 expected tables missing: plans', unchecked: ['could not read the installed extensions: a query was cancelled after statement_timeout (5s)'] });
  });
  it('fails a wrong count even when the rows could not be read; an error, not a pass, when nothing else is wrong', () => {
    const expectation = { count: 4, key: 'name', rows: [{ name: 'Starter' }], exact_rows: false };
    const v = evaluateRows({ source: 'table plans', count: 3, rowsError: 'permission denied for table plans' }, expectation);
    expect(v).toMatchObject({ status: 'fail', message: 'table plans has 3 rows, expected 4', unchecked: ['could not read the rows of table plans: permission denied for table plans'] });
    expect(evaluateRows({ source: 'table plans', count: 4, rowsError: 'permission denied for table plans' }, expectation).status).toBe('error');
  });
  it('does not call a row missing when only the first max_rows rows were read', () => {
    const rows = [{ name: 'Free', price_cents: 0 }, { name: 'Starter', price_cents: 1900 }];
    const expectation = { count: 9, key: 'name', rows: [{ name: 'Starter', price_cents: 2900 }, { name: 'Team', price_cents: 9900 }], exact_rows: false };
    const v = evaluateRows({ source: 'table plans', count: 3, rows, truncated: true }, expectation);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('table plans has 3 rows, expected 9; 1 row(s) differ in table plans: name="Starter": price_cents is 1900, expected 2900');
    expect(v.unchecked).toEqual(['cannot tell whether 1 expected row(s) are in table plans: name="Team"; only the first 2 rows were read (raise max_rows)']);
    const noKey = evaluateRows({ source: 'table plans', count: 3, rows, truncated: true }, { rows: [{ name: 'Team', price_cents: 0 }], exact_rows: false });
    expect(noKey.status).toBe('error');
  });
});

describe('rows evidence', () => {
  it('shows only the columns the profile asks about', () => {
    const rows = [{ id: 1, name: 'Starter', price_cents: 1900, api_token: 'tok_SECRET_abc' }];
    const v = evaluateRows({ source: 'table plans', count: 1, rows }, { key: 'name', rows: [{ name: 'Starter', price_cents: 2900 }], exact_rows: false });
    expect(v.status).toBe('fail');
    expect(JSON.stringify(v)).not.toContain('tok_SECRET_abc');
    expect((v.evidence?.actual as { rows: unknown[] }).rows).toEqual([{ name: 'Starter', price_cents: 1900 }]);
  });
});
