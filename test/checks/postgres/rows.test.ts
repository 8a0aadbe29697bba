import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/postgres/rows.js';
import { runCheck } from '../../support/run-check.js';
import { APP_SCHEMA_SQL, createTestDatabase, EXPECTED_PLANS, type TestDatabase } from '../../support/postgres-server.js';

describe('postgres.rows against the machine server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(APP_SCHEMA_SQL);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('passes the 4 seeded subscription plans with their prices', async () => {
    const v = await runCheck(check, { url: db.url, table: 'plans', count: 4, key: 'name', rows: EXPECTED_PLANS, exact_rows: true });
    expect(v.status).toBe('pass');
    expect(v.message).toBe('table plans has 4 rows, all 4 expected rows match');
  });

  it('compares numeric and boolean columns loosely (numeric comes back as a string)', async () => {
    const v = await runCheck(check, { url: db.url, table: 'plans', key: 'name', rows: [{ name: 'Starter', price: 19, active: true }, { name: 'Enterprise', price: '199.00' }] });
    expect(v.status).toBe('pass');
  });

  it('fails a wrong seed row and shows the actual value next to the expected one', async () => {
    const rows = EXPECTED_PLANS.map((p) => (p.name === 'Starter' ? { ...p, price_cents: 2900 } : p));
    const v = await runCheck(check, { url: db.url, table: 'plans', key: 'name', rows });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 row(s) differ in table plans: name="Starter": price_cents is 1900, expected 2900');
    expect((v.evidence?.details as { differing: unknown[] }).differing).toHaveLength(1);
  });

  it('fails a missing plan and a wrong count', async () => {
    const v = await runCheck(check, { url: db.url, table: 'plans', count: 5, key: 'name', rows: [...EXPECTED_PLANS, { name: 'Team', price_cents: 9900 }] });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('table plans has 4 rows, expected 5; 1 expected row(s) missing from table plans: name="Team"');
  });

  it('runs a read-only SELECT from the profile', async () => {
    const v = await runCheck(check, { url: db.url, query: "SELECT name FROM plans WHERE price_cents > 0 ORDER BY name;", count: 3 });
    expect(v).toMatchObject({ status: 'pass', message: 'query result has 3 rows' });
  });

  it('refuses a query that is not a single SELECT (misconfiguration: error)', async () => {
    const v = await runCheck(check, { url: db.url, query: "DELETE FROM plans", count: 0 });
    expect(v).toMatchObject({ status: 'error', message: 'the check is misconfigured: query must be a SELECT (or WITH … SELECT / VALUES / TABLE)' });
    expect(v.remediation).toMatch(/^Fix the check in the profile/);
    const two = await runCheck(check, { url: db.url, query: "SELECT 1; DROP TABLE plans", count: 1 });
    expect(two.status).toBe('error');
    const [{ n }] = (await db.exec('SELECT count(*)::int AS n FROM plans')).rows;
    expect(n).toBe(4);
  });

  it('a data-modifying statement hidden in a function call is stopped by the READ ONLY transaction', async () => {
    await db.exec("CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql AS $$ DELETE FROM plans RETURNING 1 $$");
    const v = await runCheck(check, { url: db.url, query: 'SELECT sneaky()', count: 1 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/read-only transaction/);
    const [{ n }] = (await db.exec('SELECT count(*)::int AS n FROM plans')).rows;
    expect(n).toBe(4);
  });

  it('fails a missing table', async () => {
    const v = await runCheck(check, { url: db.url, table: 'coupons', min_count: 1 });
    expect(v).toMatchObject({ status: 'fail', message: 'relation "coupons" does not exist' });
  });

  it('fails an empty table when no expectation is given', async () => {
    const v = await runCheck(check, { url: db.url, table: 'webhooks' });
    expect(v).toMatchObject({ status: 'fail', message: 'table webhooks is empty, expected at least one row' });
  });

  it('fails a wrong count although the rows cannot be read, naming the row comparison as unchecked', async () => {
    // A role that may count the table (a column privilege) but not read its rows.
    const role = `readiness_count_only_${db.name.slice(-10)}`;
    await db.exec(`CREATE ROLE ${role} LOGIN; GRANT SELECT (name) ON plans TO ${role}`);
    try {
      const url = db.url.replace('postgres://postgres@', `postgres://${role}@`);
      const v = await runCheck(check, { url, table: 'plans', count: 5, key: 'name', rows: EXPECTED_PLANS });
      expect(v.status).toBe('fail');
      expect(v.message).toBe('table plans has 4 rows, expected 5');
      expect(v.unchecked).toEqual(['could not read the rows of table plans: permission denied for table plans']);
    } finally {
      await db.exec(`REVOKE ALL ON plans FROM ${role}; DROP ROLE ${role}`);
    }
  });

  it('errors when DATABASE_URL is unset', async () => {
    expect(await runCheck(check, { table: 'plans' }, { env: {} })).toMatchObject({ status: 'error', message: 'DATABASE_URL is not set (and no url or host was given)' });
  });
});
