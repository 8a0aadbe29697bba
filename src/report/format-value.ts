// Shared rendering for the reporters: values as short single-line JSON-ish text, evidence lines,
// durations, status words, sections and the gate verdict. Everything here is pure and deterministic.
import type { Evidence, Status } from '../check.js';
import { formatDuration } from '../duration.js';
import type { CheckResult, GateStatus, Report, Severity, UnverifiedCheck } from './model.js';

export interface FormatValueOptions {
  /** Longest rendering before it is cut with `…` (default 160). */
  maxLength?: number;
  /** Array items / object keys shown before `… N more` (default 10). */
  maxItems?: number;
  /** Nesting shown before `[…]` / `{…}` (default 3). */
  maxDepth?: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// C0 controls (except tab/newline handled by callers), DEL, C1 controls, line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_ALL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const hex4 = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A string as a JSON literal that stays on one line and shows every control character. */
export function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029]/g, hex4);
}

/**
 * Replaces control characters (terminal escapes, carriage returns, NUL...) with a visible `\u001b`
 * notation, keeping tabs and newlines. Used for text written to terminals and logs.
 */
export function visibleControls(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL_ALL, hex4).replace(LONE_SURROGATE, hex4);
}

/** Replaces unpaired UTF-16 surrogates (which no UTF-8 output can carry) with a visible `\ud800`. */
export function visibleLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, hex4);
}

/** Text on a single line: newlines become ` ⏎ `, other controls become visible escapes. */
export function oneLine(text: string): string {
  return visibleControls(text).replace(/\s*\n\s*/g, ' ⏎ ').replace(/\t/g, ' ');
}

/** Cuts text at `max` characters (never inside a surrogate pair) and marks the cut with `…`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * A value as short single-line JSON-ish text: plain strings as they are (quoted when empty, padded
 * or holding control characters), arrays as `[a, b]`, objects as `{key: value}`, long ones cut.
 */
export function formatValue(value: unknown, options: FormatValueOptions = {}): string {
  const maxLength = options.maxLength ?? 160;
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') {
    const plain = value.length > 0 && value.trim() === value && !CONTROL.test(value);
    return truncate(plain ? value : quote(value), maxLength);
  }
  const ctx = { maxItems: options.maxItems ?? 10, maxDepth: options.maxDepth ?? 3, maxLength, ancestors: new Set<object>() };
  return truncate(render(value, 0, ctx), maxLength);
}

interface RenderContext {
  maxItems: number;
  maxDepth: number;
  maxLength: number;
  ancestors: Set<object>;
}

function render(value: unknown, depth: number, ctx: RenderContext): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      // Nested strings never need more than the whole budget.
      return quote(truncate(value, ctx.maxLength));
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return '[function]';
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof RegExp) return String(obj);
  if (obj instanceof Error) return `${obj.name}: ${oneLine(obj.message)}`;
  if (obj instanceof Uint8Array) return `<${obj.length} bytes>`;
  if (ctx.ancestors.has(obj)) return '[circular]';

  let entries: string[];
  let open: string;
  let close: string;
  let size: number;
  if (Array.isArray(obj) || obj instanceof Set) {
    const items = Array.isArray(obj) ? obj : [...obj];
    if (items.length === 0) return obj instanceof Set ? 'Set []' : '[]';
    if (depth >= ctx.maxDepth) return '[…]';
    ctx.ancestors.add(obj);
    entries = items.slice(0, ctx.maxItems).map((item) => render(item, depth + 1, ctx));
    ctx.ancestors.delete(obj);
    [open, close, size] = [obj instanceof Set ? 'Set [' : '[', ']', items.length];
  } else {
    const pairs: [unknown, unknown][] = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
    if (pairs.length === 0) return obj instanceof Map ? 'Map {}' : '{}';
    if (depth >= ctx.maxDepth) return '{…}';
    ctx.ancestors.add(obj);
    entries = pairs.slice(0, ctx.maxItems).map(([key, item]) => {
      const name = typeof key === 'string' && IDENTIFIER.test(key) ? key : typeof key === 'string' ? quote(key) : render(key, depth + 1, ctx);
      return `${name}: ${render(item, depth + 1, ctx)}`;
    });
    ctx.ancestors.delete(obj);
    [open, close, size] = [obj instanceof Map ? 'Map {' : '{', '}', pairs.length];
  }
  if (size > entries.length) entries.push(`… ${size - entries.length} more`);
  return `${open}${entries.join(', ')}${close}`;
}

/** `12ms`, `1.5s`, `2m30s`. */
export function formatMs(ms: number): string {
  return formatDuration(Number.isFinite(ms) && ms > 0 ? ms : 0);
}

