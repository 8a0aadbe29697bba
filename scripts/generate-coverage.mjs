#!/usr/bin/env node
// Writes docs/saas-coverage.md from profiles/saas.yaml and the checklist copy in docs/checklist/.
// Run through `npm run coverage:docs` (builds first). `--check`: write nothing, exit 1 when the file is stale.
// Coverage problems (an item uncovered or covered twice, an unknown `covers:` entry) are printed and exit 1.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = resolve(root, 'dist', 'src', 'coverage', 'index.js');
if (!existsSync(built)) {
  console.error('dist/ is missing: run `npm run build` first (npm run coverage:docs does it)');
  process.exit(2);
}
const { saasCoverage, coverageProblems, SAAS_COVERAGE } = await import(new URL(`file://${built}`).href);

const { coverage, markdown } = saasCoverage(root);
const target = resolve(root, SAAS_COVERAGE.table);
const problems = coverageProblems(coverage);
for (const p of problems) console.error(`coverage: ${p}`);

if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== markdown) {
    console.error(`${SAAS_COVERAGE.table} is stale: run \`${SAAS_COVERAGE.command}\``);
    process.exit(1);
  }
  console.log(`${SAAS_COVERAGE.table} is up to date`);
} else {
  writeFileSync(target, markdown);
  const { automated, host, manual } = coverage.counts;
  console.log(`wrote ${SAAS_COVERAGE.table}: ${coverage.rows.length} items (${automated} automated, ${host} host, ${manual} manual)`);
}
process.exit(problems.length ? 1 : 0);
