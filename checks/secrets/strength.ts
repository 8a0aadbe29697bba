// secrets.strength: session, CSRF and other application secrets are long, random-looking, distinct from
// each other and not a known example or default. The assessment itself is src/secret-strength.ts,
// shared with env.vars, so both checks judge a secret the same way.
import { z } from 'zod';
import { defineCheck, fail, pass, type Verdict } from '../../src/check.js';
import { boolish, intish, oneOrMany } from '../../src/params.js';
import { SECRET_PATTERNS } from '../../src/secret-patterns.js';
import { assessSecretStrength } from '../../src/secret-strength.js';

export const DEFAULT_SECRET_NAMES = ['SESSION_SECRET_KEY', 'CSRF_SECRET_KEY'];

/** Names `discover` picks up: app-generated secrets, not provider keys or passwords set elsewhere. */
const DISCOVER_NAME = /(?:^|_)(?:SECRET|SECRET_KEY|SIGNING_KEY|SIGNING_SECRET|ENCRYPTION_KEY|SALT|PEPPER|COOKIE_SECRET|APP_KEY)$/i;

const varName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as SESSION_SECRET_KEY');

const params = z
  .object({
    names: oneOrMany(varName).default(DEFAULT_SECRET_NAMES).describe('Variables holding secrets the app generates itself (checklist: SESSION_SECRET_KEY, CSRF_SECRET_KEY).'),
    optional: z.array(varName).default([]).describe('Names that may be unset (checked only when set).'),
    discover: boolish().default(false).describe('Also check every set variable named like *_SECRET, *_SECRET_KEY, *_SIGNING_KEY, *_ENCRYPTION_KEY, *_SALT, *_PEPPER (provider keys such as sk_live_… are left to their own checks).'),
    min_length: intish().pipe(z.number().int().min(1)).default(32).describe('Minimum length in characters (checklist: 32).'),
    min_distinct: intish().pipe(z.number().int().min(1)).optional().describe('Minimum number of distinct characters (default: min(10, length / 3)).'),
    distinct: boolish().default(true).describe('Fail when two of the checked secrets have the same value.'),
  })
  .strict();

export interface SecretAssessment {
  name: string;
  set: boolean;
  optional: boolean;
  /** From assessSecretStrength: sentence fragments that never contain the value. */
  problems: string[];
  length?: number;
}

/** Pure decision: per-variable assessments in, verdict out. */
export function evaluateStrength(items: SecretAssessment[], minLength: number): Verdict {
  const missing = items.filter((i) => !i.set && !i.optional);
  const weak = items.filter((i) => i.set && i.problems.length);
  const evidence = {
    expected: { minLength, placeholder: false, distinct: true },
    actual: Object.fromEntries(items.map((i) => [i.name, i.set ? { length: i.length, problems: i.problems } : 'not set'])),
  };
  if (!items.length) return fail('no secret to check: none of the configured names is set (give `names`)', evidence);
  const messages = [
    ...missing.map((i) => `${i.name} is not set`),
    ...weak.map((i) => `${i.name} ${i.problems.join(', ')}`),
  ];
  if (messages.length) {
    return fail(
      messages.join('; '),
      evidence,
      `Generate each secret separately with a CSPRNG, e.g. \`openssl rand -hex 32\` (64 characters), store it in the deployment's secret store and set ${[...missing, ...weak].map((i) => i.name).join(', ')}; rotate any secret that was a default or shared.`,
    );
  }
  const checked = items.filter((i) => i.set);
  return pass(`${checked.length} secret${checked.length === 1 ? '' : 's'} strong and distinct: ${checked.map((i) => i.name).join(', ')} (≥ ${minLength} characters, none a known placeholder)`, evidence);
}

/** Runs the shared assessment for each name; earlier names are the `others` of later ones so a duplicate is reported once. */
export function assessAll(
  names: string[],
  env: Readonly<Record<string, string | undefined>>,
  options: { minLength: number; minDistinct?: number; distinct: boolean; optional: string[] },
): SecretAssessment[] {
  const out: SecretAssessment[] = [];
  const seen: Record<string, string | undefined> = {};
  for (const name of names) {
    const value = env[name];
    const optional = options.optional.includes(name);
    if (value === undefined || value === '') {
      out.push({ name, set: false, optional, problems: [] });
      continue;
    }
    const problems = assessSecretStrength(value, { minLength: options.minLength, minDistinct: options.minDistinct, others: options.distinct ? { ...seen } : undefined });
    out.push({ name, set: true, optional, problems, length: [...value].length });
    seen[name] = value;
  }
  return out;
}

function looksLikeProviderSecret(value: string): boolean {
  return SECRET_PATTERNS.some((p) => {
    p.regex.lastIndex = 0;
    const hit = p.regex.test(value);
    p.regex.lastIndex = 0;
    return hit;
  });
}

export default defineCheck({
  meta: {
    type: 'secrets.strength',
    title: 'Application secrets are strong and distinct',
    failureTitle: 'Application secrets are weak, shared or placeholders',
    description:
      'Session and CSRF secrets sign cookies and forms: a short, guessable, default (`changeme`, `your-secret-here`) or reused value lets an attacker forge sessions. Checks that each named secret is set, at least min_length characters (checklist: 32), has enough distinct characters to be random, is not a known placeholder or default, and differs from the others. Values are never shown — only their length and what is wrong.',
    remediation: 'Generate each secret with `openssl rand -hex 32` and set it in the deployment environment; never reuse one secret for two purposes.',
    docs: 'docs/checks.md#secrets-strength',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const names = [...p.names];
    if (p.discover) {
      for (const [name, value] of Object.entries(ctx.env)) {
        if (!value || names.includes(name) || !DISCOVER_NAME.test(name)) continue;
        if (looksLikeProviderSecret(value) || value.includes('-----BEGIN')) continue;
        names.push(name);
      }
    }
    const items = assessAll(names, ctx.env, { minLength: p.min_length, minDistinct: p.min_distinct, distinct: p.distinct, optional: p.optional });
    ctx.log.debug(`secrets.strength: checked ${items.map((i) => `${i.name}(${i.set ? `${i.problems.length} problems` : 'unset'})`).join(', ')}`);
    return evaluateStrength(items, p.min_length);
  },
});
