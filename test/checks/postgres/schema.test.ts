import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/postgres/schema.js';
import { runCheck } from '../../support/run-check.js';
import { APP_SCHEMA_SQL, createTestDatabase, type TestDatabase } from '../../support/postgres-server.js';

const ALL_TABLES = ['users', 'plans', 'subscriptions', 'invoices', 'payments', 'api_keys', 'sessions', 'audit_log', 'email_templates', 'webhooks', 'alembic_version'];

describe('postgres.schema against the machine server', () => {
  let db: TestDatabase;
  let empty: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(APP_SCHEMA_SQL);
    empty = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    await empty?.drop();
  });

  it('passes a fully migrated schema: 11 tables, columns, extension, Alembic head', async () => {
    const v = await runCheck(check, {
      url: db.url, tables: ALL_TABLES, min_tables: 11, exact_tables: true,
      columns: { users: ['id', 'email'], plans: ['name', 'price_cents'] }, extensions: ['plpgsql'],
      migrations: { head: 'c3d4e5f6a7b8' },
    });
    expect(v.status).toBe('pass');
    expect(v.message).toBe('schema public has 11 tables; all 11 expected tables present; Alembic migrations at c3d4e5f6a7b8 (1 applied)');
  });

  it('fails a missing table and lists missing and unexpected tables in the evidence', async () => {
    const v = await runCheck(check, { url: db.url, tables: ['users', 'plans', 'coupons'] });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 of 3 expected tables missing: coupons');
    expect(v.evidence?.details).toMatchObject({ missing_tables: ['coupons'] });
    expect((v.evidence?.details as { unexpected_tables: string[] }).unexpected_tables).toContain('invoices');
  });

  it('fails min_tables with the actual count', async () => {
    const v = await runCheck(check, { url: db.url, min_tables: 12 });
    expect(v).toMatchObject({ status: 'fail', message: 'schema public has 11 tables, expected at least 12' });
  });

  it('fails missing columns and missing extensions', async () => {
    const v = await runCheck(check, { url: db.url, columns: { users: ['email', 'last_login'] }, extensions: ['pgcrypto'] });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('1 column(s) missing: users.last_login');
    expect(v.message).toContain('extension(s) not installed: pgcrypto');
    expect(v.remediation).toContain('CREATE EXTENSION');
  });

  it('fails a migration head that is not applied yet (pending migrations)', async () => {
    const v = await runCheck(check, { url: db.url, migrations: { head: 'ffff00001111' } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('migration head is c3d4e5f6a7b8, expected ffff00001111 (ffff00001111 not applied yet: migrations are pending)');
  });

  it('fails an empty database: no tables, migrations never run', async () => {
    const v = await runCheck(check, { url: empty.url, min_tables: 11, migrations: true });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('schema public has 0 tables, expected at least 11');
    expect(v.message).toContain('no migrations table in schema public');
  });

  it('fails a Prisma migration that failed halfway', async () => {
    await empty.exec(`CREATE TABLE _prisma_migrations (id text PRIMARY KEY, migration_name text, started_at timestamptz, finished_at timestamptz, rolled_back_at timestamptz, logs text);
      INSERT INTO _prisma_migrations VALUES ('1', '20240101_init', now(), now(), NULL, NULL), ('2', '20240301_add_plans', now(), NULL, NULL, 'boom');`);
    const v = await runCheck(check, { url: empty.url, migrations: true });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('_prisma_migrations has 1 failed or unfinished migration(s): 20240301_add_plans');
  });

  it('fails a missing table although the migrations table cannot be read, naming the migrations as unchecked', async () => {
    const role = `readiness_no_read_${db.name.slice(-10)}`;
    await db.exec(`CREATE ROLE ${role} LOGIN`);
    try {
      const url = db.url.replace('postgres://postgres@', `postgres://${role}@`);
      const v = await runCheck(check, { url, tables: ['users', 'coupons'], extensions: ['plpgsql'], migrations: { head: 'c3d4e5f6a7b8' } });
      expect(v.status).toBe('fail');
      expect(v.message).toBe('1 of 2 expected tables missing: coupons');
      expect(v.unchecked).toEqual(['could not read the migrations table alembic_version: permission denied for table alembic_version']);
    } finally {
      await db.exec(`DROP ROLE ${role}`);
    }
  });

  it('errors (cannot check) when the server is down, and when DATABASE_URL is unset', async () => {
    expect(await runCheck(check, { url: 'postgres://postgres@127.0.0.1:1/x', tables: ['users'] })).toMatchObject({ status: 'error', message: 'connection refused at 127.0.0.1:1' });
    expect(await runCheck(check, { tables: ['users'] }, { env: {} })).toMatchObject({ status: 'error', message: 'DATABASE_URL is not set (and no url or host was given)' });
  });

  it('routes a sqlite: DATABASE_URL to the SQLite logic', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'readiness-sqlite-'));
    try {
      const file = new Database(path.join(dir, 'dev.db'));
      file.exec('CREATE TABLE users (id integer primary key, email text); CREATE TABLE plans (id integer primary key, name text);');
      file.close();
      const env = { DATABASE_URL: 'sqlite:///dev.db' };
      const ok = await runCheck(check, { tables: ['users', 'plans'], extensions: ['pgcrypto'] }, { env, baseDir: dir });
      expect(ok.status).toBe('pass');
      expect(ok.message).toBe('database has 2 tables; all 2 expected tables present');
      expect((ok.evidence?.details as { extensions: string }).extensions).toMatch(/not applicable to SQLite/);
      const bad = await runCheck(check, { tables: ['users', 'invoices'] }, { env, baseDir: dir });
      expect(bad).toMatchObject({ status: 'fail', message: '1 of 2 expected tables missing: invoices' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
