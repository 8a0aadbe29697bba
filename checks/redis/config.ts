import { z } from 'zod';
import { combine, defineCheck, error, fail, type Verdict } from '../../src/check.js';
import { compactEvidence, formatBytes, parseSize } from '../../src/db/compare.js';
import { DbCheckError, dbErrorVerdict } from '../../src/db/pg.js';
import { describeRedisError, parseInfo, redisConnectionParams, resolveRedisTarget, withRedis } from '../../src/db/redis.js';
import { boolish } from '../../src/params.js';

export const EVICTION_POLICIES = [
  'noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
] as const;

/** The only settings read. Never `CONFIG GET *`: it would return requirepass and masterauth. */
export const CONFIG_KEYS = ['maxmemory', 'maxmemory-policy', 'appendonly', 'save', 'protected-mode'] as const;

export interface RedisConfigFacts {
  label: string;
  config: Partial<Record<(typeof CONFIG_KEYS)[number], string>>;
  /** INFO persistence, when readable. */
  persistence?: Record<string, string>;
  /** Why INFO persistence could not be read (then the last save/write status is not judged). */
  persistenceError?: string;
}

export interface RedisConfigExpectation {
  maxmemory_required: boolean;
  min_maxmemory?: string | number;
  max_maxmemory?: string | number;
  eviction_policies?: string[];
  persistence?: 'aof' | 'rdb' | 'both' | 'any' | 'none';
  protected_mode?: boolean;
}

export function evaluateRedisConfig(facts: RedisConfigFacts, expect: RedisConfigExpectation): Verdict {
  const parts: Verdict[] = [];
  const c = facts.config;
  // A key CONFIG GET did not report cannot be judged (a renamed or filtered command): never read as a default.
  const unreported = (key: string) => parts.push(error(`CONFIG GET ${key} returned nothing on ${facts.label}: ${key} cannot be checked`));
  if (c.maxmemory === undefined && (expect.maxmemory_required || expect.min_maxmemory !== undefined || expect.max_maxmemory !== undefined)) unreported('maxmemory');
  const maxmemory = Number(c.maxmemory ?? '0');
  const shownMemory = maxmemory === 0 ? '0 (no limit)' : formatBytes(maxmemory);
  if (expect.maxmemory_required && c.maxmemory !== undefined && maxmemory === 0) {
    parts.push(fail('maxmemory is 0 (no limit): Redis can grow until the machine runs out of memory', undefined,
      'Set maxmemory (e.g. `maxmemory 256mb`, about 75% of the memory Redis may use) with a maxmemory-policy in redis.conf.'));
  }
  const min = expect.min_maxmemory !== undefined ? parseSize(expect.min_maxmemory) : undefined;
  const max = expect.max_maxmemory !== undefined ? parseSize(expect.max_maxmemory) : undefined;
  if (expect.min_maxmemory !== undefined && min === undefined) parts.push(error(`min_maxmemory "${expect.min_maxmemory}" is not a size such as 256mb`));
  if (expect.max_maxmemory !== undefined && max === undefined) parts.push(error(`max_maxmemory "${expect.max_maxmemory}" is not a size such as 2gb`));
  if (maxmemory > 0 && min !== undefined && maxmemory < min) parts.push(fail(`maxmemory is ${shownMemory}, expected at least ${formatBytes(min)}`));
  if (maxmemory > 0 && max !== undefined && maxmemory > max) parts.push(fail(`maxmemory is ${shownMemory}, expected at most ${formatBytes(max)}`));

  const policy = c['maxmemory-policy'];
  if (expect.eviction_policies?.length && policy === undefined) unreported('maxmemory-policy');
  else if (expect.eviction_policies?.length && policy !== undefined && !expect.eviction_policies.includes(policy)) {
    parts.push(fail(`maxmemory-policy is ${policy}, expected one of ${expect.eviction_policies.join(', ')}`));
  }

  const aof = (c.appendonly ?? '').toLowerCase() === 'yes';
  const rdb = (c.save ?? '').trim() !== '';
  const actualPersistence = aof && rdb ? 'both' : aof ? 'aof' : rdb ? 'rdb' : 'none';
  if (expect.persistence) {
    const want = expect.persistence;
    const ok = want === 'any' ? actualPersistence !== 'none'
      : want === 'both' ? actualPersistence === 'both'
      : want === 'none' ? actualPersistence === 'none'
      : want === 'aof' ? aof : rdb;
    const describe = (p: string) => ({ both: 'AOF and RDB', aof: 'AOF (appendonly yes)', rdb: `RDB (save "${c.save}")`, none: 'off (appendonly no, save "")', any: 'AOF or RDB' }[p] ?? p);
    if (!ok) {
      parts.push(fail(`persistence is ${describe(actualPersistence)}, expected ${describe(want)}`, undefined,
        'Set `appendonly yes` (AOF) and/or a `save` schedule (RDB) in redis.conf, as your recovery needs require.'));
    }
    const p = facts.persistence;
    if (p && want !== 'none') {
      if (rdb && p.rdb_last_bgsave_status === 'err') parts.push(fail('the last RDB save failed (rdb_last_bgsave_status:err)'));
      if (aof && p.aof_last_write_status === 'err') parts.push(fail('the last AOF write failed (aof_last_write_status:err)'));
    } else if (facts.persistenceError && want !== 'none' && (aof || rdb)) {
      parts.push(error(`could not read INFO persistence, so whether the last ${aof && rdb ? 'RDB save and AOF write' : aof ? 'AOF write' : 'RDB save'} succeeded is unknown: ${facts.persistenceError}`));
    }
  }
  if (expect.protected_mode !== undefined && c['protected-mode'] === undefined) unreported('protected-mode');
  else if (expect.protected_mode !== undefined && c['protected-mode'] !== undefined) {
    const on = c['protected-mode'].toLowerCase() === 'yes';
    if (on !== expect.protected_mode) parts.push(fail(`protected-mode is ${c['protected-mode']}, expected ${expect.protected_mode ? 'yes' : 'no'}`));
  }
  return combine(parts, `maxmemory ${shownMemory} with ${policy ?? 'unknown'} eviction, persistence ${actualPersistence}`, compactEvidence({
    expected: {
      maxmemory: expect.maxmemory_required ? '> 0' : undefined,
      min_maxmemory: expect.min_maxmemory,
      max_maxmemory: expect.max_maxmemory,
      eviction_policies: expect.eviction_policies,
      persistence: expect.persistence,
      protected_mode: expect.protected_mode,
    },
    actual: { maxmemory: maxmemory, 'maxmemory-policy': policy, persistence: actualPersistence, appendonly: c.appendonly, save: c.save, 'protected-mode': c['protected-mode'] },
    details: { target: facts.label, rdb_last_bgsave_status: facts.persistence?.rdb_last_bgsave_status, aof_last_write_status: facts.persistence?.aof_last_write_status },
  }));
}

