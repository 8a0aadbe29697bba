// jwt.policy: token lifetimes and signing algorithm, as the app is configured (environment) or as given.
import { z } from 'zod';
import { combine, defineCheck, fail, pass, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish, duration } from '../../src/params.js';
import { ASYMMETRIC_ALGORITHMS, isSymmetricAlgorithm } from '../../src/keys/keys.js';

const product = (prefixes: string[], suffixes: string[]) => prefixes.flatMap((p) => suffixes.map((s) => `${p}_${s}`));
const TTL_SUFFIXES = ['EXPIRE_MINUTES', 'EXPIRES_MINUTES', 'EXPIRE_SECONDS', 'EXPIRES_IN', 'EXPIRE', 'EXPIRES', 'EXPIRY', 'TTL', 'LIFETIME', 'EXPIRATION'];

export const DEFAULT_ACCESS_ENV = [
  ...product(['ACCESS_TOKEN', 'JWT_ACCESS_TOKEN', 'JWT_ACCESS'], TTL_SUFFIXES),
  'JWT_EXPIRES_IN',
  'JWT_EXPIRATION',
  'JWT_EXPIRE_MINUTES',
  'JWT_TTL',
];
export const DEFAULT_REFRESH_ENV = product(['REFRESH_TOKEN', 'JWT_REFRESH_TOKEN', 'JWT_REFRESH'], ['EXPIRE_DAYS', 'EXPIRES_DAYS', ...TTL_SUFFIXES]);
export const DEFAULT_ALGORITHM_ENV = ['JWT_ALGORITHM', 'JWT_ALG', 'JWT_SIGNING_ALGORITHM', 'ALGORITHM'];

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001, msec: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86_400, day: 86_400, days: 86_400,
  w: 604_800, week: 604_800, weeks: 604_800,
};

/** Unit a variable's name implies for a bare number: `ACCESS_TOKEN_EXPIRE_MINUTES=15` is 15 minutes. */
export function unitFromName(name: string): number {
  const n = name.toUpperCase();
  if (/(^|_)(MS|MILLIS|MILLISECONDS?)($|_)/.test(n)) return 0.001;
  if (/(^|_)(MINUTES?|MINS?)($|_)/.test(n)) return 60;
  if (/(^|_)(HOURS?|HRS?)($|_)/.test(n)) return 3600;
  if (/(^|_)DAYS?($|_)/.test(n)) return 86_400;
  if (/(^|_)WEEKS?($|_)/.test(n)) return 604_800;
  return 1;
}

/**
 * Seconds from the ways apps spell token lifetimes: `900`, `15m`, `15 minutes`, `1h`, `7d`, `PT15M`;
 * a bare number takes `bareUnit` (seconds unless the variable name says otherwise). Undefined when unreadable.
 */
export function parseTtl(value: string | number, bareUnit = 1): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * bareUnit : undefined;
  const text = value.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * bareUnit;
  const iso = /^p(?:(\d+)w)?(?:(\d+)d)?(?:t(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?)?$/.exec(text);
  if (iso && text !== 'p' && text !== 'pt') {
    const [, w, d, h, m, s] = iso.map((x) => Number(x ?? 0));
    return w * 604_800 + d * 86_400 + h * 3600 + m * 60 + s;
  }
  // One or more `<number><unit>` parts: `1h30m`, `1 hour 30 minutes`.
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)\s*/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text.replace(/^\s+/, '')) return undefined;
  let total = 0;
  for (const [, amount, unit] of parts) {
    const factor = UNIT_SECONDS[unit];
    if (factor === undefined) return undefined;
    total += Number(amount) * factor;
  }
  return total;
}

const params = z
  .object({
    access_ttl: z.union([z.string(), z.number()]).optional().describe('Access token lifetime as configured (e.g. `${ACCESS_TOKEN_EXPIRE_MINUTES}m`, `15m`, `900`; a bare number is seconds); read from the environment when absent.'),
    refresh_ttl: z.union([z.string(), z.number()]).optional().describe('Refresh token lifetime as configured; read from the environment when absent.'),
    algorithm: z.string().optional().describe('JWT signing algorithm as configured; read from the environment (JWT_ALGORITHM…) when absent.'),
    access_ttl_env: z.array(z.string()).default(DEFAULT_ACCESS_ENV).describe('Environment variables looked at, in order, for the access token lifetime. A bare number takes the unit in the name (…_MINUTES, …_DAYS), else seconds.'),
    refresh_ttl_env: z.array(z.string()).default(DEFAULT_REFRESH_ENV).describe('Environment variables looked at, in order, for the refresh token lifetime.'),
    algorithm_env: z.array(z.string()).default(DEFAULT_ALGORITHM_ENV).describe('Environment variables looked at, in order, for the algorithm.'),
    max_access_ttl: duration().default(900_000).describe('Longest acceptable access token lifetime (checklist: 15m).'),
    max_refresh_ttl: duration().default(604_800_000).describe('Longest acceptable refresh token lifetime (checklist: 7d).'),
    allowed_algorithms: z.array(z.string()).default([...ASYMMETRIC_ALGORITHMS]).describe('Algorithms accepted. `none` is always rejected.'),
    require_asymmetric: boolish().default(true).describe('Reject HS256/384/512 (shared-secret) algorithms even when listed.'),
    require_refresh: boolish().default(true).describe('Fail when no refresh token lifetime is configured; set false for apps without refresh tokens.'),
  })
  .strict();

