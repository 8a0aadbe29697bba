import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/sqlite/schema.js';
import { runCheck } from '../../support/run-check.js';

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('sqlite.schema', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'readiness-sqlite-'));
    file = path.join(dir, 'app.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
      CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT, price_cents INTEGER);
      CREATE VIEW paid_plans AS SELECT * FROM plans WHERE price_cents > 0;
      CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, dirty BOOLEAN);
      INSERT INTO schema_migrations VALUES ('20240301120000', 0);`);
    db.close();
    writeFileSync(path.join(dir, 'not-a-db.db'), 'hello, this is text and not SQLite at all'.repeat(40));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes expected tables, a view, columns and golang-migrate head — without changing the file', async () => {
    const before = hash(file);
    const v = await runCheck(check, {
      path: 'app.db', tables: ['users', 'plans', 'paid_plans'], columns: { plans: ['name', 'price_cents'] },
      min_tables: 3, migrations: { head: '20240301120000' },
    }, { baseDir: dir });
    expect(v.status).toBe('pass');
    expect(v.message).toBe('database has 3 tables; all 3 expected tables present; golang-migrate migrations at 20240301120000 (1 applied)');
    expect(hash(file)).toBe(before);
  });

  it('fails a missing table and a missing column', async () => {
    const v = await runCheck(check, { path: file, tables: ['users', 'invoices'], columns: { users: ['email', 'name'] } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 of 2 expected tables missing: invoices; 1 column(s) missing: users.name');
  });

  it('fails a dirty migration', async () => {
    const dirty = path.join(dir, 'dirty.db');
    const db = new Database(dirty);
    db.exec("CREATE TABLE schema_migrations (version TEXT, dirty BOOLEAN); INSERT INTO schema_migrations VALUES ('7', 1);");
    db.close();
    const v = await runCheck(check, { path: dirty, migrations: true });
    expect(v).toMatchObject({ status: 'fail', message: 'schema_migrations has 1 failed or unfinished migration(s): 7' });
    expect((v.evidence?.expected as { migrations: unknown }).migrations).toBe('a migrations table with no failed or half-applied entry');
  });

  it('reads DATABASE_URL (sqlite:/// relative to the profile, sqlite://// absolute, file:)', async () => {
    expect((await runCheck(check, { tables: ['users'] }, { env: { DATABASE_URL: 'sqlite:///app.db' }, baseDir: dir })).status).toBe('pass');
    expect((await runCheck(check, { tables: ['users'] }, { env: { DATABASE_URL: `sqlite:///${file}` } })).status).toBe('pass');
    expect((await runCheck(check, { url: 'file:./app.db', tables: ['users'] }, { baseDir: dir })).status).toBe('pass');
  });

  it('errors on a missing file, a file that is not SQLite, a postgres URL and an unset DATABASE_URL', async () => {
    expect(await runCheck(check, { path: 'nope.db', tables: ['users'] }, { baseDir: dir })).toMatchObject({ status: 'error', message: `database file ${path.join(dir, 'nope.db')} does not exist` });
    expect(await runCheck(check, { path: 'not-a-db.db', tables: ['users'] }, { baseDir: dir })).toMatchObject({ status: 'error', message: `${path.join(dir, 'not-a-db.db')} is not an SQLite database` });
    const pgUrl = await runCheck(check, { url: 'postgres://app:Pg-SECRET-123@db/app', tables: ['users'] });
    expect(pgUrl.status).toBe('error');
    expect(pgUrl.message).toContain('use the postgres.* checks');
    expect(JSON.stringify(pgUrl)).not.toContain('Pg-SECRET-123');
    expect(await runCheck(check, { tables: ['users'] }, { env: {} })).toMatchObject({ status: 'error', message: 'DATABASE_URL is not set (and no path or url was given)' });
  });
});
