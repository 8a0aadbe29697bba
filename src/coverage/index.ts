// Checklist coverage of a profile: parse the checklist, read the profile's `covers:`, compute, render.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseChecklist } from './checklist.js';
import { computeCoverage, type Coverage } from './coverage.js';
import { readProfileChecks } from './profile-checks.js';
import { renderCoverageTable } from './table.js';

export * from './checklist.js';
export * from './coverage.js';
export * from './profile-checks.js';
export * from './table.js';

/** The saas profile, its checklist and the generated table, relative to the repository root. */
export const SAAS_COVERAGE = {
  profile: 'profiles/saas.yaml',
  checklist: 'docs/checklist/production-readiness-checklist.md',
  table: 'docs/saas-coverage.md',
  command: 'npm run coverage:docs',
} as const;

export function saasCoverage(root: string): { coverage: Coverage; markdown: string } {
  const items = parseChecklist(readFileSync(resolve(root, SAAS_COVERAGE.checklist), 'utf8'));
  const checks = readProfileChecks(readFileSync(resolve(root, SAAS_COVERAGE.profile), 'utf8'));
  const coverage = computeCoverage(items, checks);
  const markdown = renderCoverageTable(coverage, { profilePath: SAAS_COVERAGE.profile, checklistPath: SAAS_COVERAGE.checklist, command: SAAS_COVERAGE.command });
  return { coverage, markdown };
}
