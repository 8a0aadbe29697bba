#!/usr/bin/env node
// Regenerates docs/checks.md from the compiled check modules (run `npm run docs`, which builds first).
// `--check` writes nothing and exits 1 when the committed file is stale.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = resolve(root, 'dist', 'src', 'docs', 'checks-md.js');
if (!existsSync(compiled)) {
  console.error('dist/ is missing: run `npm run docs` (it builds first) or `npm run build`');
  process.exit(2);
}
const { generateChecksMd, CHECKS_MD_PATH } = await import(pathToFileURL(compiled).href);
const target = resolve(root, CHECKS_MD_PATH);
const text = await generateChecksMd();

if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`${CHECKS_MD_PATH} is stale: run \`npm run docs\` and commit it`);
    process.exit(1);
  }
  console.log(`${CHECKS_MD_PATH} is up to date`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${CHECKS_MD_PATH}`);
}
