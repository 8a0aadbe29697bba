#!/usr/bin/env node
// Issue #5 benchmark: a full TLS + headers audit of one local HTTPS host through the real CLI
// (tls.certificate, tls.protocols, http.redirect, http.headers), its wall time, and side by side
// `testssl -p -S -h` on the same host when the `testssl` binary (Debian package testssl.sh) exists.
// Targets: the audit under 1 s, at least 20× faster than testssl, same verdicts on protocols, expiry,
// trust and HSTS. Runs without testssl too (and says it was not found). Needs the `openssl` binary.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'readiness');
const HOST = 'localhost';
const HSTS = 'max-age=63072000; includeSubDomains';
const MODERN_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

const results = [];
const report = (name, value, target, ok) => {
  results.push(ok);
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${value}  (target ${target})`);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl not found (${r.error.message}): install the openssl package to run this benchmark`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

/** Own root CA + leaf for localhost/127.0.0.1, valid 90 days, RSA 2048 / SHA-256. */
function makeCertificates(dir) {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '365', '-subj', '/CN=readiness bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${HOST}`], dir);
  writeFileSync(join(dir, 'leaf.ext'), `subjectAltName=DNS:${HOST},IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '90', '-sha256', '-extfile', 'leaf.ext'], dir);
  return { key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')), caPath: join(dir, 'ca.pem') };
}

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

function findTestssl() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['testssl', 'testssl.sh']) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function run(cmd, args, options = {}) {
  return new Promise((resolvePromise) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, wallMs: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

// --- Our verdicts, from the JSON report ------------------------------------------------------------
function ourVerdicts(reportJson) {
  const byType = Object.fromEntries(reportJson.results.map((r) => [r.type ?? r.id, r]));
  const find = (type) => reportJson.results.find((r) => (r.type ?? '') === type || r.id === type.replace('.', '_'));
  const cert = find('tls.certificate');
  const protocols = find('tls.protocols');
  const headers = find('http.headers');
  const offered = protocols?.evidence?.actual?.offered ?? [];
  return {
    byType,
    protocols: ['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3'].map((v) => `${v} ${offered.includes(v) ? 'offered' : 'not offered'}`).join(', '),
    expiry: cert?.evidence?.actual?.notAfter ? `${String(cert.evidence.actual.notAfter).slice(0, 10)} (${cert.evidence.actual.daysLeft} days left)` : '?',
    trust: cert?.evidence?.actual?.trusted === true ? 'trusted' : `not trusted (${cert?.evidence?.actual?.authorizationError ?? '?'})`,
    hsts: headers?.status === 'pass' ? `HSTS ok (${headers?.evidence?.details?.hsts ?? HSTS})` : `headers ${headers?.status}: ${headers?.message}`,
    hstsOk: headers?.status === 'pass',
  };
}

// --- testssl's verdicts, from its flat JSON ----------------------------------------------------------
function testsslVerdicts(findings) {
  const get = (id) => findings.find((f) => f.id === id)?.finding ?? '';
  const proto = (id, label) => `${label} ${/not offered/i.test(get(id)) ? 'not offered' : /offered/i.test(get(id)) ? 'offered' : `? (${get(id) || 'missing'})`}`;
  const notAfter = get('cert_notAfter');
  const days = /(\d+)\s*>=?\s*\d+ days|expires? in (\d+)/i.exec(get('cert_expirationStatus'));
  const trust = get('cert_chain_of_trust');
  return {
    protocols: [proto('TLS1', 'TLS 1.0'), proto('TLS1_1', 'TLS 1.1'), proto('TLS1_2', 'TLS 1.2'), proto('TLS1_3', 'TLS 1.3')].join(', '),
    expiry: notAfter ? `${notAfter.slice(0, 10)}${days ? ` (${days[1] ?? days[2]} days)` : ''}` : '?',
    trust: /^passed/i.test(trust) ? 'trusted' : `not trusted (${trust || 'missing'})`,
    hsts: get('HSTS_time') ? `HSTS ${get('HSTS_time')}` : `HSTS ${get('HSTS') || 'missing'}`,
    hstsOk: /\d+ seconds/.test(get('HSTS_time')) && !/not offered/i.test(get('HSTS')),
  };
}

const work = mkdtempSync(join(tmpdir(), 'readiness-web-audit-'));
const sockets = new Set();
let https;
let http;
try {
  const { key, cert, caPath } = makeCertificates(work);
  https = createHttpsServer({ key, cert, minVersion: 'TLSv1.2', ciphers: MODERN_CIPHERS }, (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'strict-transport-security': HSTS,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
      'referrer-policy': 'strict-origin-when-cross-origin',
    });
    res.end('<!doctype html><title>bench</title><p>ok</p>');
  });
  https.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  https.on('tlsClientError', () => {});
  const httpsPort = await listen(https);
  http = createHttpServer((req, res) => {
    res.writeHead(301, { location: `https://${HOST}:${httpsPort}${req.url}` });
    res.end();
  });
  http.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  const httpPort = await listen(http);

  writeFileSync(
    join(work, 'readiness.yaml'),
    [
      'version: 1',
      'name: web-audit-bench',
      'checks:',
      '  cert:',
      '    type: tls.certificate',
      `    with: { host: ${HOST}, port: ${httpsPort}, ca: ca.pem }`,
      '  protocols:',
      '    type: tls.protocols',
      `    with: { host: ${HOST}, port: ${httpsPort} }`,
      '  redirect:',
      '    type: http.redirect',
      `    with: { url: "http://${HOST}:${httpPort}/", ca: ca.pem }`,
      '  headers:',
      '    type: http.headers',
      `    with: { url: "https://${HOST}:${httpsPort}/", ca: ca.pem }`,
      '',
    ].join('\n'),
  );

  // The audit through the real CLI: median of 5 runs, wall time including process start.
  const runs = [];
  const reports = [];
  for (let i = 0; i < 5; i++) {
    runs.push(await run(process.execPath, [bin, 'check', '-f', 'json:report.json'], { cwd: work, env: { ...process.env, CI: 'true', FORCE_COLOR: '0' } }));
    if (existsSync(join(work, 'report.json'))) reports.push(JSON.parse(readFileSync(join(work, 'report.json'), 'utf8')));
  }
  const bad = runs.find((r) => r.code !== 0);
  if (!reports.length) throw new Error(`readiness wrote no report: ${runs[0].stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const reportJson = reports[reports.length - 1];
  for (const r of reportJson.results) console.log(`      ${r.status.padEnd(5)} ${String(r.durationMs).padStart(4)} ms  ${r.type ?? r.id}: ${r.message}`);
  if (bad) console.log(`      readiness exited ${bad.code}: ${bad.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const ourMs = median(runs.map((r) => r.wallMs));
  const checksMs = median(reports.map((r) => r.durationMs));
  report('TLS + headers audit of one HTTPS host (4 checks, real CLI, wall incl. process start)', `${ourMs.toFixed(0)} ms, exit ${runs[runs.length - 1].code}`, '< 1000 ms, all pass', ourMs < 1000 && !bad);
  console.log(`      of which the checks' run (report durationMs, median): ${checksMs.toFixed(0)} ms; the rest is node start + CLI/module loading`);
  const ours = ourVerdicts(reportJson);

  // testssl side by side.
  const testssl = findTestssl();
  if (!testssl) {
    console.log('SKIP  testssl not found (Debian: apt-get install testssl.sh): no side-by-side comparison');
  } else {
    const jsonFile = join(work, 'testssl.json');
    const t = await run(
      testssl,
      ['-p', '-S', '-h', '--quiet', '--color', '0', '--warnings', 'off', '--add-ca', caPath, '--ip', '127.0.0.1', '--jsonfile', jsonFile, `${HOST}:${httpsPort}`],
      { cwd: work, env: { ...process.env, TERM: 'dumb' } },
    );
    if (!existsSync(jsonFile)) {
      console.log(`MISS  testssl wrote no JSON (exit ${t.code}): ${t.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      results.push(false);
    } else {
      const theirs = testsslVerdicts(JSON.parse(readFileSync(jsonFile, 'utf8')));
      report('speed vs `testssl -p -S -h` on the same host', `${(t.wallMs / 1000).toFixed(1)} s vs ${ourMs.toFixed(0)} ms = ${(t.wallMs / ourMs).toFixed(0)}× faster`, '≥ 20×', t.wallMs / ourMs >= 20);
      const same = (a, b) => a === b;
      console.log('      verdict        readiness                                  testssl');
      for (const [name, a, b, agree] of [
        ['protocols', ours.protocols, theirs.protocols, same(ours.protocols, theirs.protocols)],
        ['expiry', ours.expiry, theirs.expiry, ours.expiry.slice(0, 10) === theirs.expiry.slice(0, 10)],
        ['trust', ours.trust, theirs.trust, same(ours.trust, theirs.trust)],
        ['HSTS', ours.hsts, theirs.hsts, ours.hstsOk === theirs.hstsOk],
      ]) {
        report(`same ${name} verdict`, `${a}  |  ${b}`, 'equal', agree);
      }
    }
  }
} catch (err) {
  console.log(`MISS  web audit benchmark could not run: ${err.message}`);
  results.push(false);
} finally {
  for (const s of sockets) s.destroy();
  await Promise.all([https, http].filter(Boolean).map((s) => new Promise((r) => s.close(() => r()))));
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = results.every(Boolean) ? 0 : 1;
