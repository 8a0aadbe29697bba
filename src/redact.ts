// Masks secrets in everything the tool prints or writes. Applied to the report before any reporter
// sees it and again to every string the writer emits, so a reporter cannot leak what a check found.
import { isSecretName, SECRET_PATTERNS, URL_PASSWORD } from './secret-patterns.js';

export const MASK = '[redacted]';

// Passwords in URLs that are obviously placeholders (`${DB_PASSWORD}`, `user:password@` in help text).
// A real secret with such a value is still masked through the variable that holds it.
const PLACEHOLDER = /^(\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}|password|passwd|pass|secret|x+|\*+|<[a-z_-]+>)$/i;

/** Values shorter than this are not masked by value: masking "on" or "1" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  redact(text: string): string;
  /** Deep copy with every string redacted (object keys are kept). */
  redactDeep<T>(value: T): T;
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
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_SECRET_LENGTH || !isSecretVariable(name, extraSecretNames)) continue;
    literals.add(value);
    // The same secret may appear percent-encoded inside a URL or JSON-escaped inside a string.
    literals.add(encodeURIComponent(value));
    literals.add(JSON.stringify(value).slice(1, -1));
    // A URL-valued secret (DATABASE_URL) also leaks through its password alone.
    for (const match of value.matchAll(URL_PASSWORD)) addPassword(literals, match[2]);
  }
  // Longest first, so a value containing another is masked whole.
  const ordered = [...literals].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  const literalRegex = ordered.length ? new RegExp(ordered.map(escapeRegExp).join('|'), 'g') : undefined;

  const redact = (text: string): string => {
    if (!text) return text;
    let out = literalRegex ? text.replace(literalRegex, MASK) : text;
    // `postgres://app:${DB_PASSWORD}@db` in docs and profiles is a placeholder, not a password.
    out = out.replace(URL_PASSWORD, (all, before: string, password: string) => (PLACEHOLDER.test(password) ? all : `${before}${MASK}@`));
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

  return { redact, redactDeep };
}

function addPassword(literals: Set<string>, password: string): void {
  literals.add(password);
  try {
    literals.add(decodeURIComponent(password));
  } catch {
    // Not valid percent-encoding: the raw form is enough.
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