export default defineCheck({
  meta: {
    type: 'redis.config',
    title: 'Redis memory and persistence are configured',
    failureTitle: 'Redis memory or persistence is not configured as expected',
    description:
      'Reads maxmemory (must be set, optionally within a range), maxmemory-policy (from an allowed list), persistence ' +
      '(AOF / RDB save) and protected-mode with CONFIG GET of those keys only. Managed Redis often forbids CONFIG: ' +
      'that is reported as "cannot verify" (error), never as a pass. Read-only.',
    remediation: 'Set maxmemory, maxmemory-policy and persistence in redis.conf (or the provider\'s parameter group) and restart or CONFIG REWRITE.',
    docs: 'docs/checks.md#redis-config',
  },
  params: z
    .object({
      ...redisConnectionParams,
      maxmemory_required: boolish().default(true).describe('Fail when maxmemory is 0 (no limit) — checklist: memory limits configured'),
      min_maxmemory: z.union([z.string(), z.number()]).optional().describe('Lowest accepted maxmemory, e.g. 256mb'),
      max_maxmemory: z.union([z.string(), z.number()]).optional().describe('Highest accepted maxmemory, e.g. 4gb'),
      eviction_policies: z.array(z.enum(EVICTION_POLICIES)).optional().describe('Allowed maxmemory-policy values, e.g. [allkeys-lru, volatile-lru]'),
      persistence: z.enum(['aof', 'rdb', 'both', 'any', 'none']).optional().describe('Expected persistence (checklist: optional); not checked when absent'),
      protected_mode: boolish().optional().describe('Expected protected-mode (yes = true); not checked when absent'),
    })
    .strict(),
  async run(ctx) {
    const { target, problem } = resolveRedisTarget(ctx.params, ctx.env);
    if (!target) return error(problem);
    try {
      const facts = await withRedis(target, ctx, async (call) => {
        const config: RedisConfigFacts['config'] = {};
        for (const key of CONFIG_KEYS) {
          const reply = await call('CONFIG', 'GET', key);
          if (Array.isArray(reply) && reply.length >= 2) config[key] = String(reply[1]);
        }
        let persistence: Record<string, string> | undefined;
        let persistenceError: string | undefined;
        try {
          persistence = parseInfo(String(await call('INFO', 'persistence')));
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          persistenceError = describeRedisError(err, target, ctx.timeoutMs).message;
        }
        return { label: target.label, config, persistence, persistenceError };
      });
      return evaluateRedisConfig(facts, ctx.params);
    } catch (err) {
      if (err instanceof DbCheckError) {
        if (err.kind === 'denied') {
          return error(`cannot verify: CONFIG GET is not permitted on ${target.label} (${err.message}); managed Redis often disables it — check maxmemory and persistence in the provider's settings`);
        }
        return dbErrorVerdict('error', err, { target: target.label });
      }
      return error(`unexpected failure: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    }
  },
});
