// Stripe key shapes: what a key is (secret, restricted, publishable, webhook secret), its mode, and how to
// show it without leaking it.
import { SECRET_PATTERNS } from '../secret-patterns.js';

export type KeyKind = 'secret' | 'restricted' | 'publishable' | 'webhook_secret' | 'unknown';
export type KeyMode = 'live' | 'test';

export interface KeyInfo {
  kind: KeyKind;
  /** Undefined for webhook secrets and unknown shapes. */
  mode?: KeyMode;
  /** Prefix-only description safe to show: `sk_live_`, `rk_test_`, `pk_live_`, `whsec_`. */
  prefix: string;
  /** True when the characters after the prefix look like a Stripe key (letters and digits, long enough). */
  wellFormed: boolean;
  /** Problems with the value itself (whitespace, quotes, too short), as short phrases. */
  problems: string[];
}

const KEY = /^(sk|rk|pk)_(live|test)_(.*)$/s;
const KIND: Record<string, KeyKind> = { sk: 'secret', rk: 'restricted', pk: 'publishable' };

/** Reads what a key is from its prefix. Never returns the key itself. */
export function parseKey(value: string): KeyInfo {
  const problems: string[] = [];
  if (value !== value.trim()) problems.push('has leading or trailing whitespace');
  if (/^["']|["']$/.test(value.trim())) problems.push('is wrapped in quotes');
  const v = value.trim().replace(/^["']|["']$/g, '');
  const key = KEY.exec(v);
  if (key) {
    const rest = key[3];
    if (/\s/.test(rest)) problems.push('contains whitespace');
    const wellFormed = /^[A-Za-z0-9]{16,}$/.test(rest);
    if (!wellFormed && !/\s/.test(rest)) problems.push(rest.length < 16 ? 'is too short to be a Stripe key' : 'contains characters a Stripe key never has');
    return { kind: KIND[key[1]], mode: key[2] as KeyMode, prefix: `${key[1]}_${key[2]}_`, wellFormed: wellFormed && problems.length === 0, problems };
  }
  if (v.startsWith('whsec_')) {
    const rest = v.slice(6);
    if (/\s/.test(rest)) problems.push('contains whitespace');
    const wellFormed = /^[A-Za-z0-9+/=]{16,}$/.test(rest);
    if (!wellFormed && !/\s/.test(rest)) problems.push(rest.length < 16 ? 'is too short to be a webhook signing secret' : 'contains characters a webhook signing secret never has');
    return { kind: 'webhook_secret', prefix: 'whsec_', wellFormed: wellFormed && problems.length === 0, problems };
  }
  problems.push('does not start with sk_live_, sk_test_, rk_live_, rk_test_, pk_live_, pk_test_ or whsec_');
  return { kind: 'unknown', prefix: '', wellFormed: false, problems };
}

/**
 * A key as it may be shown: its known prefix, an ellipsis and at most the last 4 characters
 * (`sk_live_…abcd`). Short or unknown values show no characters of the secret part at all.
 */
export function maskKey(value: string | undefined): string {
  if (!value) return '(empty)';
  const v = value.trim();
  const prefix = /^(?:sk|rk|pk)_(?:live|test)_|^whsec_/.exec(v)?.[0] ?? '';
  const rest = v.slice(prefix.length);
  // Only reveal a tail when the hidden part is much longer than what is shown.
  const tail = rest.length >= 16 ? rest.slice(-4) : '';
  return `${prefix}…${tail}`;
}

const STRIPE_SHAPES = SECRET_PATTERNS.filter((p) => p.name.startsWith('Stripe'));

/**
 * Removes secrets from a text that came from outside (an SDK error, an app's response body): the given
 * secret values wherever they appear, and anything shaped like a Stripe secret key or webhook secret.
 */
export function scrub(text: string, secrets: Array<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const s = secret.trim();
    if (s.length < 4) continue;
    out = out.split(s).join(maskKey(s));
    if (s !== secret) out = out.split(secret).join(maskKey(s));
  }
  for (const pattern of STRIPE_SHAPES) out = out.replace(new RegExp(pattern.regex.source, 'g'), (m) => maskKey(m));
  return out;
}

export function modeName(mode: KeyMode | undefined): string {
  return mode === 'live' ? 'live mode' : mode === 'test' ? 'test mode' : 'unknown mode';
}
