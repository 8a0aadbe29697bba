#!/usr/bin/env node
// `npm run demo`: starts the reference app (examples/app) on localhost, runs `readiness check` on it with
// the demo profile (examples/demo/readiness.yaml) and the app's variables, prints the report, stops the app.
//
// The report is meant to show one warning (the certificate expires in ~20 days) and one failure (no
// Content-Security-Policy): the readiness gate fails on purpose. This script's exit code says whether the
// DEMO worked — 0 when the run completed and found exactly the deliberate problems, 1 otherwise (an
// unexpected failure or error, a crash, a hang), with the reason on stderr.
//
// Extra arguments go to `readiness check`, e.g. `npm run demo -- -f html:demo.html`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApp } from '../app/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'readiness');
const PROFILE = path.join(ROOT, 'examples', 'demo', 'readiness.yaml');
const RUN_TIMEOUT_MS = 45_000;

/** The problems the reference app has on purpose, by check type and the status they must produce. */
export const DELIBERATE = [
  { id: 'tls.api', status: 'warn', what: 'the certificate expires in ~20 days' },
  { id: 'xss.csp', status: 'fail', what: 'no Content-Security-Policy' },
  { id: 'headers.full', status: 'fail', what: 'no Content-Security-Policy' },
];

/** Checks for the production server, for a person and for the application's repository have nothing to
 *  look at in the demo (see docs/demo.md). */
export const DEMO_ARGS = ['--skip', 'tag:host,tag:manual,tag:repo'];

/**
 * Judges a demo run from its JSON report: did it find exactly the deliberate problems and nothing else?
 * Pure: report in → { ok, problems[] } out.
 */
export function judgeDemo(report) {
  const problems = [];
  const ran = report.results.filter((r) => r.skip?.kind !== 'not-selected');
  for (const d of DELIBERATE) {
    const r = ran.find((x) => x.id === d.id);
    if (!r) problems.push(`${d.id} did not run (expected it to show ${d.what})`);
    else if (r.status !== d.status) problems.push(`${r.id} (${r.type}) is ${r.status}, expected ${d.status} because ${d.what}: ${r.message}`);
  }
  for (const r of ran) {
    if (DELIBERATE.some((d) => d.id === r.id)) continue;
    if (r.status !== 'pass') problems.push(`${r.id} (${r.type}) is ${r.status}, expected pass: ${r.message}`);
  }
  if (report.gate?.status !== 'failed') problems.push(`the gate is ${report.gate?.status ?? 'unknown'}, but the missing CSP should fail it`);
  return { ok: problems.length === 0, problems };
}

/**
 * Runs the demo: app up, `readiness check`, app down. Returns the exit code of the readiness run, its
 * parsed JSON report and the demo's own verdict. `stdio: 'inherit'` prints the report as it comes.
 * @param {{ args?: string[], stdio?: 'inherit' | 'pipe', env?: Record<string, string|undefined> }} [options]
 */
export async function runDemo(options = {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'readiness-demo-'));
  const jsonPath = path.join(work, 'report.json');
  const app = await startApp();
  let child;
  const onSignal = () => child?.kill('SIGINT');
  process.once('SIGINT', onSignal);
  try {
    const args = [BIN, 'check', '-p', PROFILE, ...DEMO_ARGS, ...(options.args ?? [])];
    // pretty to stdout (unless the caller chose formats), and always a JSON copy for the verdict.
    if (!args.some((a) => a === '-f' || a === '--format')) args.push('-f', 'pretty');
    args.push('-f', `json:${jsonPath}`);
    const env = {
      ...process.env,
      ...options.env,
      ...app.env,
      // Trust the app's private demo CA, the way a company CA is trusted (tls.certificate, http.*, jwt.jwks).
      NODE_EXTRA_CA_CERTS: app.caPath,
    };
    const result = await new Promise((resolve, reject) => {
      // stderr is always piped: the note about the temporary JSON copy is dropped, the rest passed on.
      const stdio = options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : ['inherit', 'inherit', 'pipe'];
      child = spawn(process.execPath, args, { cwd: ROOT, env, stdio });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => {
        stderr += d;
        if (options.stdio !== 'pipe') {
          const text = String(d).split('\n').filter((line) => !line.includes(jsonPath)).join('\n');
          if (text.trim()) process.stderr.write(text);
        }
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
    const report = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : undefined;
    let verdict;
    if (result.signal) verdict = { ok: false, problems: [`readiness was stopped by ${result.signal}${result.signal === 'SIGKILL' ? ` after ${RUN_TIMEOUT_MS / 1000}s` : ''}`] };
    else if (result.code !== 0 && result.code !== 1) verdict = { ok: false, problems: [`readiness exited with ${result.code} (2 = the profile or the command line is wrong)`] };
    else if (!report) verdict = { ok: false, problems: ['readiness wrote no JSON report'] };
    else verdict = judgeDemo(report);
    return { ...result, report, verdict, app: { url: app.url, env: app.env, secretNames: app.secretNames } };
  } finally {
    process.removeListener('SIGINT', onSignal);
    await app.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) {
    process.stderr.write('readiness is not built: run `npm ci` (or `npm run build`) first.\n');
    process.exit(1);
  }
  const started = Date.now();
  try {
    const { verdict, report } = await runDemo({ args: process.argv.slice(2) });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (verdict.ok) {
      const s = report.summary;
      process.stdout.write(
        `\nDemo OK in ${seconds}s: ${s.pass} passed, and the deliberate problems were found — ` +
          `${[...new Set(DELIBERATE.map((d) => d.what))].map((what) => `${what} (${DELIBERATE.filter((d) => d.what === what).map((d) => `${d.id}: ${d.status}`).join(', ')})`).join(', ')}. ` +
          'The gate fails on purpose; see docs/demo.md.\n',
      );
      process.exit(0);
    }
    process.stderr.write(`\nThe demo did not work as intended (${seconds}s):\n${verdict.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  } catch (err) {
    process.stderr.write(`The demo could not run: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
