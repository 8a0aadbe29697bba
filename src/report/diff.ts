// Compares two JSON reports check by check: what got worse (regressions), what was fixed, what
// still fails, checks added or removed, severity changes. Pure functions: reading, comparing and
// rendering are kept apart so `readiness diff` is thin and every rule here is unit-tested.
import type { Status } from '../check.js';
import { STATUSES } from '../check.js';
import { escapeMarkdown } from './reporters/markdown.js';
import { STATUS_ICONS, gateStatusOf, gateWord, headline, isNotSelected, oneLine, truncate } from './format-value.js';
import { upgradeReport } from './compat.js';
import { hasNoVerdict } from '../engine/gate.js';
import { REPORT_SCHEMA_VERSION, SEVERITIES, type CheckResult, type GateStatus, type Report, type Severity, type SkipKind } from './model.js';

/** 2: unverified checks (blocked, not opted in, stopped) take part: becoming unverified is a regression. */
export const DIFF_SCHEMA_VERSION = 2;

/** The report schema versions `diff` reads (older ones are upgraded on reading). */
const READABLE_VERSIONS: readonly number[] = [1, REPORT_SCHEMA_VERSION];

/** A report that cannot be compared: not JSON, not a readiness report, or a schema this version does not know. */
export class ReportInputError extends Error {}

/**
 * Parses a JSON report written by `readiness check -f json`. `label` names it in errors (the file path).
 * Checks the parts the comparison relies on; rejects unknown schema versions with the fix.
 */
