// Pieces every Stripe check shares: the secret-key parameter and the "is this key usable at all" gate.
import { z } from 'zod';
import { fail, type Verdict } from '../check.js';
import { maskKey, parseKey, type KeyInfo } from './keys.js';

export const SECRET_KEY_ENV = 'STRIPE_SECRET_KEY';
export const PUBLISHABLE_KEY_ENV = 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY';
export const WEBHOOK_SECRET_ENV = 'STRIPE_WEBHOOK_SECRET';

export const secretKeyParam = () =>
  z
    .string()
    .optional()
    .describe(`Stripe secret or restricted API key (e.g. "\${${SECRET_KEY_ENV}}"); defaults to the ${SECRET_KEY_ENV} environment variable`);

export interface UsableKey {
  key: string;
  info: KeyInfo;
  masked: string;
  source: string;
}

/**
 * The secret key to call Stripe with, or the failing verdict that says why there is none:
 * unset, a publishable key or webhook secret in its place, or a value that is not shaped like a key.
 */
export function usableSecretKey(param: string | undefined, env: Readonly<Record<string, string | undefined>>): UsableKey | { verdict: Verdict } {
  const source = param !== undefined ? 'secret_key' : SECRET_KEY_ENV;
  const raw = param !== undefined ? param : env[SECRET_KEY_ENV];
  if (raw === undefined || raw.trim() === '') {
    return { verdict: fail(`${source} is ${raw === undefined ? 'not set' : 'empty'}: no Stripe secret key to check with`, { expected: 'sk_live_… or rk_live_… key', actual: raw === undefined ? 'unset' : 'empty' }) };
  }
  const info = parseKey(raw);
  const masked = maskKey(raw);
  if (info.kind === 'publishable') {
    return { verdict: fail(`${source} holds a publishable key (${masked}): the server needs a secret key (sk_…) or restricted key (rk_…)`, { expected: 'sk_… or rk_… key', actual: masked }) };
  }
  if (info.kind === 'webhook_secret') {
    return { verdict: fail(`${source} holds a webhook signing secret (${masked}), not an API key`, { expected: 'sk_… or rk_… key', actual: masked }) };
  }
  if (info.kind === 'unknown' || !info.wellFormed) {
    return { verdict: fail(`${source} is not a usable Stripe secret key (${masked}): it ${info.problems.join(' and ')}`, { expected: 'sk_… or rk_… key', actual: masked }) };
  }
  return { key: raw.trim(), info, masked, source };
}

export function isUsable(k: UsableKey | { verdict: Verdict }): k is UsableKey {
  return 'key' in k;
}