export interface SettingFact {
  /** `ACCESS_TOKEN_EXPIRE_MINUTES` or `parameter access_ttl`. */
  source: string;
  raw: string;
}

/** A lifetime as found; `assumedSeconds` when it was a bare number and nothing said which unit it is in. */
export type LifetimeFact = SettingFact & { seconds?: number; assumedSeconds?: boolean };

export interface PolicyFacts {
  access?: LifetimeFact;
  refresh?: LifetimeFact;
  algorithm?: SettingFact;
  lookedAt: { access: string[]; refresh: string[]; algorithm: string[] };
  maxAccessSeconds: number;
  maxRefreshSeconds: number;
  allowedAlgorithms: string[];
  requireAsymmetric: boolean;
  requireRefresh: boolean;
}

const human = (seconds: number) => formatDuration(seconds * 1000);
const shortList = (names: string[]) => (names.length > 4 ? `${names.slice(0, 4).join(', ')}… (${names.length} names)` : names.join(', '));

function lifetimeVerdict(label: 'access' | 'refresh', s: PolicyFacts['access'], max: number, lookedAt: string[], required: boolean): Verdict {
  const param = `${label}_ttl`;
  if (!s) {
    if (!required) return pass(`no ${label} token lifetime configured`);
    return fail(
      `${label} token lifetime is not configured: none of ${shortList(lookedAt)} is set (expected ≤ ${human(max)})`,
      undefined,
      `Set the ${label} token lifetime explicitly in the app's environment (≤ ${human(max)}), or give it to the check as \`${param}\`, or list the variable your app uses in \`${param}_env\`.`,
    );
  }
  if (s.seconds === undefined) {
    return fail(`${label} token lifetime ${s.source}=${JSON.stringify(s.raw)} is not a duration (expected e.g. 15m, 900 or 7d)`);
  }
  if (s.seconds <= 0) {
    return fail(`${label} token lifetime ${s.source}=${s.raw} means tokens never expire (expected ≤ ${human(max)})`);
  }
  if (s.seconds > max) {
    return fail(`${label} token lifetime ${human(s.seconds)} (${s.source}=${s.raw}) is above the maximum ${human(max)}`);
  }
  if (s.assumedSeconds && s.seconds <= 120) {
    // `access_ttl: ${ACCESS_TOKEN_EXPIRE_MINUTES}` gives "60": read as seconds it would pass a one-hour token.
    return warn(
      `${label} token lifetime ${s.source}=${s.raw} is read as ${s.raw} seconds (a bare number has no unit), unusually short; if it means minutes, write ${s.raw}m`,
    );
  }
  return pass(`${label} token lifetime ${human(s.seconds)}`);
}

function algorithmVerdict(f: PolicyFacts): Verdict {
  const a = f.algorithm;
  if (!a) {
    return fail(
      `JWT algorithm is not configured: none of ${shortList(f.lookedAt.algorithm)} is set (expected one of ${f.allowedAlgorithms.join(', ')})`,
      undefined,
      'Set JWT_ALGORITHM=RS256 (or the variable your app reads) so the algorithm is pinned, or give it to the check as `algorithm`.',
    );
  }
  const value = a.raw.trim();
  if (value.toLowerCase() === 'none') {
    return fail(`JWT algorithm ${a.source}=none accepts unsigned tokens: anyone can forge one (expected one of ${f.allowedAlgorithms.join(', ')})`);
  }
  if (isSymmetricAlgorithm(value) && f.requireAsymmetric) {
    return fail(
      `JWT algorithm ${a.source}=${value} is a shared-secret (HMAC) algorithm, but an asymmetric one is required (${f.allowedAlgorithms.filter((x) => !isSymmetricAlgorithm(x)).join(', ')})`,
      undefined,
      'Switch to RS256 (or ES256/EdDSA) with a key pair, so services that verify tokens cannot mint them.',
    );
  }
  if (!f.allowedAlgorithms.includes(value)) {
    return fail(`JWT algorithm ${a.source}=${value} is not one of the allowed ${f.allowedAlgorithms.join(', ')}`);
  }
  return pass(`algorithm ${value}`);
}