export function parseReport(text: string, label: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportInputError(`${label} is not valid JSON (${oneLine((err as Error).message)}); write reports with readiness check -f json:FILE`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ReportInputError(`${label} is not a readiness JSON report (expected an object with schemaVersion and results)`);
  const obj = data as Record<string, unknown>;
  if (!('schemaVersion' in obj)) throw new ReportInputError(`${label} is not a readiness JSON report: it has no schemaVersion (write one with readiness check -f json:FILE)`);
  if (!READABLE_VERSIONS.includes(obj.schemaVersion as number)) {
    const version = JSON.stringify(obj.schemaVersion);
    const newer = typeof obj.schemaVersion === 'number' && obj.schemaVersion > REPORT_SCHEMA_VERSION;
    throw new ReportInputError(
      `${label} has report schemaVersion ${version}, but this readiness reads schemaVersion ${READABLE_VERSIONS.join(' and ')}${newer ? ': upgrade readiness to compare it' : ''}`,
    );
  }
  if (!Array.isArray(obj.results)) throw new ReportInputError(`${label} is not a readiness JSON report: "results" is missing or not a list`);
  obj.results.forEach((r, i) => {
    const result = r as Partial<CheckResult> | null;
    if (!result || typeof result !== 'object' || typeof result.id !== 'string' || !STATUSES.includes(result.status as Status)) {
      throw new ReportInputError(`${label}: results[${i}] is not a check result (expected an id and a status such as pass or fail)`);
    }
    if (!SEVERITIES.includes(result.severity as Severity)) {
      throw new ReportInputError(`${label}: results[${i}] (${result.id}) has an unknown severity ${JSON.stringify(result.severity)}`);
    }
  });
  return upgradeReport(data as Report);
}

export type ChangeKind = 'regression' | 'fixed' | 'still-failing' | 'added' | 'removed' | 'changed' | 'not-compared';

export interface DiffEntry {
  id: string;
  title: string;
  type: string;
  section: string;
  /** The severity in the new report (the old one for removed checks). */
  severity: Severity;
  before?: Status;
  after?: Status;
  /** With a `skip` before/after: its kind (blocked, opt-in, deadline and interrupted mean not verified). */
  beforeKind?: SkipKind;
  afterKind?: SkipKind;
  /** The newer message (the old one for removed checks). */
  message: string;
  /** Why the entry is where it is, when that is not obvious (e.g. "no longer waived"). */
  note?: string;
}

export interface SeverityChange {
  id: string;
  title: string;
  before: Severity;
  after: Severity;
  status: Status;
}

export interface ReportRef {
  profile: string;
  startedAt: string;
  version: string;
  gatePassed: boolean;
  gateStatus: GateStatus;
  total: number;
}

export interface ReportDiff {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  old: ReportRef;
  new: ReportRef;
  /** Was pass, warn or a decided skip; now fail, error or not verified (and pass → warn with --strict). */
  regressions: DiffEntry[];
  /** Was fail, error or not verified; now pass or warn. */
  fixed: DiffEntry[];
  /** Fail, error or not verified (or waived) before, and still one of those now. */
  stillFailing: DiffEntry[];
  /** Only in the new report. */
  added: DiffEntry[];
  /** Only in the old report. */
  removed: DiffEntry[];
  /** Other status changes: pass → warn, fail → waived, fail → skip, … */
  changed: DiffEntry[];
  /** Not run in one of the two ("not selected" by --only/--skip): nothing to compare. */
  notCompared: DiffEntry[];
  severityChanges: SeverityChange[];
  /** Checks in both reports with the same status. */
  unchanged: number;
  notes: string[];
}

/** What a result counts as when two runs are compared: its status, or `unverified` for a check with no verdict of its own. */
type Standing = Status | 'unverified';
const standing = (r: CheckResult): Standing => (hasNoVerdict(r) ? 'unverified' : r.status);
const BAD = new Set<Standing>(['fail', 'error', 'unverified']);
const OK = new Set<Standing>(['pass', 'warn', 'skip']);

function entry(r: CheckResult, before?: CheckResult, after?: CheckResult, note?: string): DiffEntry {
  return {
    id: r.id,
    // As people read it: "PostgreSQL is not reachable" for a check that does not pass (ids key the comparison).
    title: headline(r),
    type: r.type,
    section: r.section,
    severity: r.severity,
    ...(before ? { before: before.status } : {}),
    ...(after ? { after: after.status } : {}),
    ...(before?.skip ? { beforeKind: before.skip.kind } : {}),
    ...(after?.skip ? { afterKind: after.skip.kind } : {}),
    message: r.message,
    ...(note ? { note } : {}),
  };
}

const ref = (r: Report): ReportRef => ({
  profile: r.profile?.name ?? '',
  startedAt: r.startedAt ?? '',
  version: r.tool?.version ?? '',
  gatePassed: gateStatusOf(r) === 'passed',
  gateStatus: gateStatusOf(r),
  total: r.results.length,
});

export interface DiffOptions {
  /** pass → warn is a regression too. */
  strict?: boolean;
}

/** Compares by check id. The order of every list follows the new report (removed ones: the old). */
export function diffReports(oldReport: Report, newReport: Report, options: DiffOptions = {}): ReportDiff {
  const before = new Map(oldReport.results.map((r) => [r.id, r]));
  const after = new Map(newReport.results.map((r) => [r.id, r]));
  const diff: ReportDiff = {
    schemaVersion: DIFF_SCHEMA_VERSION,
    old: ref(oldReport),
    new: ref(newReport),
    regressions: [],
    fixed: [],
    stillFailing: [],
    added: [],
    removed: [],
    changed: [],
    notCompared: [],
    severityChanges: [],
    unchanged: 0,
    notes: [],
  };
  if (diff.old.profile !== diff.new.profile) diff.notes.push(`the reports are of different profiles: "${diff.old.profile}" and "${diff.new.profile}"`);
  const [oldTime, newTime] = [Date.parse(diff.old.startedAt), Date.parse(diff.new.startedAt)];
  if (oldTime > newTime) {
    diff.notes.push(`the old report (${diff.old.startedAt}) is newer than the new one (${diff.new.startedAt}): are the files swapped? The order is readiness diff <old.json> <new.json>`);
  }
  if (oldReport.interrupted) diff.notes.push('the old run was cut short: its report is partial');
  if (newReport.interrupted) diff.notes.push('the new run was cut short: its report is partial');

  for (const now of newReport.results) {
    const was = before.get(now.id);
    if (!was) {
      if (!isNotSelected(now)) diff.added.push(entry(now, undefined, now));
      continue;
    }
    if (was.severity !== now.severity) diff.severityChanges.push({ id: now.id, title: now.title, before: was.severity, after: now.severity, status: now.status });
    const [b, a] = [standing(was), standing(now)];
    if (isNotSelected(was) || isNotSelected(now)) {
      if (!(isNotSelected(was) && isNotSelected(now))) diff.notCompared.push(entry(now, was, now, `not selected in the ${isNotSelected(was) ? 'old' : 'new'} run`));
      continue;
    }
    const unverifiedNote = a === 'unverified' ? `not verified: ${now.skip?.detail ?? now.message}` : undefined;
    if (OK.has(b) && BAD.has(a)) diff.regressions.push(entry(now, was, now, unverifiedNote));
    else if (options.strict && b === 'pass' && a === 'warn') diff.regressions.push(entry(now, was, now, 'a new warning (--strict)'));
    else if (BAD.has(b) && BAD.has(a)) diff.stillFailing.push(entry(now, was, now, b !== a ? [`was ${standingWord(b)}`, unverifiedNote].filter(Boolean).join('; ') : undefined));
    else if (b === 'waived' && BAD.has(a)) diff.stillFailing.push(entry(now, was, now, now.waiver?.expired ? `waiver expired on ${now.waiver.until}` : 'no longer waived'));
    else if (BAD.has(b) && (a === 'pass' || a === 'warn')) diff.fixed.push(entry(now, was, now));
    else if (b !== a || (a === 'skip' && was.skip?.kind !== now.skip?.kind)) diff.changed.push(entry(now, was, now, a === 'waived' && now.waiver ? `waived until ${now.waiver.until}: ${now.waiver.reason}` : undefined));
    else diff.unchanged += 1;
  }
  for (const was of oldReport.results) {
    if (!after.has(was.id) && !isNotSelected(was)) diff.removed.push(entry(was, was, undefined));
  }
  return diff;
}

const standingWord = (s: Standing) => (s === 'unverified' ? 'not verified' : s);

/** `pass`, `fail`, `not verified (blocked)`, `skip (not-applicable)`: a status with the skip kind that changes its meaning. */
export function statusLabel(status: Status | undefined, kind: SkipKind | undefined): string {
  if (!status) return '—';
  if (status !== 'skip' || !kind) return status;
  return hasNoVerdict({ status, skip: { kind, detail: '' } }) ? `not verified (${kind})` : `skip (${kind})`;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Regressions whose (new) severity is `failOn` or more severe: the ones that fail `readiness diff`. */
export function gatingRegressions(diff: ReportDiff, failOn: Severity): DiffEntry[] {
  return diff.regressions.filter((r) => rank(r.severity) <= rank(failOn));
}

/** True when some check changed status or severity, appeared or went away ("still failing" is no change). */
export function hasChanges(diff: ReportDiff): boolean {
  return [diff.regressions, diff.fixed, diff.added, diff.removed, diff.changed, diff.severityChanges].some((l) => l.length > 0);
}

// ---- rendering ----------------------------------------------------------------------------------

export interface DiffRenderOptions {
  failOn: Severity;
  color?: boolean;
}

const MAX_MESSAGE = 200;

const statusText = (s: Status | undefined, kind?: SkipKind) => (s ? `${STATUS_ICONS[s]} ${statusLabel(s, kind)}` : '—');
const beforeLabel = (e: DiffEntry) => statusLabel(e.before, e.beforeKind);
const afterLabel = (e: DiffEntry) => statusLabel(e.after, e.afterKind);
/** `pass → fail`; a status that did not change (still failing) is shown once. */
const transition = (e: DiffEntry) => (beforeLabel(e) === afterLabel(e) ? beforeLabel(e) : `${beforeLabel(e)} → ${afterLabel(e)}`);

/** `Acme (old time) → Acme (new time)`, or `Acme: old time → new time` when both are of one profile. */
function comparing(diff: ReportDiff, text: (s: string) => string): string {
  if (diff.old.profile === diff.new.profile) return `${text(diff.old.profile)}: ${text(diff.old.startedAt)} → ${text(diff.new.startedAt)}`;
  return `${text(diff.old.profile)} (${text(diff.old.startedAt)}) → ${text(diff.new.profile)} (${text(diff.new.startedAt)})`;
}

interface Group {
  key: keyof Pick<ReportDiff, 'regressions' | 'fixed' | 'stillFailing' | 'added' | 'removed' | 'changed' | 'notCompared'>;
  heading: string;
}

const GROUPS: Group[] = [
  { key: 'regressions', heading: 'Regressions' },
  { key: 'stillFailing', heading: 'Still failing' },
  { key: 'fixed', heading: 'Fixed' },
  { key: 'added', heading: 'New checks' },
  { key: 'removed', heading: 'Removed checks' },
  { key: 'changed', heading: 'Other status changes' },
  { key: 'notCompared', heading: 'Not compared' },
];

/** One line: `✖ FAILED — 2 regressions (1 at or above critical)` or `✔ no regression at or above critical`. */
export function diffVerdict(diff: ReportDiff, failOn: Severity): string {
  const gating = gatingRegressions(diff, failOn).length;
  const total = diff.regressions.length;
  if (gating > 0) return `FAILED — ${gating} regression${gating === 1 ? '' : 's'} at or above ${failOn}${total > gating ? ` (${total} in all)` : ''}`;
  if (total > 0) return `PASSED — ${total} regression${total === 1 ? '' : 's'}, none at or above ${failOn}`;
  return `PASSED — no regression`;
}

export function renderDiffPretty(diff: ReportDiff, options: DiffRenderOptions): string {
  const paint = (code: number) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const [red, green, yellow, dim, bold] = [paint(31), paint(32), paint(33), paint(2), paint(1)];
  const groupColor: Record<Group['key'], (t: string) => string> = {
    regressions: red,
    stillFailing: yellow,
    fixed: green,
    added: (t) => t,
    removed: dim,
    changed: (t) => t,
    notCompared: dim,
  };
  const out: string[] = [];
  out.push(bold(`Comparing ${comparing(diff, oneLine)}`));
  out.push(dim(`old: ${diff.old.total} checks, gate ${gateWord(diff.old.gateStatus)}   new: ${diff.new.total} checks, gate ${gateWord(diff.new.gateStatus)}`));
  for (const note of diff.notes) out.push(yellow(`note: ${oneLine(note)}`));
  out.push('');
  for (const { key, heading } of GROUPS) {
    const list = diff[key];
    if (list.length === 0) continue;
    out.push(groupColor[key](bold(`${heading} (${list.length})`)));
    for (const e of list) {
      const status = key === 'added' ? statusText(e.after, e.afterKind) : key === 'removed' ? `was ${beforeLabel(e)}` : transition(e);
      out.push(`  ${oneLine(e.id)}  ${status}  [${e.severity}]  ${oneLine(e.title)}`);
      const detail = [e.message ? truncate(oneLine(e.message), MAX_MESSAGE) : '', e.note ? `(${oneLine(e.note)})` : ''].filter(Boolean).join(' ');
      if (detail) out.push(dim(`      ${detail}`));
    }
    out.push('');
  }
  if (diff.severityChanges.length) {
    out.push(bold(`Severity changes (${diff.severityChanges.length})`));
    for (const c of diff.severityChanges) out.push(`  ${oneLine(c.id)}  ${c.before} → ${c.after}  (${c.status})  ${oneLine(c.title)}`);
    out.push('');
  }
  if (!hasChanges(diff)) out.push('No changes: every check compared has the same status and severity.', '');
  out.push(dim(`${diff.unchanged} unchanged`));
  const verdict = diffVerdict(diff, options.failOn);
  out.push(bold(`Diff: ${verdict.startsWith('FAILED') ? red(verdict) : green(verdict)}`));
  return `${out.join('\n')}\n`;
}

export function renderDiffMarkdown(diff: ReportDiff, options: DiffRenderOptions): string {
  const failed = gatingRegressions(diff, options.failOn).length > 0;
  const out: string[] = [];
  out.push(`## ${failed ? '❌' : '✅'} Readiness diff: ${escapeMarkdown(diffVerdict(diff, options.failOn), 300)}`, '');
  out.push(
    `Old: **${escapeMarkdown(diff.old.profile, 200)}** (${escapeMarkdown(diff.old.startedAt, 60)}, gate ${gateWord(diff.old.gateStatus)}) → ` +
      `new: **${escapeMarkdown(diff.new.profile, 200)}** (${escapeMarkdown(diff.new.startedAt, 60)}, gate ${gateWord(diff.new.gateStatus)})`,
    '',
  );
  for (const note of diff.notes) out.push(`> **Note:** ${escapeMarkdown(note)}`, '');
  const counts = GROUPS.filter((g) => diff[g.key].length > 0).map((g) => `${g.heading.toLowerCase()}: ${diff[g.key].length}`);
  if (diff.severityChanges.length) counts.push(`severity changes: ${diff.severityChanges.length}`);
  out.push(`${counts.length ? counts.join(' · ') + ' · ' : ''}unchanged: ${diff.unchanged}`, '');
  for (const { key, heading } of GROUPS) {
    const list = diff[key];
    if (list.length === 0) continue;
    const fold = key === 'notCompared' || key === 'changed' || key === 'removed';
    if (fold) out.push(`<details><summary>${heading} (${list.length})</summary>`, '');
    else out.push(`### ${heading} (${list.length})`, '');
    out.push('| Check | Status | Severity | Message |', '| --- | --- | --- | --- |');
    for (const e of list) {
      const status =
        key === 'added' ? statusText(e.after, e.afterKind) : key === 'removed' ? `was ${beforeLabel(e)}` : beforeLabel(e) === afterLabel(e) ? beforeLabel(e) : `${beforeLabel(e)} → **${afterLabel(e)}**`;
      const message = escapeMarkdown(e.message, MAX_MESSAGE) + (e.note ? `<br>_${escapeMarkdown(e.note)}_` : '');
      out.push(`| **${escapeMarkdown(e.title, 200)}**<br>${escapeMarkdown(e.id, 200)} | ${status} | ${e.severity} | ${message} |`);
    }
    out.push('');
    if (fold) out.push('</details>', '');
  }
  if (diff.severityChanges.length) {
    out.push(`### Severity changes (${diff.severityChanges.length})`, '', '| Check | Severity | Status |', '| --- | --- | --- |');
    for (const c of diff.severityChanges) out.push(`| **${escapeMarkdown(c.title, 200)}**<br>${escapeMarkdown(c.id, 200)} | ${c.before} → ${c.after} | ${c.status} |`);
    out.push('');
  }
  if (!hasChanges(diff)) out.push('No changes: every check compared has the same status and severity.', '');
  return `${out.join('\n')}\n`;
}

export function renderDiffJson(diff: ReportDiff, options: DiffRenderOptions): string {
  const gating = gatingRegressions(diff, options.failOn);
  return `${JSON.stringify({ ...diff, failOn: options.failOn, passed: gating.length === 0, gatingRegressions: gating.map((e) => e.id) }, null, 2)}\n`;
}

export const DIFF_FORMATS = { pretty: renderDiffPretty, markdown: renderDiffMarkdown, json: renderDiffJson } as const;
export type DiffFormat = keyof typeof DIFF_FORMATS;
