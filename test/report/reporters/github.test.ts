import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, github } from '../../../src/report/reporters/github.js';
import { emptyReport, fullReport, interruptedReport, passingReport, report, result } from '../fixtures/reports.js';

const opts = { color: false, verbose: false };
const COMMAND = /^::(error|warning|notice) title=([^:]*)::([^\r\n]*)$/;

/** Reverses the workflow command escaping, as the runner does. */
const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

function annotations(output: string) {
  return output
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = COMMAND.exec(line);
      if (!m) throw new Error(`not a workflow command: ${JSON.stringify(line)}`);
      return { level: m[1], title: unescape(m[2]), message: unescape(m[3]), rawTitle: m[2] };
    });
}

describe('github reporter', () => {
  it('writes one annotation per failing, erroring or warning check, plus one per note', () => {
    const found = annotations(github(fullReport, opts));
    const checks = fullReport.results.filter((r) => ['fail', 'error', 'warn'].includes(r.status));
    expect(found).toHaveLength(checks.length + fullReport.notes.length);
    expect(found.slice(0, checks.length).map((a) => /\(([^()]*)\)$/.exec(a.title)?.[1])).toEqual(checks.map((r) => r.id));
    for (const r of fullReport.results.filter((x) => ['pass', 'skip', 'waived'].includes(x.status))) {
      expect(found.some((a) => a.title.includes(`(${r.id})`))).toBe(false);
    }
  });

  it('uses ::error for checks that fail the gate and ::warning for the others', () => {
    const levels = Object.fromEntries(
      annotations(github(fullReport, opts))
        .filter((a) => a.title.endsWith(')'))
        .map((a) => [/\(([^()]*)\)$/.exec(a.title)![1], a.level]),
    );
    expect(levels).toEqual({ 'env.debug': 'warning', 'db.schema': 'error', 'redis.ping': 'error', 'stripe.keys': 'error', 'http.hostile': 'warning' });
    // --strict: a gating warning is an error.
    expect(annotations(github(interruptedReport, opts)).map((a) => a.level)).toEqual(['error', 'error', 'error']);
    expect(annotations(github(passingReport, opts))).toEqual([expect.objectContaining({ level: 'warning', title: 'README exists (readme)' })]);
  });

  it('puts message, expected/actual and the fix in the annotation', () => {
    const schema = annotations(github(fullReport, opts)).find((a) => a.title === 'Schema is not up to date (db.schema)')!;
    expect(schema.message).toBe(
      '3 of 11 tables missing: plans, users, invoices\nexpected: ["plans", "users", "invoices", "orders"]\nactual: ["orders"]\nfix: Run the migrations: npm run migrate.\nseverity: critical, fails the gate',
    );
    const redis = annotations(github(fullReport, opts)).find((a) => a.title.includes('(redis.ping)'))!;
    expect(redis.message.startsWith('could not check: connection refused at 127.0.0.1:6380\n')).toBe(true);
  });

  it('escapes %, CR and LF in data and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('100% a:b,c\nd')).toBe('100%25 a%3Ab%2Cc%0Ad');
    const hostile = annotations(github(fullReport, opts)).find((a) => a.title.includes('(http.hostile)'))!;
    expect(hostile.rawTitle).not.toMatch(/[:,\r\n]/);
    expect(hostile.title).toContain('<script>&"\'</script> | 100% a:b,c #');
    expect(hostile.message).toContain('body contained <script>&"\'</script> | 100% a:b,c #');
    expect(github(fullReport, opts)).not.toContain('\u001b');
  });

  it('reports an interrupted run as an error annotation', () => {
    const found = annotations(github(interruptedReport, opts));
    expect(found.filter((a) => a.title === 'readiness run interrupted')).toEqual([
      expect.objectContaining({ level: 'error', message: 'The run deadline was reached: unfinished checks are reported as errors.' }),
    ]);
    expect(found.filter((a) => a.title === 'readiness')).toEqual([]);
    const bare = annotations(github({ ...interruptedReport, interrupted: 'signal', notes: [] }, opts));
    expect(bare.at(-1)).toEqual(expect.objectContaining({ level: 'error', message: 'The run was interrupted (Ctrl-C): this report is partial.' }));
  });

  it('writes nothing when nothing needs attention', () => {
    expect(github(emptyReport, opts)).toBe('');
    expect(github(report([result({ id: 'a', status: 'pass' }), result({ id: 'b', status: 'skip', message: 'blocked by a' })]), opts)).toBe('');
  });
});
