import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateRedisConnect, type RedisConnectFacts } from '../../../checks/redis/connect.js';
import { runCheck } from '../../support/run-check.js';
import { startSilentServer } from '../../support/postgres-server.js';
import { startTempRedis, type TempRedis } from '../../support/redis-server.js';

const PW = 'Rd-SECRET-pass-6620';
const facts = (over: Partial<RedisConnectFacts> = {}): RedisConnectFacts => ({ label: 'cache:6379', pingMs: 0.8, version: '7.2.4', role: 'master', mode: 'standalone', tls: false, ...over });

describe('evaluateRedisConnect', () => {
  it('passes a recent master', () => {
    const v = evaluateRedisConnect(facts(), { min_version: '6' });
    expect(v).toMatchObject({ status: 'pass', message: 'Redis 7.2.4 (master) reachable at cache:6379, PING 1ms' });
  });
  it('fails an old version with both versions', () => {
    expect(evaluateRedisConnect(facts({ version: '5.0.7' }), { min_version: '6' }).message).toBe('Redis version 5.0.7 is below the required 6');
  });
  it('fails a wrong role, treating slave as replica', () => {
    expect(evaluateRedisConnect(facts(), { min_version: '6', role: 'replica' }).message).toBe('Redis role is master, expected replica');
    expect(evaluateRedisConnect(facts({ role: 'slave' }), { min_version: '6', role: 'replica' }).status).toBe('pass');
  });
  it('errors when the version cannot be read, warns on slow PING', () => {
    expect(evaluateRedisConnect(facts({ version: undefined, infoError: 'INFO is not permitted' }), { min_version: '6' }).status).toBe('error');
    expect(evaluateRedisConnect(facts({ pingMs: 40 }), { min_version: '6', max_latency: 20 }).status).toBe('warn');
  });
});

describe('redis.connect against real servers', () => {
  let secured: TempRedis;
  beforeAll(async () => {
    secured = await startTempRedis({ password: PW, users: ['user noinfo on >Noinfo-SECRET-1 ~* &* +@all -info'] });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it('passes the machine Redis with version and role', async () => {
    const v = await runCheck(check, { url: 'redis://127.0.0.1:6379' });
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/^Redis \d+\.\d+\.\d+ \(master\) reachable at 127\.0\.0\.1:6379, PING \d+/);
  });

  it('reads REDIS_URL, then REDIS_HOST/REDIS_PORT/REDIS_PASSWORD', async () => {
    expect((await runCheck(check, {}, { env: { REDIS_URL: secured.url(`:${PW}`) } })).status).toBe('pass');
    const logs: string[] = [];
    const v = await runCheck(check, {}, { env: { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(secured.port), REDIS_PASSWORD: PW }, logs });
    expect(v.status).toBe('pass');
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain(PW);
  });

  it('fails a version below min_version', async () => {
    const v = await runCheck(check, { url: 'redis://127.0.0.1:6379', min_version: '99' });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^Redis version \d+\.\d+\.\d+ is below the required 99$/);
  });

  it('fails a wrong password and a missing one, leaking neither', async () => {
    const wrong = 'Wrong-SECRET-redis-9931';
    const v = await runCheck(check, { url: secured.url(`:${wrong}`) });
    expect(v).toMatchObject({ status: 'fail', message: `127.0.0.1:${secured.port} rejected the password of user "default" (WRONGPASS)` });
    expect(JSON.stringify(v)).not.toContain(wrong);
    expect(v.remediation).toMatch(/^Check the password in REDIS_URL \/ REDIS_PASSWORD against requirepass/);
    const none = await runCheck(check, { url: secured.url() });
    expect(none).toMatchObject({ status: 'fail', message: `Redis at 127.0.0.1:${secured.port} requires a password (NOAUTH) but none was configured` });
    expect(none.remediation).toContain('REDIS_URL=redis://:PASSWORD@host:6379');
  });

  it('errors with a clear reason when INFO is not permitted', async () => {
    const v = await runCheck(check, { url: secured.url('noinfo:Noinfo-SECRET-1') });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^cannot verify the server version: INFO is not permitted for this user/);
    expect(JSON.stringify(v)).not.toContain('Noinfo-SECRET-1');
  });

  it('errors on a down server, a DNS failure and an unset REDIS_URL', async () => {
    const down = await runCheck(check, { url: 'redis://127.0.0.1:1' });
    expect(down).toMatchObject({ status: 'error', message: 'connection refused at 127.0.0.1:1', evidence: { details: { target: '127.0.0.1:1' } } });
    expect(down.remediation).toMatch(/^Check that the service is running and listening at 127\.0\.0\.1:1,/);
    const dns = await runCheck(check, { url: 'redis://no-such-host.invalid:6379' }, { timeoutMs: 5000 });
    expect(dns).toMatchObject({ status: 'error', message: 'cannot resolve host "no-such-host.invalid": no such host (ENOTFOUND)' });
    expect(await runCheck(check, {}, { env: {} })).toMatchObject({ status: 'error', message: 'neither REDIS_URL nor REDIS_HOST is set (and no url or host was given)' });
  });

  it('errors at its timeout on a server that accepts TCP and never answers', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const v = await runCheck(check, { url: `redis://:${PW}@127.0.0.1:${silent.port}` }, { timeoutMs: 1000 });
      expect(v).toMatchObject({ status: 'error', message: `127.0.0.1:${silent.port} did not answer within 1s (during authentication)` });
      expect(v.remediation).toMatch(/listening at 127\.0\.0\.1:\d+/);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(JSON.stringify(v)).not.toContain(PW);
    } finally {
      await silent.stop();
    }
  });
});
