import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { combine, defineCheck, error, fail, failAndUnchecked, warn, type Verdict } from '../../src/check.js';
import { compactEvidence } from '../../src/db/compare.js';
import { DbCheckError, dbErrorVerdict } from '../../src/db/pg.js';
import { redisConnectionParams, resolveRedisTarget, withRedis } from '../../src/db/redis.js';

type Outcome = { result: 'accepted' } | { result: 'refused'; reason: string } | { result: 'error'; reason: string };

export interface RedisAuthFacts {
  label: string;
  /** An unauthenticated connection sending PING. */
  unauthenticated: Outcome;
  /** The configured credentials; undefined when none are configured. */
  configured?: Outcome;
  /** The configured user with a wrong password; undefined when not tried. */
  wrongPassword?: Outcome;
  /** ACL flags of the `default` user; a string when they could not be read. */
  defaultUser?: { flags: string[] } | string;
}

const AUTH_HELP =
  'Enable password authentication: set requirepass (or an ACL: `user default off` plus a user with a strong ' +
  '>password), restart or CONFIG REWRITE, and give the application the password through REDIS_PASSWORD / REDIS_URL.';

/** Known from the parameters alone, whether or not the server answers. */
export const noPasswordConfigured = (): Verdict => fail('no password is configured for the connection (url, password or REDIS_PASSWORD)', undefined, AUTH_HELP);

export function evaluateRedisAuth(facts: RedisAuthFacts): Verdict {
  const parts: Verdict[] = [];
  if (facts.unauthenticated.result === 'accepted') {
    parts.push(fail(`Redis at ${facts.label} accepts commands without a password (an unauthenticated PING got PONG)`, undefined, AUTH_HELP));
  } else if (facts.unauthenticated.result === 'error') {
    parts.push(error(`cannot test an unauthenticated connection: ${facts.unauthenticated.reason}`));
  }
  if (!facts.configured) {
    parts.push(noPasswordConfigured());
  } else if (facts.configured.result === 'refused') {
    parts.push(fail(`the configured credentials were rejected: ${facts.configured.reason}`, undefined,
      'Give the application the current password (REDIS_PASSWORD / REDIS_URL) or fix the ACL user.'));
  } else if (facts.configured.result === 'error') {
    parts.push(error(`cannot test the configured credentials: ${facts.configured.reason}`));
  }
  if (facts.wrongPassword?.result === 'accepted') {
    parts.push(fail('a wrong password was accepted', undefined, AUTH_HELP));
  } else if (facts.wrongPassword?.result === 'error') {
    parts.push(error(`cannot test a wrong password: ${facts.wrongPassword.reason}`));
  }
  if (facts.defaultUser && typeof facts.defaultUser !== 'string') {
    const flags = facts.defaultUser.flags;
    if (flags.includes('nopass') && flags.includes('on')) {
      parts.push(fail('ACL user "default" is on with nopass: anyone can connect as default', undefined,
        'Run `ACL SETUSER default resetpass >STRONG_PASSWORD` (or `ACL SETUSER default off`) and persist it in the ACL file or redis.conf.'));
    } else if (flags.includes('nopass')) {
      parts.push(warn('ACL user "default" is off but has nopass: re-enabling it would let anyone in'));
    }
  }
  return combine(parts, `Redis at ${facts.label} enforces password authentication: unauthenticated and wrong-password connections are refused, the configured credentials work`, compactEvidence({
    expected: { unauthenticated: 'refused', configured: 'accepted', wrong_password: 'refused', default_user: 'not nopass' },
    actual: {
      unauthenticated: facts.unauthenticated.result,
      configured: facts.configured?.result ?? 'none configured',
      wrong_password: facts.wrongPassword?.result ?? 'not tested',
      default_user_flags: typeof facts.defaultUser === 'string' ? facts.defaultUser : facts.defaultUser?.flags,
    },
    details: {
      unauthenticated_reason: 'reason' in facts.unauthenticated ? facts.unauthenticated.reason : undefined,
      configured_reason: facts.configured && 'reason' in facts.configured ? facts.configured.reason : undefined,
      wrong_password_reason: facts.wrongPassword && 'reason' in facts.wrongPassword ? facts.wrongPassword.reason : undefined,
    },
  }));
}

/** RESP2 `ACL GETUSER` reply (flat key/value array) → flags; never keeps the password hashes. */
export function aclFlags(reply: unknown): string[] | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    if (String(reply[i]) === 'flags' && Array.isArray(reply[i + 1])) return (reply[i + 1] as unknown[]).map(String);
  }
  return undefined;
}

export default defineCheck({
  meta: {
    type: 'redis.auth',
    title: 'Redis enforces password authentication',
    failureTitle: 'Redis does not enforce password authentication',
    description:
      'Proves the checklist\'s "Password authentication enabled": an unauthenticated connection must be refused ' +
      '(NOAUTH), the configured credentials must work, a wrong password must be rejected, and with ACLs the default ' +
      'user must not be nopass. A server that accepts anyone fails even when our credentials work. Read-only: PING, ' +
      'AUTH and ACL GETUSER (the rejected AUTH attempt shows up in the server\'s ACL LOG).',
    remediation: AUTH_HELP,
    docs: 'docs/checks.md#redis-auth',
  },
  params: z.object({ ...redisConnectionParams }).strict(),
  async run(ctx) {
    const { target, problem } = resolveRedisTarget(ctx.params, ctx.env);
    if (!target) return error(problem);
    let unreachable: DbCheckError | undefined;
    const attempt = async (auth: 'none' | 'target' | { username?: string; password: string }, after?: (call: (c: string, ...a: (string | number)[]) => Promise<unknown>) => Promise<void>): Promise<Outcome> => {
      try {
        await withRedis(target, { ...ctx, auth }, async (call) => {
          await call('PING');
          await after?.(call);
        });
        return { result: 'accepted' };
      } catch (err) {
        if (err instanceof DbCheckError && err.kind === 'auth') return { result: 'refused', reason: err.message };
        if (err instanceof DbCheckError) { unreachable ??= err; return { result: 'error', reason: err.message }; }
        return { result: 'error', reason: err instanceof Error ? err.message : String(err) };
      }
    };
    const facts: RedisAuthFacts = { label: target.label, unauthenticated: await attempt('none') };
    if (facts.unauthenticated.result === 'error' && /refused|timed out|did not answer|resolve|closed|unreachable/.test(facts.unauthenticated.reason)) {
      const down = unreachable ? dbErrorVerdict('error', unreachable, { target: target.label }) : error(facts.unauthenticated.reason);
      // No password in the configuration is a finding without the server: fail, with the server unchecked.
      return target.password ? down : failAndUnchecked(noPasswordConfigured(), [down]);
    }
    if (target.password) {
      facts.configured = await attempt('target', async (call) => {
        try {
          const flags = aclFlags(await call('ACL', 'GETUSER', 'default'));
          facts.defaultUser = flags ? { flags } : 'no ACL information';
        } catch (err) {
          facts.defaultUser = `cannot read ACL of user "default": ${(err as Error).message.split('\n')[0]}`;
        }
      });
    }
    const wrong = `readiness-wrong-${randomBytes(12).toString('hex')}`;
    facts.wrongPassword = await attempt({ username: target.username, password: wrong });
    ctx.log.debug(`redis.auth: unauthenticated=${facts.unauthenticated.result} configured=${facts.configured?.result ?? 'none'} wrong=${facts.wrongPassword.result}`);
    return evaluateRedisAuth(facts);
  },
});
