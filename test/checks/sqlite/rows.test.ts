import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/sqlite/rows.js';
import { runCheck } from '../../support/run-check.js';
import { EXPECTED_PLANS } from '../../support/postgres-server.js';

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('sqlite.rows', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'readiness-sqlite-'));
    file = path.join(dir, 'dev.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT, price_cents INTEGER, active BOOLEAN);
      INSERT INTO plans (name, price_cents, active) VALUES ('Free', 0, 1), ('Starter', 1900, 1), ('Professional', 4900, 1), ('Enterprise', 19900, 0);`);
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the 4 plans with their prices (booleans stored as 0/1 compare to true/false)', async () => {
    const before = hash(file);
    const v = await runCheck(check, { path: file, table: 'plans', count: 4, key: 'name', rows: [...EXPECTED_PLANS.slice(0, 3), { name: 'Enterprise', price_cents: 19900, active: false }], exact_rows: true });
    expect(v).toMatchObject({ status: 'pass', message: 'table plans has 4 rows, all 4 expected rows match' });
    expect(hash(file)).toBe(before);
  });

  it('fails a wrong seed row with actual and expected values, and an unexpected row with exact_rows', async () => {
    const v = await runCheck(check, { path: file, table: 'plans', key: 'name', rows: [{ name: 'Free', price_cents: 0 }, { name: 'Starter', price_cents: 2900 }], exact_rows: true });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 row(s) differ in table plans: name="Starter": price_cents is 1900, expected 2900; 2 unexpected row(s) in table plans: name="Professional", name="Enterprise"');
  });

  it('without a key, shows the closest row that differs', async () => {
    const v = await runCheck(check, { path: file, table: 'plans', rows: [{ name: 'Starter', price_cents: 2900 }] });
    expect(v.message).toBe('1 row(s) differ in table plans: name="Starter", price_cents=2900: price_cents is 1900, expected 2900');
  });

  it('runs a read-only SELECT and refuses a writing one', async () => {
    expect(await runCheck(check, { path: file, query: 'SELECT * FROM plans WHERE price_cents > 0', min_count: 3 })).toMatchObject({ status: 'pass', message: 'query result has 3 rows' });
    expect((await runCheck(check, { path: file, query: 'UPDATE plans SET price_cents = 0', count: 1 })).status).toBe('error');
    expect((await runCheck(check, { path: file, query: 'WITH x AS (SELECT 1) DELETE FROM plans', count: 1 })).status).toBe('error');
  });

  it('fails a missing table, errors on a missing file', async () => {
    expect(await runCheck(check, { path: file, table: 'coupons', count: 1 })).toMatchObject({ status: 'fail', message: 'no such table: coupons' });
    expect((await runCheck(check, { path: path.join(dir, 'gone.db'), table: 'plans' })).status).toBe('error');
  });

  it('errors on table and query together, or neither', async () => {
    expect(await runCheck(check, { path: file, table: 'plans', query: 'SELECT 1' })).toMatchObject({ status: 'error', message: 'the check is misconfigured: give `table` or `query`, not both' });
    expect(await runCheck(check, { path: file })).toMatchObject({ status: 'error', message: 'the check is misconfigured: give either `table` or `query`' });
  });
});
