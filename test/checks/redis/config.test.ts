import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateRedisConfig, type RedisConfigFacts } from '../../../checks/redis/config.js';
import { runCheck } from '../../support/run-check.js';
import { startTempRedis, type TempRedis } from '../../support/redis-server.js';

const PW = 'Cfg-SECRET-pass-2290';
const facts = (config: RedisConfigFacts['config'], persistence?: Record<string, string>): RedisConfigFacts => ({
  label: 'cache:6379',
  config: { maxmemory: String(256 * 1024 ** 2), 'maxmemory-policy': 'allkeys-lru', appendonly: 'no', save: '3600 1 300 100', 'protected-mode': 'yes', ...config },
  persistence,
});
const base = { maxmemory_required: true };

describe('evaluateRedisConfig', () => {
  it('passes a memory limit with an eviction policy', () => {
    expect(evaluateRedisConfig(facts({}), base)).toMatchObject({ status: 'pass', message: 'maxmemory 256mb with allkeys-lru eviction, persistence rdb' });
  });
  it('fails maxmemory 0 and sizes out of range', () => {
    expect(evaluateRedisConfig(facts({ maxmemory: '0' }), base).message).toBe('maxmemory is 0 (no limit): Redis can grow until the machine runs out of memory');
    expect(evaluateRedisConfig(facts({}), { ...base, min_maxmemory: '1gb' }).message).toBe('maxmemory is 256mb, expected at least 1gb');
    expect(evaluateRedisConfig(facts({}), { ...base, max_maxmemory: '100mb' }).message).toBe('maxmemory is 256mb, expected at most 100mb');
    expect(evaluateRedisConfig(facts({ maxmemory: '0' }), { maxmemory_required: false }).status).toBe('pass');
  });
  it('fails an eviction policy outside the allowed list', () => {
    expect(evaluateRedisConfig(facts({ 'maxmemory-policy': 'noeviction' }), { ...base, eviction_policies: ['allkeys-lru', 'volatile-lru'] }).message)
      .toBe('maxmemory-policy is noeviction, expected one of allkeys-lru, volatile-lru');
  });
  it('checks persistence only when asked', () => {
    const off = facts({ save: '', appendonly: 'no' });
    expect(evaluateRedisConfig(off, base).status).toBe('pass');
    expect(evaluateRedisConfig(off, { ...base, persistence: 'any' }).message).toBe('persistence is off (appendonly no, save ""), expected AOF or RDB');
    expect(evaluateRedisConfig(facts({}), { ...base, persistence: 'aof' }).message).toBe('persistence is RDB (save "3600 1 300 100"), expected AOF (appendonly yes)');
    expect(evaluateRedisConfig(facts({ appendonly: 'yes' }), { ...base, persistence: 'both' }).status).toBe('pass');
    expect(evaluateRedisConfig(facts({}, { rdb_last_bgsave_status: 'err' }), { ...base, persistence: 'rdb' }).message).toBe('the last RDB save failed (rdb_last_bgsave_status:err)');
  });
  it('checks protected-mode when asked', () => {
    expect(evaluateRedisConfig(facts({ 'protected-mode': 'no' }), { ...base, protected_mode: true }).message).toBe('protected-mode is no, expected yes');
  });
  it('fails a wrong setting even when INFO persistence could not be read, naming the save status as unchecked', () => {
    const v = evaluateRedisConfig({ ...facts({}), persistenceError: "NOPERM User app has no permissions to run the 'info' command" }, { ...base, persistence: 'rdb', min_maxmemory: '1gb' });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('maxmemory is 256mb, expected at least 1gb');
    expect(v.unchecked).toEqual(["could not read INFO persistence, so whether the last RDB save succeeded is unknown: NOPERM User app has no permissions to run the 'info' command"]);
  });
  it('never reads a setting CONFIG GET did not report as its default', () => {
    const { maxmemory: _, ...rest } = facts({}).config;
    const v = evaluateRedisConfig({ ...facts({}), config: { ...rest, 'protected-mode': undefined } }, { ...base, protected_mode: true, eviction_policies: ['volatile-lru'] });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('maxmemory-policy is allkeys-lru, expected one of volatile-lru');
    expect(v.unchecked).toEqual(['CONFIG GET maxmemory returned nothing on cache:6379: maxmemory cannot be checked', 'CONFIG GET protected-mode returned nothing on cache:6379: protected-mode cannot be checked']);
  });
  it('errors on an unreadable size', () => {
    expect(evaluateRedisConfig(facts({}), { ...base, min_maxmemory: 'lots' }).status).toBe('error');
  });
});

describe('redis.config against real servers', () => {
  let srv: TempRedis;
  beforeAll(async () => {
    srv = await startTempRedis({
      password: PW,
      config: ['maxmemory 10mb', 'maxmemory-policy allkeys-lru'],
      users: ['user noconfig on >Nocfg-SECRET-77 ~* &* +@all -config'],
    });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('passes a server with maxmemory and an allowed eviction policy', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, { url: srv.url(`:${PW}`), eviction_policies: ['allkeys-lru', 'volatile-lru'], min_maxmemory: '5mb' }, { logs });
    expect(v).toMatchObject({ status: 'pass', message: 'maxmemory 10mb with allkeys-lru eviction, persistence none' });
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain(PW);
  });

  it('fails with actual and expected values', async () => {
    const v = await runCheck(check, { url: srv.url(`:${PW}`), eviction_policies: ['volatile-lru'], min_maxmemory: '256mb', persistence: 'aof' });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('maxmemory is 10mb, expected at least 256mb; maxmemory-policy is allkeys-lru, expected one of volatile-lru; persistence is off (appendonly no, save ""), expected AOF (appendonly yes)');
  });

  it('fails the machine Redis, which has no memory limit', async () => {
    const v = await runCheck(check, { url: 'redis://127.0.0.1:6379' });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^maxmemory is 0 \(no limit\)/);
  });

  it('reports a forbidden CONFIG GET as "cannot verify", not as a pass', async () => {
    const v = await runCheck(check, { url: srv.url('noconfig:Nocfg-SECRET-77') });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^cannot verify: CONFIG GET is not permitted on 127\.0\.0\.1:\d+ \(NOPERM/);
    expect(JSON.stringify(v)).not.toContain('Nocfg-SECRET-77');
  });

  it('fails a too small maxmemory although INFO is not permitted, naming the last save status as unchecked', async () => {
    const rdb = await startTempRedis({ config: ['maxmemory 10mb', 'save 3600 1'], users: ['user app on >Noinfo-SECRET-31 ~* &* +@all -info'] });
    try {
      const v = await runCheck(check, { url: rdb.url('app:Noinfo-SECRET-31'), persistence: 'rdb', min_maxmemory: '256mb' });
      expect(v.status).toBe('fail');
      expect(v.message).toBe('maxmemory is 10mb, expected at least 256mb');
      expect(v.unchecked).toHaveLength(1);
      expect(v.unchecked?.[0]).toMatch(/^could not read INFO persistence, so whether the last RDB save succeeded is unknown: NOPERM/);
      expect(JSON.stringify(v)).not.toContain('Noinfo-SECRET-31');
    } finally {
      await rdb.stop();
    }
  });

  it('errors when the server is down', async () => {
    const down = await runCheck(check, { url: 'redis://127.0.0.1:1' });
    expect(down).toMatchObject({ status: 'error', message: 'connection refused at 127.0.0.1:1' });
    expect(down.remediation).toMatch(/^Check that the service is running and listening at 127\.0\.0\.1:1,/);
  });
});
