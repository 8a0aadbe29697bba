// redis.connect over TLS against a real TLS-only redis-server (tls-port, self-signed certificate for
// localhost): trusted → pass "over TLS"; untrusted or wrong host name → fail with the TLS reason;
// plain redis:// to a TLS port → could not check, pointing at rediss://. No password in any output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../../checks/redis/connect.js';
import { runCli } from '../../support/cli.js';
import { runCheck } from '../../support/run-check.js';
import { startTempRedis, type TempRedis } from '../../support/redis-server.js';
import { tempProject } from '../../support/temp-profile.js';

const PW = 'Tls-SECRET-redis-7001';

describe('redis.connect over TLS', () => {
  let srv: TempRedis;
  beforeAll(async () => {
    srv = await startTempRedis({ tls: true, password: PW });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('fails an untrusted (self-signed) certificate with the TLS reason and a remediation', async () => {
    const v = await runCheck(check, { url: `rediss://:${PW}@localhost:${srv.port}` });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`the TLS certificate of localhost:${srv.port} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    expect(v.remediation).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(JSON.stringify(v)).not.toContain(PW);
  });

  it('says "could not check" and points at rediss:// when a plain connection reaches a TLS port', async () => {
    const v = await runCheck(check, { url: `redis://:${PW}@127.0.0.1:${srv.port}` }, { timeoutMs: 2000 });
    expect(v.status).toBe('error');
    expect(v.remediation).toMatch(/rediss:\/\//);
    expect(JSON.stringify(v)).not.toContain(PW);
  });

  it('passes over TLS through the CLI when the CA is trusted, and checks the host name', async () => {
    const dir = tempProject({
      'readiness.yaml': [
        'version: 1',
        'name: redis tls',
        'checks:',
        `  cache.tls: { type: redis.connect, with: { url: "rediss://:\${REDIS_PASSWORD}@localhost:${srv.port}" } }`,
        `  cache.ip: { type: redis.connect, with: { url: "rediss://:\${REDIS_PASSWORD}@127.0.0.1:${srv.port}" } }`,
        '',
      ].join('\n'),
    });
    const r = await runCli(['check', '-p', 'readiness.yaml', '-f', 'json'], { cwd: dir, env: { REDIS_PASSWORD: PW, NODE_EXTRA_CA_CERTS: srv.certFile } });
    expect(r.stdout + r.stderr).not.toContain(PW);
    expect(r.stderr).not.toMatch(/DeprecationWarning/);
    const results = JSON.parse(r.stdout).results as { id: string; status: string; message: string }[];
    const byId = Object.fromEntries(results.map((x) => [x.id, x]));
    expect(byId['cache.tls']).toMatchObject({ status: 'pass', message: expect.stringMatching(new RegExp(`reachable at localhost:${srv.port} over TLS, PING`)) });
    expect(byId['cache.ip']).toMatchObject({ status: 'fail', message: expect.stringMatching(/^the TLS certificate of 127\.0\.0\.1:\d+ is not valid for "127\.0\.0\.1" \(ERR_TLS_CERT_ALTNAME_INVALID\)/) });
  });
});
