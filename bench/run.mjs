#!/usr/bin/env node
// `npm run bench`: the speed and memory targets of the CLI, measured on this machine.
//  1. Cold start against `node -e 0` (bench/cold-start.mjs): `readiness --version` (target: within 1.5×) and
//     `readiness validate` of a profile extending the bundled saas profile (target: within 2.5×).
//  2. 200 http.endpoint checks against a local server answering after 100 ms, at concurrency 16
//     (target: wall time within 1.5× of the ideal 200 × 0.1 s / 16 = 1.25 s, peak memory under 150 MB).
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlowServer } from './slow-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function runCli(args, cwd) {
  return new Promise((resolvePromise) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bench', 'measure-cli.mjs'), ...args], { cwd, env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const rssKb = Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolvePromise({ code, wallMs, rssKb, stderr });
    });
  });
}

const results = [];
const report = (name, value, target, ok) => {
  results.push(ok);
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${value}  (target ${target})`);
};

// 1. Cold start: `readiness --version` and `readiness validate` (extends: [saas]) against `node -e 0`.
results.push(spawnSync(process.execPath, [join(root, 'bench', 'cold-start.mjs')], { stdio: 'inherit' }).status === 0);

// 2. 200 http.endpoint checks against a server that answers after 100 ms, concurrency 16.
const server = await startSlowServer({ delayMs: 100 });
const dir = mkdtempSync(join(tmpdir(), 'readiness-bench-'));
try {
  const checks = Array.from({ length: 200 }, (_, i) => `  endpoint.${i}:\n    type: http.endpoint\n    with: { url: "${server.url}item/${i}", status: 200 }\n`).join('');
  writeFileSync(join(dir, 'readiness.yaml'), `version: 1\nname: bench\nchecks:\n${checks}`);
  const ideal = (200 * 0.1) / 16;
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await runCli(['check', '--concurrency', '16', '-f', 'json:report.json'], dir));
  if (runs.some((r) => r.code !== 0)) throw new Error(`bench run failed: ${runs.find((r) => r.code !== 0).stderr}`);
  if (server.requests() !== 600) throw new Error(`expected 600 requests, server saw ${server.requests()}`);
  const wallS = median(runs.map((r) => r.wallMs)) / 1000;
  const rssMb = Math.max(...runs.map((r) => r.rssKb)) / 1024;
  report('200 http.endpoint checks @ concurrency 16 (wall, incl. process start)', `${wallS.toFixed(2)} s vs ideal ${ideal.toFixed(2)} s = ${(wallS / ideal).toFixed(2)}×`, '≤ 1.5×', wallS / ideal <= 1.5);
  report('peak memory (maxRSS) of that run', `${rssMb.toFixed(1)} MB`, '< 150 MB', rssMb < 150);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
results.push(spawnSync(process.execPath, [join(root, 'bench', 'secrets-scan.mjs')], { stdio: 'inherit' }).status === 0); // 3. secrets.scan on 10,000 files
results.push(spawnSync(process.execPath, [join(root, 'bench', 'web-audit.mjs')], { stdio: 'inherit' }).status === 0); // 4. issue #5: TLS + headers audit vs testssl
process.exitCode = results.every(Boolean) ? 0 : 1;
