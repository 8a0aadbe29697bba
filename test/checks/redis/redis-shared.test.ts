// Pure tests of src/db/redis.ts: connection parameters and error sentences.
import { describe, expect, it } from 'vitest';
import { describeRedisError, parseInfo, resolveRedisTarget, type RedisTarget } from '../../../src/db/redis.js';

describe('resolveRedisTarget', () => {
  it('parses redis:// and rediss:// URLs', () => {
    expect(resolveRedisTarget({ url: 'rediss://app:p%40ss@cache.internal:6380/2' }, {}).target).toMatchObject({ host: 'cache.internal', port: 6380, username: 'app', password: 'p@ss', tls: true, db: 2, label: 'cache.internal:6380' });
  });
  it('falls back to REDIS_URL, then REDIS_HOST / REDIS_PORT / REDIS_PASSWORD', () => {
    expect(resolveRedisTarget({}, { REDIS_URL: 'redis://:pw@r:6390' }).target).toMatchObject({ host: 'r', port: 6390, password: 'pw' });
    expect(resolveRedisTarget({}, { REDIS_HOST: 'r2', REDIS_PORT: '7000', REDIS_PASSWORD: 'x' }).target).toMatchObject({ host: 'r2', port: 7000, password: 'x', tls: false });
    expect(resolveRedisTarget({}, {}).problem).toBe('neither REDIS_URL nor REDIS_HOST is set (and no url or host was given)');
    expect(resolveRedisTarget({ url: '' }, {}).problem).toBe('url is empty (is REDIS_URL set?)');
  });
  it('rejects other schemes without echoing the URL', () => {
    const problem = resolveRedisTarget({ url: 'http://:Very-SECRET-9@r' }, {}).problem!;
    expect(problem).toBe('unsupported URL scheme "http:" (expected redis:// or rediss://)');
  });
});

describe('describeRedisError', () => {
  const target: RedisTarget = { host: 'r', port: 6379, password: 'Redis-SECRET-5', tls: false, db: 0, label: 'r:6379' };
  it('gives one plain sentence per failure', () => {
    expect(describeRedisError(Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:6379'), { code: 'ECONNREFUSED' }), target, 1000).message).toBe('connection refused at r:6379');
    expect(describeRedisError(new Error('Command timed out'), target, 1500).message).toBe('r:6379 did not answer within 1.5s');
    expect(describeRedisError(new Error('Command timed out'), target, 1500, false, [], 'response').message).toBe('r:6379 did not answer within 1.5s (waiting for the response)');
    expect(describeRedisError(Object.assign(new Error('getaddrinfo ENOTFOUND r'), { code: 'ENOTFOUND' }), target, 1000).message).toBe('cannot resolve host "r": no such host (ENOTFOUND)');
    expect(describeRedisError(new Error('NOAUTH Authentication required.'), target, 1000)).toMatchObject({ kind: 'auth' });
    expect(describeRedisError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), target, 1000).message).toBe('r:6379 rejected the password of user "default" (WRONGPASS)');
    expect(describeRedisError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), target, 1000)).toMatchObject({ kind: 'auth', failure: { kind: 'auth-rejected', code: 'WRONGPASS', where: 'r:6379' } });
    expect(describeRedisError(new Error('DENIED Redis is running in protected mode because protected mode is enabled'), target, 1000)).toMatchObject({ kind: 'auth' });
    expect(describeRedisError(new Error("NOPERM User app has no permissions to run the 'config|get' command"), target, 1000)).toMatchObject({ kind: 'denied' });
  });
  it('never repeats the password', () => {
    expect(describeRedisError(new Error('odd Redis-SECRET-5 failure'), target, 1000).message).not.toContain('Redis-SECRET-5');
  });
});

describe('parseInfo', () => {
  it('reads key/value lines and skips section headers', () => {
    expect(parseInfo('# Server\r\nredis_version:7.2.4\r\nrole:master\r\n')).toEqual({ redis_version: '7.2.4', role: 'master' });
  });
});
