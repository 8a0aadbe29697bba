// The comparison rules of `readiness diff` without I/O: every status transition lands in the right
// list, --fail-on picks the regressions that fail, input is checked, and the renderings escape.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Status } from '../../src/check.js';
import {
  ReportInputError,
  diffReports,
  diffVerdict,
  gatingRegressions,
  hasChanges,
  parseReport,
  renderDiffJson,
  renderDiffMarkdown,
  renderDiffPretty,
} from '../../src/report/diff.js';
import type { Severity } from '../../src/report/model.js';
import { HOSTILE, report, result } from './fixtures/reports.js';

const r = (id: string, status: Status, severity: Severity = 'critical', extra = {}) => result({ id, status, severity, title: `${id} title`, message: `${id} is ${status}`, ...extra });

describe('diffReports', () => {
  it('sorts every transition into regressions, fixed, still failing, changed and unchanged', () => {
    const before = report([
      r('p2f', 'pass'),
      r('w2e', 'warn'),
      r('s2f', 'skip'),
      r('f2p', 'fail'),
      r('e2w', 'error'),
      r('f2f', 'fail'),
      r('f2e', 'fail'),
      r('wv2f', 'waived'),
      r('p2w', 'pass'),
      r('f2s', 'fail'),
      r('f2wv', 'fail'),
      r('same', 'pass'),
      r('same.fail', 'fail'),
    ]);
    const after = report([
      r('p2f', 'fail'),
      r('w2e', 'error'),
      r('s2f', 'fail'),
      r('f2p', 'pass'),
      r('e2w', 'warn'),
      r('f2f', 'fail'),
      r('f2e', 'error'),
      r('wv2f', 'fail', 'critical', { waiver: { reason: 'vendor', until: '2026-01-31', expired: true } }),
      r('p2w', 'warn'),
      r('f2s', 'skip'),
      r('f2wv', 'waived', 'critical', { waiver: { reason: 'until launch', until: '2099-01-01', expired: false } }),
      r('same', 'pass'),
      r('same.fail', 'fail'),
    ]);
    const diff = diffReports(before, after);
    const ids = (list: { id: string }[]) => list.map((e) => e.id);
    expect(ids(diff.regressions)).toEqual(['p2f', 'w2e', 's2f']);
    expect(ids(diff.fixed)).toEqual(['f2p', 'e2w']);
    expect(ids(diff.stillFailing)).toEqual(['f2f', 'f2e', 'wv2f', 'same.fail']);
    expect(diff.stillFailing.find((e) => e.id === 'f2e')?.note).toBe('was fail');
    expect(diff.stillFailing.find((e) => e.id === 'wv2f')?.note).toBe('waiver expired on 2026-01-31');
    expect(ids(diff.changed)).toEqual(['p2w', 'f2s', 'f2wv']);
    expect(diff.changed.find((e) => e.id === 'f2wv')?.note).toBe('waived until 2099-01-01: until launch');
    expect(diff.unchanged).toBe(1);
    expect(diff.regressions[0]).toMatchObject({ id: 'p2f', before: 'pass', after: 'fail', severity: 'critical', message: 'p2f is fail', title: 'p2f title' });
  });

  it('lists added and removed checks, severity changes, and leaves not-selected checks uncompared', () => {
    const before = report([r('kept', 'pass', 'recommended'), r('gone', 'fail'), r('was.skipped', 'skip', 'critical', { message: 'not selected (--only db.*)', skip: { kind: 'not-selected', detail: 'not selected (--only db.*)' } })]);
    const after = report([
      r('kept', 'pass', 'critical'),
      r('new.ok', 'pass'),
      r('new.bad', 'fail'),
      r('was.skipped', 'fail'),
      r('never.selected', 'skip', 'critical', { message: 'not selected', skip: { kind: 'not-selected', detail: 'not selected' } }),
    ]);
    const diff = diffReports(before, after);
    expect(diff.added.map((e) => [e.id, e.after])).toEqual([
      ['new.ok', 'pass'],
      ['new.bad', 'fail'],
    ]);
    expect(diff.removed.map((e) => [e.id, e.before])).toEqual([['gone', 'fail']]);
    expect(diff.severityChanges).toEqual([{ id: 'kept', title: 'kept title', before: 'recommended', after: 'critical', status: 'pass' }]);
    expect(diff.notCompared.map((e) => [e.id, e.note])).toEqual([['was.skipped', 'not selected in the old run']]);
    // A check that is new, or was not run before, is not a regression: nothing got worse that we know of.
    expect(diff.regressions).toEqual([]);
    expect(hasChanges(diff)).toBe(true);
  });

  it('--fail-on decides which regressions fail, by the new severity', () => {
    const before = report([r('c', 'pass'), r('rec', 'pass', 'recommended'), r('opt', 'warn', 'optional')]);
    const after = report([r('c', 'pass'), r('rec', 'error', 'recommended'), r('opt', 'fail', 'optional')]);
    const diff = diffReports(before, after);
    expect(gatingRegressions(diff, 'critical')).toEqual([]);
    expect(gatingRegressions(diff, 'recommended').map((e) => e.id)).toEqual(['rec']);
    expect(gatingRegressions(diff, 'optional').map((e) => e.id)).toEqual(['rec', 'opt']);
    expect(diffVerdict(diff, 'critical')).toBe('PASSED — 2 regressions, none at or above critical');
    expect(diffVerdict(diff, 'recommended')).toBe('FAILED — 1 regression at or above recommended (2 in all)');
    expect(diffVerdict(diffReports(before, before), 'optional')).toBe('PASSED — no regression');
  });

  it('notes different profiles and partial runs', () => {
    const a = report([r('x', 'pass')]);
    const b = report([r('x', 'pass')], { profile: { name: 'Other', path: 'other.yaml' }, interrupted: 'deadline' });
    const diff = diffReports(a, b);
    expect(diff.notes).toEqual(['the reports are of different profiles: "Acme API — production" and "Other"', 'the new run was cut short: its report is partial']);
    expect(hasChanges(diff)).toBe(false);
  });
});

