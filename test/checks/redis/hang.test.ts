// Nothing hangs past its timeout: every redis.* check, pointed at a server that accepts TCP and
// never answers, ends with `error` at its timeout, with a remediation and without the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import auth from '../../../checks/redis/auth.js';
import config from '../../../checks/redis/config.js';
import connect from '../../../checks/redis/connect.js';
import { runCheck } from '../../support/run-check.js';
import { startSilentServer } from '../../support/postgres-server.js';

const PW = 'Hang-SECRET-redis-3391';

describe('redis.* checks against a server that never answers', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.stop();
  });

  it('each ends with error at its timeout', async () => {
    const url = `redis://:${PW}@127.0.0.1:${silent.port}`;
    const started = Date.now();
    const verdicts = await Promise.all([connect, auth, config].map((check) => runCheck(check, { url }, { timeoutMs: 800 })));
    expect(Date.now() - started).toBeLessThan(2500);
    for (const v of verdicts) {
      expect(v.status).toBe('error');
      // connect/config hang in their AUTH, redis.auth first tries without credentials (its PING hangs).
      expect(v.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${silent.port} did not answer within 800ms \\((during authentication|waiting for the response)\\)$`));
      expect(v.remediation).toMatch(/listening at 127\.0\.0\.1:\d+/);
      expect(JSON.stringify(v)).not.toContain(PW);
    }
  });
});
