// Proof that every postgres.* check only reads: run them all on a throwaway server with
// log_statement=all and look at every statement the server received from them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connect from '../../../checks/postgres/connect.js';
import rows from '../../../checks/postgres/rows.js';
import schema from '../../../checks/postgres/schema.js';
import settings from '../../../checks/postgres/settings.js';
import { runCheck } from '../../support/run-check.js';
import { APP_SCHEMA_SQL, EXPECTED_PLANS, startTempPostgres, type TempPostgres } from '../../support/postgres-server.js';

const PASSWORD = 'Ro-proof-SECRET-4471';
// Savepoints are transaction control too: one part of a check that fails must not lose the others.
const ALLOWED = /^(SELECT|SET|SHOW|BEGIN|START TRANSACTION|ROLLBACK|COMMIT|END|SAVEPOINT|RELEASE)\b/i;

describe('postgres.* checks are read-only', () => {
  let srv: TempPostgres;
  beforeAll(async () => {
    srv = await startTempPostgres({ logStatements: true, password: PASSWORD, settings: { archive_mode: 'on', archive_command: "'/bin/true'" } });
    await srv.exec(APP_SCHEMA_SQL);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('sends nothing but reads, SET/SHOW and transaction control, and logs no password', async () => {
    const url = srv.url();
    const logs: string[] = [];
    const verdicts = [
      await runCheck(connect, { url, min_version: 14 }, { logs }),
      await runCheck(schema, { url, min_tables: 11, tables: ['plans'], columns: { plans: ['name'] }, extensions: ['plpgsql'], migrations: { head: 'c3d4e5f6a7b8' } }, { logs }),
      await runCheck(rows, { url, table: 'plans', count: 4, key: 'name', rows: EXPECTED_PLANS }, { logs }),
      await runCheck(rows, { url, query: 'SELECT name FROM plans WHERE price_cents > 0', count: 3 }, { logs }),
      await runCheck(settings, { url, expect: { max_connections: '>= 10', wal_level: 'replica' }, archiving: true }, { logs }),
    ];
    for (const v of verdicts) expect(['pass', 'fail', 'warn']).toContain(v.status);
    expect(verdicts.slice(0, 4).map((v) => v.status)).toEqual(['pass', 'pass', 'pass', 'pass']);

    const statements = srv
      .log()
      .split('\n')
      .map((line) => /app=readiness\s+LOG:\s+(?:statement|execute [^:]*):\s*(.*)$/.exec(line)?.[1]?.trim())
      .filter((s): s is string => s !== undefined);
    expect(statements.length).toBeGreaterThan(15);
    const writes = statements.filter((s) => !ALLOWED.test(s));
    expect(writes).toEqual([]);
    expect(statements.filter((s) => /^BEGIN TRANSACTION READ ONLY$/i.test(s))).toHaveLength(verdicts.length);
    expect(JSON.stringify(verdicts) + logs.join('\n')).not.toContain(PASSWORD);
  });
});