/** Pure decision: configured token settings in, verdict out. */
export function evaluatePolicy(f: PolicyFacts): Verdict {
  const parts = [
    lifetimeVerdict('access', f.access, f.maxAccessSeconds, f.lookedAt.access, true),
    lifetimeVerdict('refresh', f.refresh, f.maxRefreshSeconds, f.lookedAt.refresh, f.requireRefresh),
    algorithmVerdict(f),
  ];
  const okParts = parts.map((p) => p.message).filter(Boolean);
  return combine(parts, okParts.join(', '), {
    expected: {
      accessTtl: `≤ ${human(f.maxAccessSeconds)}`,
      refreshTtl: `≤ ${human(f.maxRefreshSeconds)}`,
      algorithm: f.allowedAlgorithms.filter((x) => !(f.requireAsymmetric && isSymmetricAlgorithm(x))),
    },
    actual: {
      accessTtl: f.access ? { source: f.access.source, value: f.access.raw, seconds: f.access.seconds } : null,
      refreshTtl: f.refresh ? { source: f.refresh.source, value: f.refresh.raw, seconds: f.refresh.seconds } : null,
      algorithm: f.algorithm ? { source: f.algorithm.source, value: f.algorithm.raw } : null,
    },
  });
}

function fromEnv(names: string[], env: Readonly<Record<string, string | undefined>>): SettingFact | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { source: name, raw: value.trim() };
  }
  return undefined;
}

const BARE_NUMBER = /^\s*["']?\d+(\.\d+)?["']?\s*$/;

function lifetime(given: string | number | undefined, names: string[], env: Readonly<Record<string, string | undefined>>, param: string): LifetimeFact | undefined {
  if (given !== undefined && String(given).trim() !== '') {
    return { source: `parameter ${param}`, raw: String(given).trim(), seconds: parseTtl(given), assumedSeconds: BARE_NUMBER.test(String(given)) };
  }
  const found = fromEnv(names, env);
  if (!found) return undefined;
  const unit = unitFromName(found.source);
  const saysSeconds = /(^|_)(S|SEC|SECS|SECONDS?)($|_)/i.test(found.source);
  return { ...found, seconds: parseTtl(found.raw, unit), assumedSeconds: unit === 1 && !saysSeconds && BARE_NUMBER.test(found.raw) };
}

export default defineCheck({
  meta: {
    type: 'jwt.policy',
    title: 'JWT lifetimes and algorithm follow the policy',
    failureTitle: 'JWT lifetimes or algorithm break the policy',
    description:
      'A stolen access token is usable until it expires and a stolen refresh token until it does, so lifetimes must be short (checklist: 15 minutes access, 7 days refresh); `none` or a shared-secret HS* algorithm lets anyone holding the secret (or nobody at all) mint tokens. Reads the settings from the environment under the usual names (ACCESS_TOKEN_EXPIRE_MINUTES=15, JWT_ACCESS_TTL=15m, JWT_ALGORITHM=RS256…) or takes them as parameters.',
    remediation: 'Set the access token lifetime to 15 minutes or less, the refresh token lifetime to 7 days or less and JWT_ALGORITHM=RS256 (or another asymmetric algorithm) in the deployment environment.',
    docs: 'docs/checks.md#jwt-policy',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const algorithm = p.algorithm !== undefined && p.algorithm.trim() !== '' ? { source: 'parameter algorithm', raw: p.algorithm.trim() } : fromEnv(p.algorithm_env, ctx.env);
    const facts: PolicyFacts = {
      access: lifetime(p.access_ttl, p.access_ttl_env, ctx.env, 'access_ttl'),
      refresh: lifetime(p.refresh_ttl, p.refresh_ttl_env, ctx.env, 'refresh_ttl'),
      algorithm,
      lookedAt: { access: p.access_ttl_env, refresh: p.refresh_ttl_env, algorithm: p.algorithm_env },
      maxAccessSeconds: p.max_access_ttl / 1000,
      maxRefreshSeconds: p.max_refresh_ttl / 1000,
      allowedAlgorithms: p.allowed_algorithms,
      requireAsymmetric: p.require_asymmetric,
      requireRefresh: p.require_refresh,
    };
    ctx.log.debug(`jwt.policy: access from ${facts.access?.source ?? 'nowhere'}, refresh from ${facts.refresh?.source ?? 'nowhere'}, algorithm from ${facts.algorithm?.source ?? 'nowhere'}`);
    return evaluatePolicy(facts);
  },
});
