import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { aclFlags, evaluateRedisAuth, type RedisAuthFacts } from '../../../checks/redis/auth.js';
import { runCheck } from '../../support/run-check.js';
import { startTempRedis, type TempRedis } from '../../support/redis-server.js';

const PW = 'Auth-SECRET-default-3318';
const APP_PW = 'Auth-SECRET-app-7745';
const ok = (over: Partial<RedisAuthFacts> = {}): RedisAuthFacts => ({
  label: 'cache:6379',
  unauthenticated: { result: 'refused', reason: 'NOAUTH' },
  configured: { result: 'accepted' },
  wrongPassword: { result: 'refused', reason: 'WRONGPASS' },
  defaultUser: { flags: ['on'] },
  ...over,
});

describe('evaluateRedisAuth', () => {
  it('passes when only the configured credentials get in', () => {
    expect(evaluateRedisAuth(ok()).status).toBe('pass');
  });
  it('fails a server that accepts anyone even though our credentials work', () => {
    const v = evaluateRedisAuth(ok({ unauthenticated: { result: 'accepted' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Redis at cache:6379 accepts commands without a password (an unauthenticated PING got PONG)');
    expect(v.remediation).toMatch(/requirepass/);
  });
  it('fails missing or rejected credentials and an accepted wrong password', () => {
    expect(evaluateRedisAuth(ok({ configured: undefined })).message).toMatch(/^no password is configured/);
    expect(evaluateRedisAuth(ok({ configured: { result: 'refused', reason: 'WRONGPASS' } })).message).toBe('the configured credentials were rejected: WRONGPASS');
    expect(evaluateRedisAuth(ok({ wrongPassword: { result: 'accepted' } })).message).toBe('a wrong password was accepted');
  });
  it('fails a default user that is on with nopass, warns when it is off', () => {
    expect(evaluateRedisAuth(ok({ defaultUser: { flags: ['on', 'nopass', 'allkeys'] } })).message).toBe('ACL user "default" is on with nopass: anyone can connect as default');
    expect(evaluateRedisAuth(ok({ defaultUser: { flags: ['off', 'nopass'] } })).status).toBe('warn');
    expect(evaluateRedisAuth(ok({ defaultUser: 'cannot read ACL of user "default": NOPERM' })).status).toBe('pass');
  });
  it('errors when a probe could not run', () => {
    expect(evaluateRedisAuth(ok({ unauthenticated: { result: 'error', reason: 'closed' } })).status).toBe('error');
  });
  it('reads only the flags of ACL GETUSER, never the password hashes', () => {
    const reply = ['flags', ['on', 'sanitize-payload'], 'passwords', ['5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'], 'commands', '+@all'];
    expect(aclFlags(reply)).toEqual(['on', 'sanitize-payload']);
    expect(aclFlags('nope')).toBeUndefined();
  });
});

describe('redis.auth against real servers', () => {
  let secured: TempRedis;
  let openDefault: TempRedis;
  let aclOnly: TempRedis;
  beforeAll(async () => {
    [secured, openDefault, aclOnly] = await Promise.all([
      startTempRedis({ password: PW }),
      startTempRedis({ users: ['user default on nopass ~* &* +@all', `user app on >${APP_PW} ~* &* +@all`] }),
      startTempRedis({ users: ['user default off resetpass ~* &* +@all', `user app on >${APP_PW} ~* &* +@all`] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([secured?.stop(), openDefault?.stop(), aclOnly?.stop()]);
  });

  it('passes a requirepass server with the right password, leaking no password', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, { url: secured.url(`:${PW}`) }, { logs });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toMatchObject({ unauthenticated: 'refused', configured: 'accepted', wrong_password: 'refused', default_user_flags: expect.arrayContaining(['on']) });
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain(PW);
  });

  it('passes ACL users with the default user switched off and without nopass', async () => {
    const v = await runCheck(check, { host: '127.0.0.1', port: aclOnly.port, username: 'app', password: APP_PW });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toMatchObject({ default_user_flags: expect.arrayContaining(['off']) });
    expect(JSON.stringify(v)).not.toContain(APP_PW);
  });

  it('fails the machine Redis, which accepts anyone', async () => {
    const v = await runCheck(check, { url: 'redis://127.0.0.1:6379' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Redis at 127.0.0.1:6379 accepts commands without a password');
    expect(v.message).toContain('no password is configured');
  });

  it('fails a server whose default user is nopass even though the app user has a password', async () => {
    const v = await runCheck(check, { url: openDefault.url(`app:${APP_PW}`) });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('accepts commands without a password');
    expect(v.message).toContain('ACL user "default" is on with nopass');
    expect(JSON.stringify(v)).not.toContain(APP_PW);
  });

  it('fails when the configured password is wrong', async () => {
    const wrong = 'Stale-SECRET-pw-0042';
    const v = await runCheck(check, { url: secured.url(`:${wrong}`) });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`the configured credentials were rejected: 127.0.0.1:${secured.port} rejected the password of user "default" (WRONGPASS)`);
    expect(JSON.stringify(v)).not.toContain(wrong);
  });

  it('fails a connection configured without a password although the server is down, naming the server as unchecked', async () => {
    const v = await runCheck(check, { url: 'redis://127.0.0.1:1' });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('no password is configured for the connection (url, password or REDIS_PASSWORD)');
    expect(v.unchecked).toEqual(['connection refused at 127.0.0.1:1']);
    expect(v.remediation).toContain('requirepass');
  });

  it('errors when the server is down or REDIS_URL is unset', async () => {
    const down = await runCheck(check, { url: 'redis://:x@127.0.0.1:1' });
    expect(down).toMatchObject({ status: 'error', message: 'connection refused at 127.0.0.1:1' });
    expect(down.remediation).toMatch(/^Check that the service is running and listening at 127\.0\.0\.1:1,/);
    expect((await runCheck(check, {}, { env: {} })).status).toBe('error');
  });
});
