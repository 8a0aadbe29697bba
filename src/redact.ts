// Masks secrets in everything the tool prints or writes. Applied to every verdict and log line by the
// runner, to the report before any reporter sees it, and again to every string the writer emits, so a
// reporter cannot leak what a check found. The one scrubber: checks do not mask by hand, they register the
// secrets they hold (ctx.addSecret) and every encoding of them below is masked everywhere.
import { isSecretName, SECRET_PATTERNS, SECRET_QUERY_PARAMETER, URL_PASSWORD } from './secret-patterns.js';

/** The one mask. */
export const MASK = '[redacted]';

// Passwords in URLs that are obviously placeholders (`${DB_PASSWORD}`, `user:password@` in help text).
// A real secret with such a value is still masked through the variable that holds it.
const PLACEHOLDER = /^(\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}|password|passwd|pass|secret|x+|\*+|<[a-z_-]+>)$/i;

// A template placeholder in a link (`?token={{ token }}`, `?t=<%= t %>`, `?k=${KEY}`) is no secret.
const TEMPLATE = /^(\{\{|\{%|\$\{|<%|%7B%7B|%7B%25|\[\[)/i;

/** Values shorter than this are masked by value only where they stand alone (not inside a longer word). */
const WHOLE_TOKEN_BELOW = 12;

/** Values shorter than this are not masked by value: masking "on" or "1" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  redact(text: string): string;
  /** Deep copy with every string redacted (object keys are kept). */
  redactDeep<T>(value: T): T;
  /** Masks this value too from now on, in every encoding (with `user`, also the HTTP Basic and SMTP AUTH PLAIN forms). */
  add(secret: string | undefined, user?: string): void;
}

/**
 * Every form a secret takes on the wire or in a report: raw, percent-encoded (upper and lower case hex,
 * form-encoded with +), JSON- and HTML-escaped, base64 (standard and URL-safe); with a user name also the
 * HTTP Basic credentials (`user:secret`) and the SMTP AUTH PLAIN payloads, in base64.
 */
export function secretVariants(secret: string, user?: string): string[] {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  const urlSafe = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const encoded = encodeURIComponent(secret);
  const out = [
    secret,
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    encoded.replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
  ];
  // base64 of the secret alone only when long enough that its encoding cannot occur by chance.
  if (secret.length >= 6) out.push(base64(secret), urlSafe(base64(secret)).replace(/=+$/, ''), base64(secret).replace(/=+$/, ''));
  if (user !== undefined) {
    const basic = base64(`${user}:${secret}`);
    out.push(basic, basic.replace(/=+$/, ''), base64(`\u0000${user}\u0000${secret}`), base64(`${user}\u0000${user}\u0000${secret}`));
  }
  return [...new Set(out)].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

export function isSecretVariable(name: string, extraNames: readonly string[] = []): boolean {
  return isSecretName(name) || extraNames.includes(name);
}

/**
 * Builds a redactor from the environment: values of secret-looking variables (and the profile's
 * `secrets:` names), passwords inside URLs, and values with well-known secret shapes.
 */
export function makeRedactor(env: Readonly<Record<string, string | undefined>>, extraSecretNames: readonly string[] = []): Redactor {
  const literals = new Set<string>();
  const add = (secret: string | undefined, user?: string) => {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    for (const variant of secretVariants(secret, user)) literals.add(variant);
    // A URL-valued secret (DATABASE_URL) also leaks through its password alone, and through its Basic form.
    for (const match of secret.matchAll(URL_PASSWORD)) addPassword(add, match[1], match[2]);
    literalRegex = null;
  };
  // null: to be built again (after add()); undefined: nothing to mask by value.
  let literalRegex: RegExp | undefined | null = null;
  for (const [name, value] of Object.entries(env)) {
    if (value && isSecretVariable(name, extraSecretNames)) add(value);
  }
  // One alternation, longest first, so a value containing another is masked whole (built again after add()).
  const literalsRegex = (): RegExp | undefined => {
    if (literalRegex === null) {
      const ordered = [...literals].sort((a, b) => b.length - a.length);
      // A short value (a word such as "short" or "admin") is masked only as a whole token, so ordinary words
      // that contain it ("shorter") stay readable; a long one is masked wherever it appears.
      const alternatives = ordered.map((v) => (v.length < WHOLE_TOKEN_BELOW ? `(?<![A-Za-z0-9])${escapeRegExp(v)}(?![A-Za-z0-9])` : escapeRegExp(v)));
      literalRegex = ordered.length ? new RegExp(alternatives.join('|'), 'g') : undefined;
    }
    return literalRegex;
  };

  const redact = (text: string): string => {
    if (!text) return text;
    const regex = literalsRegex();
    let out = regex ? text.replace(regex, MASK) : text;
    // `postgres://app:${DB_PASSWORD}@db` in docs and profiles is a placeholder, not a password.
    out = out.replace(URL_PASSWORD, (all, before: string, password: string) => (PLACEHOLDER.test(password) ? all : `${before}${MASK}@`));
    // ?token=…&api_key=… in any URL: the value of a secret-looking query parameter.
    out = out.replace(SECRET_QUERY_PARAMETER, (all, name: string, value: string) => (PLACEHOLDER.test(value) || TEMPLATE.test(value) || value === MASK ? all : `${name}=${MASK}`));
    for (const pattern of SECRET_PATTERNS) {
      out = out.replace(pattern.regex, (found) => {
        const prefix = pattern.keepPrefix?.exec(found)?.[0] ?? '';
        return `${prefix}${MASK}`;
      });
    }
    return out;
  };

  const redactDeep = <T>(value: T): T => {
    if (typeof value === 'string') return redact(value) as T;
    if (Array.isArray(value)) return value.map(redactDeep) as T;
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
    }
    return value;
  };

  return { redact, redactDeep, add };
}

/** The password of a URL's user-info, raw and decoded, with its user name for the Basic form. */
function addPassword(add: (secret: string, user?: string) => void, before: string, password: string): void {
  if (PLACEHOLDER.test(password)) return;
  const user = /\/\/([^\s:/?#@]*):$/.exec(before)?.[1];
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text; // not valid percent-encoding: the raw form is enough
    }
  };
  add(password, user);
  add(decode(password), user === undefined ? undefined : decode(user));
}

/** Masks the given secrets (every encoding) in one text, for code that builds a message outside a run. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>, user?: string): string {
  const redactor = makeRedactor({});
  for (const secret of secrets) redactor.add(secret?.trim(), user);
  for (const secret of secrets) redactor.add(secret, user);
  return redactor.redact(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
