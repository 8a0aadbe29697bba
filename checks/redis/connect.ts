import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { compactEvidence, compareVersions, formatMs, parseVersion } from '../../src/db/compare.js';
import { DbCheckError, dbErrorVerdict } from '../../src/db/pg.js';
import { parseInfo, redisConnectionParams, resolveRedisTarget, withRedis } from '../../src/db/redis.js';
import { duration } from '../../src/params.js';

export interface RedisConnectFacts {
  label: string;
  pingMs: number;
  /** undefined when INFO is not permitted. */
  version?: string;
  role?: string;
  mode?: string;
  tls: boolean;
  infoError?: string;
}

export interface RedisConnectExpectation {
  min_version: string;
  role?: 'master' | 'replica' | 'slave';
  max_latency?: number;
}

export function evaluateRedisConnect(facts: RedisConnectFacts, expect: RedisConnectExpectation): Verdict {
  const parts: Verdict[] = [];
  const wanted = parseVersion(expect.min_version);
  if (!wanted) parts.push(error(`min_version "${expect.min_version}" is not a version number`));
  else if (!facts.version) parts.push(error(`cannot verify the server version: ${facts.infoError ?? 'INFO gave no redis_version'}`));
  else {
    const actual = parseVersion(facts.version);
    if (!actual) parts.push(error(`cannot read the server version from "${facts.version}"`));
    else if (compareVersions(actual, wanted) < 0) {
      parts.push(fail(`Redis version ${facts.version} is below the required ${expect.min_version}`, undefined,
        `Upgrade Redis to ${expect.min_version} or later (ACLs and TLS need 6+).`));
    }
  }
  if (expect.role && facts.role) {
    const norm = (r: string) => (r === 'slave' ? 'replica' : r);
    if (norm(facts.role) !== norm(expect.role)) parts.push(fail(`Redis role is ${facts.role}, expected ${expect.role}`));
  }
  if (expect.max_latency !== undefined && facts.pingMs > expect.max_latency) {
    parts.push(warn(`PING took ${formatMs(facts.pingMs)}, above ${formatMs(expect.max_latency)}`));
  }
  return combine(parts, `Redis ${facts.version ?? '(version unknown)'} (${facts.role ?? 'role unknown'}) reachable at ${facts.label}${facts.tls ? ' over TLS' : ''}, PING ${formatMs(facts.pingMs)}`, compactEvidence({
    expected: { min_version: expect.min_version, role: expect.role, max_latency_ms: expect.max_latency },
    actual: { version: facts.version, role: facts.role, ping_ms: Math.round(facts.pingMs * 10) / 10 },
    details: { target: facts.label, mode: facts.mode, tls: facts.tls, info_error: facts.infoError },
  }));
}

export default defineCheck({
  meta: {
    type: 'redis.connect',
    title: 'Redis is reachable',
    failureTitle: 'Redis is not reachable or too old',
    description:
      'Connects with the configured URL or fields (authenticating when a password is given), measures a PING round ' +
      'trip and checks the server version (checklist: 6+) and role. Read-only: PING and INFO only.',
    remediation:
      'Check REDIS_URL / REDIS_HOST / REDIS_PORT / REDIS_PASSWORD, that redis-server runs and accepts connections ' +
      'from this host (bind, firewall, TLS), and upgrade Redis when it is older than required.',
    docs: 'docs/checks.md#redis-connect',
  },
  params: z
    .object({
      ...redisConnectionParams,
      min_version: z.union([z.string(), z.number()]).transform(String).default('6').describe('Lowest accepted Redis version (checklist: 6)'),
      role: z.enum(['master', 'replica', 'slave']).optional().describe('Expected replication role'),
      max_latency: duration().optional().describe('Warn when PING takes longer, e.g. 20ms'),
    })
    .strict(),
  async run(ctx) {
    const { target, problem } = resolveRedisTarget(ctx.params, ctx.env);
    if (!target) return error(problem);
    try {
      const facts = await withRedis(target, ctx, async (call) => {
        const t0 = performance.now();
        await call('PING');
        const pingMs = performance.now() - t0;
        const facts: RedisConnectFacts = { label: target.label, pingMs, tls: target.tls };
        try {
          const info = parseInfo(String(await call('INFO', 'server')) + '\n' + String(await call('INFO', 'replication')));
          facts.version = info.redis_version;
          facts.role = info.role;
          facts.mode = info.redis_mode;
        } catch (err) {
          if (!(err instanceof Error) || !/NOPERM|unknown command/i.test(err.message)) throw err;
          facts.infoError = `INFO is not permitted for this user (${err.message.split('\n')[0]})`;
        }
        return facts;
      });
      return evaluateRedisConnect(facts, ctx.params);
    } catch (err) {
      if (err instanceof DbCheckError) return dbErrorVerdict(err.kind === 'auth' || err.kind === 'tls' ? 'fail' : 'error', err, { target: target.label, tls: target.tls });
      return error(`unexpected failure: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    }
  },
});
