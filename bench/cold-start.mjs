#!/usr/bin/env node
// Cold start of the real CLI (bin/readiness → dist/) against a bare `node -e 0` on this machine:
//  - `readiness --version` (target: within 1.5×): only commander and the entry point load;
//  - `readiness validate` of a profile that extends the bundled saas profile (282 checks of 41 types;
//    target: within 2.5×): the profile, every check module it names and their parameter schemas load,
//    but no check runs, so no SDK (stripe, pg, ioredis, nodemailer, undici…) may load (issue "Load only
//    what runs").
// The three commands run interleaved, so a burst of load on the machine hits all of them alike; each time
// is the median of `runs` (default 21) process runs, process start included.
// Usage: npm run build && node bench/cold-start.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'readiness');
const RUNS = Number(process.argv[2] ?? 21);
const TARGETS = { version: 1.5, validate: 2.5 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'readiness-bench-cold-'));
writeFileSync(join(dir, 'readiness.yaml'), 'version: 1\nname: cold-start\nextends: [saas]\n');

function timeOnce(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: dir, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const commands = {
  node: ['-e', '0'],
  version: [bin, '--version'],
  validate: [bin, 'validate'],
};
const times = { node: [], version: [], validate: [] };
let ok = true;
try {
  for (const args of Object.values(commands)) timeOnce(args); // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(commands)) times[name].push(timeOnce(args));
  const nodeMs = median(times.node);
  const report = (name, label) => {
    const ms = median(times[name]);
    const ratio = ms / nodeMs;
    const pass = ratio <= TARGETS[name];
    ok &&= pass;
    console.log(`${pass ? 'PASS' : 'MISS'}  cold start ${label}: ${ms.toFixed(1)} ms vs node -e 0 ${nodeMs.toFixed(1)} ms = ${ratio.toFixed(2)}×  (target ≤ ${TARGETS[name]}×)`);
  };
  report('version', '`readiness --version`');
  report('validate', '`readiness validate` (extends: [saas])');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
