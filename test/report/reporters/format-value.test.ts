import { describe, expect, it } from 'vitest';
import {
  attemptsText,
  evidenceLines,
  formatMs,
  formatValue,
  gateVerdict,
  groupBySection,
  isNotSelected,
  oneLine,
  seconds,
  summaryCounts,
  truncate,
  visibleControls,
  waiverText,
} from '../../../src/report/format-value.js';
import { emptyReport, fullReport, report, result } from '../fixtures/reports.js';

describe('formatValue', () => {
  it.each([
    ['production', 'production'],
    ['', '""'],
    [' padded ', '" padded "'],
    ['two\nlines', '"two\\nlines"'],
    ['esc \u001b[0m', '"esc \\u001b[0m"'],
    ['c1 \u0085 ls \u2028', '"c1 \\u0085 ls \\u2028"'],
    [14, '14'],
    [-0, '0'],
    [NaN, 'NaN'],
    [true, 'true'],
    [null, 'null'],
    [undefined, '(not set)'],
    [12n, '12n'],
    [['a', 1, null], '["a", 1, null]'],
    [[], '[]'],
    [{}, '{}'],
    [{ ok: true, 'content-type': 'text/html', nested: { a: [1] } }, '{ok: true, "content-type": "text/html", nested: {a: [1]}}'],
    [new Date('2026-01-31T00:00:00Z'), '2026-01-31T00:00:00.000Z'],
    [/^v\d+/, '/^v\\d+/'],
    [new Error('boom\nagain'), 'Error: boom ⏎ again'],
    [new Set(['a']), 'Set ["a"]'],
    [new Map([['k', 1]]), 'Map {k: 1}'],
    [Buffer.from('abc'), '<3 bytes>'],
  ])('case %#', (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });

  it('cuts long lists, deep nesting and long text', () => {
    expect(formatValue(Array.from({ length: 15 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … 5 more]');
    expect(formatValue({ a: { b: { c: { d: 1 } } } })).toBe('{a: {b: {c: {…}}}}');
    expect(formatValue('x'.repeat(500), { maxLength: 20 })).toBe(`${'x'.repeat(19)}…`);
    expect(formatValue(['y'.repeat(500)], { maxLength: 30 })).toHaveLength(30);
  });

  it('survives circular structures', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(formatValue(a)).toBe('{name: "a", self: [circular]}');
    const shared = { x: 1 };
    expect(formatValue([shared, shared])).toBe('[{x: 1}, {x: 1}]');
  });

  it('is always a single line', () => {
    for (const value of [fullReport.results[6].message, { m: 'a\nb\rc' }, ['\u2028']]) expect(formatValue(value)).not.toMatch(/[\r\n\u2028]/);
  });
});

describe('text helpers', () => {
  it('truncate never splits a surrogate pair', () => {
    expect(truncate('ab🚀cd', 4)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('visibleControls shows escapes but keeps newlines and tabs', () => {
    expect(visibleControls('a\u001b[2Jb\r\nc\td\re\u0000\ud800')).toBe('a\\u001b[2Jb\nc\td\\u000de\\u0000\\ud800');
    expect(visibleControls('emoji 🚀 ok')).toBe('emoji 🚀 ok');
    expect(oneLine('a\n  b\tc')).toBe('a ⏎ b c');
  });

  it('durations', () => {
    expect(formatMs(12)).toBe('12ms');
    expect(formatMs(1234)).toBe('1.23s');
    expect(formatMs(90_000)).toBe('1m30s');
    expect(formatMs(-5)).toBe('0ms');
    expect(formatMs(Number.NaN)).toBe('0ms');
    expect(seconds(1234)).toBe('1.234');
    expect(seconds(0)).toBe('0.000');
  });
});

describe('evidence and result helpers', () => {
  it('evidenceLines shows expected/actual when present, details only when asked', () => {
    expect(evidenceLines(undefined)).toEqual([]);
    expect(evidenceLines({ details: { a: 1 } })).toEqual([]);
    expect(evidenceLines({ expected: 14, actual: undefined, details: { host: 'db' } }, { details: true })).toEqual([
      { label: 'expected', value: '14' },
      { label: 'actual', value: '(not set)' },
      { label: 'host', value: 'db' },
    ]);
  });

  it('isNotSelected tells a deselected skip from a blocked one', () => {
    // By the skip's kind, not its words.
    expect(isNotSelected(result({ id: 'a', status: 'skip', message: 'not selected (--only db.*)', skip: { kind: 'not-selected', detail: 'not selected (--only db.*)' } }))).toBe(true);
    expect(isNotSelected(result({ id: 'a', status: 'skip', message: 'blocked by b (fail)', skip: { kind: 'blocked', detail: 'blocked by b (fail)', blockedBy: ['b'] } }))).toBe(false);
    expect(isNotSelected(result({ id: 'a', status: 'skip', message: 'not selected in staging', skip: { kind: 'profile', detail: 'not selected in staging' } }))).toBe(false);
    expect(isNotSelected(result({ id: 'a', status: 'fail', message: 'not selected' }))).toBe(false);
  });

  it('groupBySection keeps profile order and names the unnamed section', () => {
    const groups = groupBySection([
      result({ id: 'a', status: 'pass', section: 'B' }),
      result({ id: 'b', status: 'pass', section: 'A' }),
      result({ id: 'c', status: 'pass', section: 'B' }),
      result({ id: 'd', status: 'pass', section: '' }),
    ]);
    expect(groups.map((g) => [g.section, g.results.map((r) => r.id)])).toEqual([
      ['B', ['a', 'c']],
      ['A', ['b']],
      ['General', ['d']],
    ]);
  });

  it('waiverText and attemptsText', () => {
    expect(waiverText(fullReport.results[7])).toBe('migrating webhooks | phase 2 (until 2026-12-31, by ops)');
    expect(waiverText(fullReport.results[8])).toBe('not selling in the EU yet (until 2026-06-30)');
    expect(waiverText(fullReport.results[6])).toBe('waiver expired on 2026-01-31, the check gates again: accepted until launch (by ops)');
    expect(waiverText(fullReport.results[0])).toBeUndefined();
    expect(attemptsText(result({ id: 'a', status: 'pass', attempts: 2 }))).toBe('passed on attempt 2');
    expect(attemptsText(result({ id: 'a', status: 'fail', attempts: 3 }))).toBe('3 attempts');
    expect(attemptsText(result({ id: 'a', status: 'pass', attempts: 1 }))).toBeUndefined();
  });

  it('summaryCounts lists non-zero counts', () => {
    expect(summaryCounts(fullReport)).toBe('13 checks: 3 passed, 1 warning, 3 failed, 1 could not check, 3 skipped, 2 waived');
    expect(summaryCounts(report([result({ id: 'a', status: 'warn' })]))).toBe('1 check: 1 warning');
    expect(summaryCounts(emptyReport)).toBe('0 checks');
  });
});

describe('gateVerdict', () => {
  it('names the checks that failed the gate, grouped by what went wrong', () => {
    expect(gateVerdict(fullReport)).toBe('FAILED — 2 critical checks failed: db.schema, stripe.keys; 1 critical check could not be checked: redis.ping');
    const mixed = report(
      [
        result({ id: 'a', status: 'fail', severity: 'critical', gating: true }),
        result({ id: 'b', status: 'fail', severity: 'recommended', gating: true }),
        result({ id: 'c', status: 'warn', gating: true }),
      ],
      { gate: { failOn: 'recommended', strict: true } },
    );
    expect(gateVerdict(mixed)).toBe('FAILED — 2 checks failed: a, b; 1 critical check warned (--strict): c');
  });

  it('passes with the policy, and copes with odd gates', () => {
    expect(gateVerdict(report([result({ id: 'a', status: 'pass' })]))).toBe('PASSED (fail-on critical)');
    // Nothing reached a verdict: not PASSED.
    expect(gateVerdict(emptyReport)).toBe('INCOMPLETE — no check reached a verdict: every check was left out (--only/--skip), skipped in the profile or stopped');
    expect(gateVerdict(report([], { gate: { failedBy: ['ghost'] } }))).toBe('FAILED — 1 check failed the gate: ghost');
    expect(gateVerdict(report([], { gate: { status: 'failed' }, interrupted: 'signal' }))).toBe('FAILED — the run was interrupted');
    const many = report(Array.from({ length: 10 }, (_, i) => result({ id: `c${i}`, status: 'fail', gating: true })));
    expect(gateVerdict(many)).toBe('FAILED — 10 critical checks failed: c0, c1, c2, c3, c4, c5, c6, c7 and 2 more');
  });
});