/** Seconds with millisecond precision, as JUnit's `time` attribute wants them. */
export function seconds(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

export interface EvidenceLine {
  label: string;
  value: string;
}

/**
 * The evidence as labelled lines: `expected` and `actual` when present, and with `details` every
 * detail entry. Values are short single-line renderings.
 */
export function evidenceLines(evidence: Evidence | undefined, options: { details?: boolean; maxLength?: number } = {}): EvidenceLine[] {
  if (!evidence) return [];
  const fmt = (v: unknown) => formatValue(v, { maxLength: options.maxLength });
  const lines: EvidenceLine[] = [];
  if (Object.hasOwn(evidence, 'expected')) lines.push({ label: 'expected', value: fmt(evidence.expected) });
  if (Object.hasOwn(evidence, 'actual')) lines.push({ label: 'actual', value: fmt(evidence.actual) });
  if (options.details && evidence.details) {
    for (const [key, value] of Object.entries(evidence.details)) lines.push({ label: oneLine(key), value: fmt(value) });
  }
  return lines;
}

/** One word or phrase per status, as the summary line uses them. */
export const STATUS_WORDS: Record<Status, { one: string; many: string }> = {
  pass: { one: 'passed', many: 'passed' },
  warn: { one: 'warning', many: 'warnings' },
  fail: { one: 'failed', many: 'failed' },
  error: { one: 'could not check', many: 'could not check' },
  skip: { one: 'skipped', many: 'skipped' },
  waived: { one: 'waived', many: 'waived' },
};

export const STATUS_ICONS: Record<Status, string> = {
  pass: '✔',
  warn: '⚠',
  fail: '✖',
  error: '✖',
  skip: '○',
  waived: '◌',
};

export const STATUS_ORDER: readonly Status[] = ['pass', 'warn', 'fail', 'error', 'skip', 'waived'];

/** `12 checks: 8 passed, 1 warning, 2 failed, 2 not verified, 1 skipped` (non-zero counts only; "not verified" are gating skips). */
export function summaryCounts(report: Report): string {
  const { summary } = report;
  const unverified = summary.unverified ?? 0;
  const count = (s: (typeof STATUS_ORDER)[number]) => (s === 'skip' ? summary.skip - unverified : summary[s]);
  const parts = STATUS_ORDER.flatMap((s) => {
    const n = count(s);
    const own = n > 0 ? [`${n} ${n === 1 ? STATUS_WORDS[s].one : STATUS_WORDS[s].many}`] : [];
    return s === 'skip' && unverified > 0 ? [`${unverified} not verified`, ...own] : own;
  });
  const total = `${summary.total} check${summary.total === 1 ? '' : 's'}`;
  return parts.length > 0 ? `${total}: ${parts.join(', ')}` : total;
}

/**
 * True for checks the runner skipped because `--only`/`--skip` left them out: reporters count them
 * on one line instead of listing them.
 */
export function isNotSelected(result: Pick<CheckResult, 'status' | 'skip'>): boolean {
  return result.status === 'skip' && result.skip?.kind === 'not-selected';
}

/** The headline of a result: the type's failure title ("PostgreSQL is not reachable") when it did not pass, else its title. */
export function headline(result: Pick<CheckResult, 'title' | 'failureTitle'>): string {
  return result.failureTitle ?? result.title;
}

/** What left a check unverified, in a few words before its detail ("active check not enabled: …"). */
export function unverifiedText(check: Pick<UnverifiedCheck, 'kind' | 'detail'>): string {
  return check.kind === 'opt-in' ? `active check not enabled: ${check.detail}` : check.detail;
}

/**
 * The variables whose profile default was used, one line each: `BACKEND_URL not set → "http://localhost:8000" (12 checks)`.
 * Every format shows them near the top: a default may point a production run at a developer's laptop.
 */
export function defaultsUsedLines(report: Pick<Report, 'defaultsUsed'>): string[] {
  return (report.defaultsUsed ?? []).map((d) => {
    const where = d.checks.length === 1 ? d.checks[0] : `${d.checks.length} checks`;
    return `${d.variable} not set → ${d.values.map((v) => JSON.stringify(v)).join(' / ')} (${where})`;
  });
}

/** The gate's outcome in capitals: PASSED, FAILED or INCOMPLETE. */
export function gateWord(status: GateStatus): string {
  return status.toUpperCase();
}

/** Results grouped by section, sections in the order they first appear (profile order). */
export function groupBySection(results: readonly CheckResult[]): { section: string; results: CheckResult[] }[] {
  const groups = new Map<string, CheckResult[]>();
  for (const result of results) {
    const section = sectionName(result);
    const group = groups.get(section);
    if (group) group.push(result);
    else groups.set(section, [result]);
  }
  return [...groups].map(([section, list]) => ({ section, results: list }));
}

export function sectionName(result: CheckResult): string {
  return result.section.trim() === '' ? 'General' : result.section;
}

/** `accepted until migration (until 2026-12-31, by ops)`, or the expiry notice once `until` has passed. */
export function waiverText(result: CheckResult): string | undefined {
  const waiver = result.waiver;
  if (!waiver) return undefined;
  const by = waiver.by ? `, by ${waiver.by}` : '';
  if (waiver.expired) return `waiver expired on ${waiver.until}, the check gates again: ${waiver.reason}${waiver.by ? ` (by ${waiver.by})` : ''}`;
  return `${waiver.reason} (until ${waiver.until}${by})`;
}

/** `passed on attempt 2` / `3 attempts` when the runner retried, else undefined. */
export function attemptsText(result: CheckResult): string | undefined {
  if (result.attempts <= 1) return undefined;
  return result.status === 'pass' || result.status === 'warn' ? `passed on attempt ${result.attempts}` : `${result.attempts} attempts`;
}

const GATE_VERBS: Record<string, string> = {
  fail: 'failed',
  error: 'could not be checked',
  warn: 'warned (--strict)',
};

const MAX_IDS = 8;
const MAX_CAUSE = 120;

/** Older reports (schemaVersion 1) have no gate status: passed or failed. */
export function gateStatusOf(report: Report): GateStatus {
  return report.gate.status ?? (report.gate.passed ? 'passed' : 'failed');
}

/**
 * The gate verdict without the `Gate:` prefix: `PASSED (fail-on critical)`,
 * `FAILED — 2 critical checks failed: db.schema, stripe.keys` or
 * `INCOMPLETE — 2 critical checks were not verified: tls.frontend (blocked by dns.root (failed: DOMAIN is not set)), …`.
 */
export function gateVerdict(report: Report): string {
  const { gate } = report;
  const status = gateStatusOf(report);
  const policy = `fail-on ${gate.failOn}${gate.strict ? ', strict' : ''}`;
  if (status === 'passed') return `PASSED (${policy})`;
  const phrases = [...failurePhrases(report), ...unverifiedPhrases(gate.unverified ?? [])];
  if (status === 'incomplete' && gate.nothingVerified && !phrases.length) phrases.push('no check reached a verdict: every check was left out (--only/--skip), skipped in the profile or stopped');
  if (!phrases.length) {
    if (report.interrupted === 'signal') phrases.push('the run was interrupted');
    else if (report.interrupted === 'deadline') phrases.push('the run deadline was reached');
    else return `${gateWord(status)} (${policy})`;
  }
  const allowed = status === 'incomplete' && gate.allowUnverified ? ' (allowed by --allow-unverified: exit 0)' : '';
  return `${gateWord(status)}${allowed} — ${phrases.join('; ')}`;
}

function failurePhrases(report: Report): string[] {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const groups = new Map<string, { ids: string[]; severities: Set<Severity | undefined> }>();
  for (const id of report.gate.failedBy) {
    const result = byId.get(id);
    const kind = result && GATE_VERBS[result.status] ? result.status : 'other';
    const group = groups.get(kind) ?? { ids: [], severities: new Set() };
    group.ids.push(id);
    group.severities.add(result?.severity);
    groups.set(kind, group);
  }
  const order = ['fail', 'error', 'warn', 'other'];
  return [...groups]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([kind, { ids, severities }]) => `${countOf(ids.length, severities)} ${GATE_VERBS[kind] ?? 'failed the gate'}: ${listed(ids)}`);
}