describe('reading a diff at 11 pm', () => {
  it('warns when the old report is newer than the new one (arguments swapped)', () => {
    const older = report([r('x', 'pass')], { startedAt: '2026-03-01T10:00:00.000Z' });
    const newer = report([r('x', 'fail')], { startedAt: '2026-03-02T10:00:00.000Z' });
    expect(diffReports(older, newer).notes).toEqual([]);
    const swapped = diffReports(newer, older);
    expect(swapped.notes).toEqual([
      'the old report (2026-03-02T10:00:00.000Z) is newer than the new one (2026-03-01T10:00:00.000Z): are the files swapped? The order is readiness diff <old.json> <new.json>',
    ]);
    expect(renderDiffPretty(swapped, { failOn: 'critical' })).toMatch(/^note: the old report .* are the files swapped\?/m);
    expect(renderDiffMarkdown(swapped, { failOn: 'critical' })).toMatch(/^> \*\*Note:\*\* the old report .* are the files swapped\?/m);
  });

  it('shows a status that stayed the same once, and one profile name for two runs of it', () => {
    const before = report([r('db', 'fail'), r('cache', 'error')], { startedAt: '2026-03-01T10:00:00.000Z' });
    const after = report([r('db', 'fail'), r('cache', 'fail')], { startedAt: '2026-03-02T10:00:00.000Z' });
    const diff = diffReports(before, after);
    const pretty = renderDiffPretty(diff, { failOn: 'critical' });
    expect(pretty).toMatch(/^Comparing Acme API — production: 2026-03-01T10:00:00\.000Z → 2026-03-02T10:00:00\.000Z$/m);
    expect(pretty).toMatch(/^ {2}db {2}fail {2}\[critical\]/m);
    expect(pretty).toMatch(/^ {2}cache {2}error → fail {2}\[critical\]/m);
    const markdown = renderDiffMarkdown(diff, { failOn: 'critical' });
    expect(markdown).toMatch(/<br>db \| fail \| critical \|/);
    expect(markdown).toMatch(/<br>cache \| error → \*\*fail\*\* \| critical \|/);
    const other = renderDiffPretty(diffReports(before, { ...after, profile: { name: 'Other', path: 'o.yaml' } }), { failOn: 'critical' });
    expect(other).toMatch(/^Comparing Acme API — production \(2026-03-01T10:00:00\.000Z\) → Other \(2026-03-02T10:00:00\.000Z\)$/m);
  });
});

