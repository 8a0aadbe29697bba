// Keeps the secrets an email check holds (SMTP passwords, API keys, AWS secret keys) out of its verdicts
// and logs: one mask for showing "which key" and one scrubber applied to anything built from server text.
import { secretVariants } from '../redact.js';

/** `SG.…wxyz`: a known prefix and the last 4 characters at most; short values are fully hidden. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '(empty)';
  const prefix = /^(SG\.|AKIA|ASIA|sk_live_|sk_test_)/.exec(value)?.[1] ?? '';
  if (value.length < 16) return `${prefix}…`;
  return `${prefix}…${value.slice(-4)}`;
}

/** Replaces every occurrence of the given secrets, in every encoding the redactor knows (secretVariants), with `***`. */
export function scrub(text: string, secrets: Array<string | undefined>, user?: string): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    // Longest first, so an encoding that contains another is masked whole.
    for (const v of secretVariants(secret, user).sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
  }
  return out;
}

/** Deep copy of plain data with every string scrubbed: for evidence built from server answers. */
export function scrubDeep<T>(value: T, secrets: Array<string | undefined>): T {
  if (typeof value === 'string') return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, secrets);
    return out as T;
  }
  return value;
}

/** `x@example.com` → `example.com`; undefined when there is no `@`. */
export function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  return at > 0 ? address.slice(at + 1).toLowerCase().replace(/>$/, '') : undefined;
}

/** `App <noreply@example.com>` → `noreply@example.com`. */
export function bareAddress(address: string): string {
  const m = /<([^>]+)>/.exec(address);
  return (m ? m[1] : address).trim().toLowerCase();
}