const UNVERIFIED_GROUPS: Record<string, string> = {
  'opt-in': 'active checks not enabled',
  deadline: 'stopped by the run deadline',
  interrupted: 'stopped by Ctrl-C',
};

/**
 * A few unverified checks are named with their cause; many are grouped by cause ("40 blocked by host.systemd
 * (backend.python, …)"), so the verdict stays one readable line.
 */
function unverifiedPhrases(unverified: readonly UnverifiedCheck[]): string[] {
  if (!unverified.length) return [];
  const verb = unverified.length === 1 ? 'was' : 'were';
  const head = `${countOf(unverified.length, new Set(unverified.map((u) => u.severity)))} ${verb} not verified`;
  if (unverified.length <= MAX_IDS) return [`${head}: ${unverified.map((u) => `${u.id} (${truncate(unverifiedText(u), MAX_CAUSE)})`).join(', ')}`];
  const groups = new Map<string, string[]>();
  for (const u of unverified) {
    const key = u.kind === 'blocked' ? `blocked by ${(u.blockedBy ?? []).join(', ') || 'needs that could not be met'}` : (UNVERIFIED_GROUPS[u.kind] ?? u.kind);
    groups.set(key, [...(groups.get(key) ?? []), u.id]);
  }
  const shown = [...groups].sort((a, b) => b[1].length - a[1].length);
  const phrases = shown.slice(0, MAX_IDS).map(([key, ids]) => `${ids.length} ${key} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`);
  if (shown.length > MAX_IDS) phrases.push(`${shown.slice(MAX_IDS).reduce((n, [, ids]) => n + ids.length, 0)} more`);
  return [`${head}: ${phrases.join(', ')}`];
}

/** `2 critical checks` (the severity only when all share it). */
function countOf(n: number, severities: Set<Severity | undefined>): string {
  const [only] = [...severities];
  const severity = severities.size === 1 && only ? `${only} ` : '';
  return `${n} ${severity}check${n === 1 ? '' : 's'}`;
}

const listed = (ids: readonly string[]) => ids.slice(0, MAX_IDS).join(', ') + (ids.length > MAX_IDS ? ` and ${ids.length - MAX_IDS} more` : '');
