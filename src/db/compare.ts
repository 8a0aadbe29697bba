// Small pure helpers shared by the database and Redis checks: versions, sizes, loose value equality,
// `>= 100`-style expectations and secret scrubbing.
import { secretVariants } from '../redact.js';

/** `15.4` / `150004` / `7.0.15` / `14` → [major, minor, patch]. */
export function parseVersion(value: string | number): number[] | undefined {
  const text = String(value).trim();
  if (/^\d{5,6}$/.test(text)) {
    // PostgreSQL's server_version_num: 150004 → 15.4, 90624 → 9.6.24
    const num = Number(text);
    const major = Math.floor(num / 10000);
    return major >= 10 ? [major, num % 10000] : [major, Math.floor((num % 10000) / 100), num % 100];
  }
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [match[1], match[2], match[3]].filter((p) => p !== undefined).map(Number);
}

/** Negative when a < b, 0 when equal on the parts both give, positive when a > b. */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1_000_000, mb: 1024 ** 2, g: 1_000_000_000, gb: 1024 ** 3, tb: 1024 ** 4,
};

/** Redis-style sizes: `256mb`, `1gb`, `100000` (bytes), `2g` (10^9, as redis.conf says). */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = SIZE_UNITS[match[2].toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0';
  const units: [string, number][] = [['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024]];
  for (const [name, size] of units) {
    if (bytes >= size && bytes % (size / 16) === 0) return `${+(bytes / size).toFixed(2)}${name}`;
  }
  return `${bytes} bytes`;
}

/** A value as it appears in a message: strings bare, everything else as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'NULL';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

const NUMERIC = /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i;

/**
 * Equality that forgives how drivers spell values: PostgreSQL returns numeric/bigint as strings
 * ("29.00"), SQLite stores booleans as 0/1, dates come back as Date objects.
 */
export function looseEqual(expected: unknown, actual: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof expected === 'boolean') {
    if (typeof actual === 'boolean') return actual === expected;
    if (typeof actual === 'number' || typeof actual === 'bigint') return Number(actual) === (expected ? 1 : 0);
    if (typeof actual === 'string') return ['t', 'true', '1', 'yes', 'on'].includes(actual.toLowerCase()) === expected
      && ['t', 'true', '1', 'yes', 'on', 'f', 'false', '0', 'no', 'off'].includes(actual.toLowerCase());
    return false;
  }
  if (typeof expected === 'number') {
    if (typeof actual === 'number' || typeof actual === 'bigint') return Number(actual) === expected;
    if (typeof actual === 'string' && NUMERIC.test(actual)) return Number(actual) === expected;
    return false;
  }
  if (typeof expected === 'string') {
    if (actual instanceof Date) {
      const iso = actual.toISOString();
      return iso === expected || iso.slice(0, 10) === expected || Date.parse(expected) === actual.getTime();
    }
    if ((typeof actual === 'number' || typeof actual === 'bigint') && NUMERIC.test(expected)) return Number(actual) === Number(expected);
    if (typeof actual === 'string' && NUMERIC.test(actual) && NUMERIC.test(expected)) return Number(actual) === Number(expected);
    if (typeof actual === 'object') return JSON.stringify(actual) === expected;
    return String(actual) === expected;
  }
  if (typeof expected === 'object') {
    let parsed = actual;
    if (typeof actual === 'string') {
      try { parsed = JSON.parse(actual); } catch { return false; }
    }
    return JSON.stringify(sortKeys(expected)) === JSON.stringify(sortKeys(parsed));
  }
  return false;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** A driver value made safe and readable for evidence (Dates → ISO, Buffers → size, bigint → string). */
export function plainValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)]));
}

export type Operator = '>=' | '<=' | '>' | '<' | '=' | '!=';

export interface Expectation {
  op: Operator;
  /** One value, or several when a list was given (`one of`). */
  values: string[];
}

/** `">= 100"`, `"on"`, `"!= off"`, `["replica", "logical"]`, `100` → an expectation. */
export function parseExpectation(raw: string | number | boolean | (string | number | boolean)[]): Expectation {
  if (Array.isArray(raw)) return { op: '=', values: raw.map(normalizeScalar) };
  const text = normalizeScalar(raw).trim();
  const match = /^(>=|<=|!=|<>|==|=|>|<)\s*(.+)$/.exec(text);
  if (!match) return { op: '=', values: [text] };
  const op = (match[1] === '==' ? '=' : match[1] === '<>' ? '!=' : match[1]) as Operator;
  return { op, values: [match[2].trim()] };
}

function normalizeScalar(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

export function describeExpectation(e: Expectation): string {
  if (e.values.length > 1) return `one of ${e.values.join(', ')}`;
  return e.op === '=' ? e.values[0] : `${e.op} ${e.values[0]}`;
}

/**
 * Tests an actual value against an expectation. `toNumber` converts a text with an optional unit to a
 * comparable number (for memory/time settings); without it plain numbers are compared.
 */
export function meetsExpectation(actual: string, e: Expectation, toNumber: (text: string) => number | undefined = plainNumber): boolean | undefined {
  if (e.op === '=' || e.op === '!=') {
    const equal = e.values.some((v) => sameText(actual, v, toNumber));
    return e.op === '=' ? equal : !equal;
  }
  const a = toNumber(actual);
  const b = toNumber(e.values[0]);
  if (a === undefined || b === undefined) return undefined;
  switch (e.op) {
    case '>=': return a >= b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a < b;
  }
}

function plainNumber(text: string): number | undefined {
  return NUMERIC.test(text) ? Number(text) : undefined;
}

const BOOL_WORDS: Record<string, string> = { on: 'on', true: 'on', yes: 'on', '1': 'on', off: 'off', false: 'off', no: 'off', '0': 'off' };

function sameText(actual: string, expected: string, toNumber: (text: string) => number | undefined): boolean {
  const a = actual.trim().toLowerCase();
  const b = expected.trim().toLowerCase();
  if (a === b) return true;
  if (BOOL_WORDS[a] && BOOL_WORDS[a] === BOOL_WORDS[b]) return true;
  const x = toNumber(actual);
  const y = toNumber(expected);
  return x !== undefined && y !== undefined && x === y;
}

/** Replaces every occurrence of each secret (and URL userinfo passwords) with `***`. */
export function scrub(text: string, secrets: (string | undefined)[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s@/?#]+)@/gi, '$1***@');
  for (const secret of secrets) {
    // Very short secrets would turn every message into asterisks; they are not echoed by servers anyway.
    if (!secret || secret.length < 4) continue;
    for (const v of secretVariants(secret).sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
  }
  return out;
}

/** Seconds/ms formatting for messages: `2s`, `350ms`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

/** Quotes an identifier for PostgreSQL and SQLite: `schema.table` → `"schema"."table"`. */
export function quoteIdent(name: string): string {
  return name.split('.').map((part) => `"${part.replace(/"/g, '""')}"`).join('.');
}

/**
 * Drops keys whose value is undefined from expected/actual/details (one level deep), so a report
 * shows only what was asked and found, not `min_count: undefined`.
 */
export function compactEvidence<E extends { expected?: unknown; actual?: unknown; details?: Record<string, unknown> }>(evidence: E): E {
  const strip = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined))
      : v;
  const out = { ...evidence };
  for (const key of ['expected', 'actual', 'details'] as const) {
    if (key in out) (out as Record<string, unknown>)[key] = strip(out[key]);
  }
  return out;
}
