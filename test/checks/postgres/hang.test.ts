import type { CheckType } from '../../../src/check.js';
// Nothing hangs past its timeout: every postgres.* check, pointed at a server that accepts TCP and
// never answers, ends with `error` at its timeout, with a remediation and without the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import connect from '../../../checks/postgres/connect.js';
import rows from '../../../checks/postgres/rows.js';
import schema from '../../../checks/postgres/schema.js';
import settings from '../../../checks/postgres/settings.js';
import { runCheck } from '../../support/run-check.js';
import { startSilentServer } from '../../support/postgres-server.js';

const PW = 'Hang-SECRET-pg-6620';

describe('postgres.* checks against a server that never answers', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.stop();
  });

  it('each ends with error at its timeout', async () => {
    const url = `postgres://app:${PW}@127.0.0.1:${silent.port}/app`;
    const cases = [
      [connect, { url }],
      [schema, { url, tables: ['plans'] }],
      [rows, { url, table: 'plans', count: 4 }],
      [settings, { url, expect: { max_connections: '>= 100' } }],
    ] as const;
    const started = Date.now();
    const verdicts = await Promise.all(cases.map(([check, params]) => runCheck(check as CheckType, params, { timeoutMs: 800 })));
    expect(Date.now() - started).toBeLessThan(2500);
    for (const v of verdicts) {
      expect(v).toMatchObject({ status: 'error', message: `127.0.0.1:${silent.port} did not answer within 800ms (while connecting)` });
      expect(v.remediation).toMatch(/listening at 127\.0\.0\.1:\d+/);
      expect(JSON.stringify(v)).not.toContain(PW);
    }
  });
});