describe('parseReport', () => {
  const valid = JSON.stringify(report([r('a', 'pass')]));

  it('accepts a report of the known schema version', () => {
    expect(parseReport(valid, 'old.json').results[0].id).toBe('a');
  });

  it('rejects input it cannot compare, naming the file and the fix', () => {
    const bad = (text: string) => {
      try {
        parseReport(text, 'r.json');
      } catch (err) {
        expect(err).toBeInstanceOf(ReportInputError);
        return (err as Error).message;
      }
      throw new Error('expected a ReportInputError');
    };
    expect(bad('{"schemaVersion": 1, ')).toMatch(/^r\.json is not valid JSON \(.+\); write reports with readiness check -f json:FILE$/);
    expect(bad('[1,2]')).toMatch(/^r\.json is not a readiness JSON report/);
    expect(bad('<testsuites/>')).toMatch(/not valid JSON/);
    expect(bad('{"results": []}')).toBe('r.json is not a readiness JSON report: it has no schemaVersion (write one with readiness check -f json:FILE)');
    expect(bad(JSON.stringify({ ...JSON.parse(valid), schemaVersion: 3 }))).toBe('r.json has report schemaVersion 3, but this readiness reads schemaVersion 1 and 2: upgrade readiness to compare it');
    expect(bad(JSON.stringify({ ...JSON.parse(valid), schemaVersion: '1' }))).toBe('r.json has report schemaVersion "1", but this readiness reads schemaVersion 1 and 2');
    expect(bad(JSON.stringify({ schemaVersion: 1 }))).toMatch(/"results" is missing/);
    expect(bad(JSON.stringify({ schemaVersion: 1, results: [{ id: 'a', status: 'great', severity: 'critical' }] }))).toMatch(/results\[0\] is not a check result/);
    expect(bad(JSON.stringify({ schemaVersion: 1, results: [{ id: 'a', status: 'pass', severity: 'high' }] }))).toMatch(/results\[0\] \(a\) has an unknown severity "high"/);
  });

  it('reads the future-schema fixture as unknown', () => {
    const text = readFileSync(resolve(__dirname, '..', 'fixtures', 'reports', 'future-schema.json'), 'utf8');
    expect(() => parseReport(text, 'future.json')).toThrow(/schemaVersion 99.*upgrade readiness/);
  });
});

describe('diff renderings', () => {
  const before = report([r('db.schema', 'pass'), r('tls', 'fail', 'recommended'), r('gone', 'pass')]);
  const after = report([
    r('db.schema', 'fail', 'critical', { title: `Schema ${HOSTILE}`, message: `missing ${HOSTILE}` }),
    r('tls', 'pass', 'recommended'),
    r('new', 'warn', 'optional'),
  ]);
  const diff = diffReports(before, after);

  it('pretty: groups, transitions, verdict; control characters made visible; colour only when asked', () => {
    const text = renderDiffPretty(diff, { failOn: 'critical' });
    expect(text).toMatch(/^Regressions \(1\)$/m);
    expect(text).toMatch(/^ {2}db\.schema {2}pass → fail {2}\[critical\] {2}Schema /m);
    expect(text).toMatch(/^Fixed \(1\)$/m);
    expect(text).toMatch(/^New checks \(1\)$/m);
    expect(text).toMatch(/^Removed checks \(1\)$/m);
    expect(text).toMatch(/^Diff: FAILED — 1 regression at or above critical$/m);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(renderDiffPretty(diff, { failOn: 'critical', color: true })).toMatch(/\u001b\[31m/);
    expect(renderDiffPretty(diffReports(before, before), { failOn: 'critical' })).toMatch(/^Still failing \(1\)$[\s\S]*No changes: every check compared has the same status and severity\./m);
  });

  it('markdown: a PR comment with escaped cells', () => {
    const text = renderDiffMarkdown(diff, { failOn: 'critical' });
    expect(text).toMatch(/^## ❌ Readiness diff: FAILED — 1 regression at or above critical$/m);
    expect(text).toMatch(/^### Regressions \(1\)$/m);
    expect(text).toMatch(/\| pass → \*\*fail\*\* \| critical \|/);
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;script&gt;');
    expect(text).toMatch(/<details><summary>Removed checks \(1\)<\/summary>/);
    for (const line of text.split('\n').filter((l) => l.startsWith('| '))) expect(line.endsWith(' |')).toBe(true);
  });

  it('json: the diff with the verdict, parseable', () => {
    const data = JSON.parse(renderDiffJson(diff, { failOn: 'recommended' }));
    expect(data).toMatchObject({ schemaVersion: 2, failOn: 'recommended', passed: false, gatingRegressions: ['db.schema'], unchanged: 0 });
    expect(data.fixed.map((e: { id: string }) => e.id)).toEqual(['tls']);
  });
});
