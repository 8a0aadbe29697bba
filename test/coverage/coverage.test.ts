import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChecklist } from '../../src/coverage/checklist.js';
import { computeCoverage, coverageProblems, kindOf } from '../../src/coverage/coverage.js';
import { SAAS_COVERAGE, saasCoverage } from '../../src/coverage/index.js';
import { readProfileChecks } from '../../src/coverage/profile-checks.js';
import { renderCoverageTable } from '../../src/coverage/table.js';
import { ROOT } from '../support/cli.js';

const items = parseChecklist('## S\n### T\n- [ ] One\n- [ ] Two\n- [ ] Three | pipe');
const check = (id: string, covers: string[], type = 'file', tags: string[] = []) => ({ id, type, tags, covers });

describe('computeCoverage', () => {
  it('counts each item once per kind when covered exactly once', () => {
    const c = computeCoverage(items, [check('a', ['S / T / One', 'S / T / Two']), check('m', ['S / T / Three | pipe'], 'manual')]);
    expect(coverageProblems(c)).toEqual([]);
    expect(c.counts).toEqual({ automated: 2, host: 0, manual: 1 });
  });

  it('reports uncovered items, items covered twice and covers naming no item (with a suggestion)', () => {
    const c = computeCoverage(items, [check('a', ['S / T / One']), check('b', ['S / T / One', 'S / T / Tow'])]);
    const problems = coverageProblems(c);
    expect(problems).toContain('not covered by any check: "S / T / Two" (checklist line 4)');
    expect(problems).toContain('not covered by any check: "S / T / Three | pipe" (checklist line 5)');
    expect(problems).toContain('covered 2 times: "S / T / One" by a, b');
    expect(problems).toContain('check b covers "S / T / Tow", which is not a checklist item — did you mean "S / T / Two"?');
  });

  it('tells host checks and manual items apart', () => {
    expect(kindOf({ type: 'systemd.unit', tags: ['host'] })).toBe('host');
    expect(kindOf({ type: 'manual', tags: ['host'] })).toBe('manual');
    expect(kindOf({ type: 'http.endpoint', tags: ['backend'] })).toBe('automated');
  });

  it('renders a table with escaped pipes and the counts', () => {
    const c = computeCoverage(items, [check('a', ['S / T / One']), check('h', ['S / T / Two'], 'command', ['host']), check('m', ['S / T / Three | pipe'], 'manual')]);
    const md = renderCoverageTable(c, { profilePath: 'profiles/x.yaml', checklistPath: 'docs/c.md', command: 'npm run coverage:docs' });
    expect(md).toContain('| T / Three \\| pipe | `m` | manual | critical |');
    expect(md).toContain('| host | 1 |');
    expect(md).not.toContain('coverage problem');
  });
});

describe('readProfileChecks', () => {
  it('reads id, type, tags, severity and covers from YAML without loading check modules', () => {
    const checks = readProfileChecks('version: 1\nchecks:\n  a: { type: nope.type, tags: [host], severity: optional, covers: ["X / Y"] }\n  b: { type: manual }\n');
    expect(checks).toEqual([
      { id: 'a', type: 'nope.type', tags: ['host'], severity: 'optional', covers: ['X / Y'] },
      { id: 'b', type: 'manual', tags: [], covers: [] },
    ]);
  });
});

describe('profiles/saas.yaml covers the SaaS checklist', () => {
  const { coverage, markdown } = saasCoverage(ROOT);

  it('covers every one of the 282 items exactly once, and every covers: entry names a real item', () => {
    expect(coverage.rows).toHaveLength(282);
    // On failure this lists each problem: the uncovered item, the checks covering one item twice, or the unknown key.
    expect(coverageProblems(coverage)).toEqual([]);
  });

  it('automates most items: ~220 from CI/deploy host, ~35 on the server, under 30 manual', () => {
    expect(coverage.counts.manual).toBeLessThan(30);
    expect(coverage.counts.host).toBeGreaterThanOrEqual(30);
    expect(coverage.counts.automated).toBeGreaterThanOrEqual(200);
    expect(coverage.counts.automated + coverage.counts.host + coverage.counts.manual).toBe(282);
  });

  it('keeps docs/saas-coverage.md up to date (run `npm run coverage:docs` when this fails)', () => {
    const committed = readFileSync(resolve(ROOT, SAAS_COVERAGE.table), 'utf8');
    expect(committed === markdown, `${SAAS_COVERAGE.table} is stale: run \`npm run coverage:docs\` and commit the result`).toBe(true);
  });
});
