// The gate never says PASSED when a gating check was not verified. Each cause of "unverified" — blocked by a
// check of lower severity that did not pass, an active check not opted in, the run deadline, Ctrl-C — is run
// through the built CLI against real local servers, and every report format must show INCOMPLETE with the
// same list of unverified checks. --allow-unverified exits 0 and says so.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, type CliResult } from '../support/cli.js';
import { closedPort, sendJson, startHttpServer, startSilentServer, type SilentServer, type TestHttpServer } from '../support/http-server.js';
import { tempProject } from '../support/temp-profile.js';
import { parseXml } from '../report/fixtures/xml.js';

const FORMATS = ['json:r.json', 'junit:r.xml', 'markdown:r.md', 'tap:r.tap', 'html:r.html', 'github:r.github'];
const formatArgs = FORMATS.flatMap((f) => ['-f', f]);

let app: TestHttpServer;
let silent: SilentServer;
let refused: number;

beforeAll(async () => {
  app = await startHttpServer({ routes: { '/health': (_req, res) => sendJson(res, 200, { status: 'ok' }) } });
  silent = await startSilentServer();
  refused = await closedPort();
});
afterAll(async () => {
  await app.close();
  await silent.close();
});

interface Run {
  dir: string;
  result: CliResult;
  json: { gate: { status: string; passed: boolean; allowUnverified: boolean; unverified: { id: string; kind: string; detail: string; blockedBy?: string[] }[] }; results: { id: string; status: string; skip?: { kind: string } }[] };
  outputs: Record<string, string>;
}

async function run(profile: string, extra: string[] = [], options: { interruptWhen?: () => boolean } = {}): Promise<Run> {
  const dir = tempProject({ 'readiness.yaml': `version: 1\nname: Gate test\nchecks:\n${profile}` });
  const result = await runCli(['check', '-f', 'pretty', ...formatArgs, ...extra], { cwd: dir, timeoutMs: 30_000, ...options });
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const outputs = { pretty: result.stdout, json: read('r.json'), junit: read('r.xml'), markdown: read('r.md'), tap: read('r.tap'), html: read('r.html'), github: read('r.github') };
  return { dir, result, json: JSON.parse(outputs.json), outputs };
}

/** Every format names each unverified check and says INCOMPLETE. */
function expectIncompleteEverywhere(outputs: Record<string, string>, ids: string[]): void {
  for (const [format, text] of Object.entries(outputs)) {
    if (format !== 'json' && format !== 'github') expect(text, format).toMatch(/INCOMPLETE/);
    // Markdown escapes its own syntax (`_` → `\_`).
    for (const id of ids) expect(text, `${format} names ${id}`).toContain(format === 'markdown' ? id.replace(/_/g, '\\_') : id);
  }
  expect(outputs.pretty).toMatch(/^Gate: INCOMPLETE — /m);
  // A CI that reads JUnit or TAP must not be green.
  const junit = parseXml(outputs.junit);
  expect(junit.attrs.errors === '0' && junit.attrs.failures === '0', 'junit counts an unverified check').toBe(false);
  expect(outputs.tap).toMatch(/^not ok /m);
  expect(outputs.github).toMatch(/^::error /m);
}

describe('gate INCOMPLETE: a gating check blocked by an optional check that did not pass', () => {
  const profile = () =>
    `  upstream:\n    type: http.endpoint\n    severity: optional\n    with: { url: "http://127.0.0.1:${refused}/" }\n` +
    `  api:\n    type: http.endpoint\n    needs: upstream\n    with: { url: "${app.url('/health')}" }\n`;

  it('reports INCOMPLETE with the cause in every format and exits 1', async () => {
    const { result, json, outputs } = await run(profile());
    expect(result.code).toBe(1);
    expect(json.gate.status).toBe('incomplete');
    expect(json.gate.passed).toBe(false);
    expect(json.gate.unverified).toEqual([
      { id: 'api', severity: 'critical', kind: 'blocked', blockedBy: ['upstream'], detail: expect.stringMatching(/^blocked by upstream \(could not check: .*connection refused/) },
    ]);
    expect(json.results.find((r) => r.id === 'upstream')?.status).toBe('error');
    expectIncompleteEverywhere(outputs, ['api']);
    expect(outputs.pretty).toMatch(/api \(blocked by upstream/);
  });

  it('--allow-unverified exits 0 and the report says the gate was incomplete and allowed', async () => {
    const { result, json, outputs } = await run(profile(), ['--allow-unverified']);
    expect(result.code).toBe(0);
    expect(json.gate).toMatchObject({ status: 'incomplete', passed: false, allowUnverified: true });
    expect(outputs.pretty).toMatch(/^Gate: INCOMPLETE \(allowed by --allow-unverified: exit 0\)/m);
    for (const format of ['markdown', 'tap', 'html', 'junit']) expect(outputs[format], format).toMatch(/allow-unverified/);
  });

  it('the same profile passes when the optional check passes', async () => {
    const ok = `  upstream:\n    type: http.endpoint\n    severity: optional\n    with: { url: "${app.url('/health')}" }\n  api:\n    type: http.endpoint\n    needs: upstream\n    with: { url: "${app.url('/health')}" }\n`;
    const { result, json } = await run(ok);
    expect(json.gate.status).toBe('passed');
    expect(result.code).toBe(0);
  });
});

describe('gate INCOMPLETE: an active check not opted in', () => {
  it('reports the opt-in as the cause and never counts it as a pass', async () => {
    const profile = `  health:\n    type: http.endpoint\n    with: { url: "${app.url('/health')}" }\n  login.rate_limit:\n    type: http.rate_limit\n    with: { url: "${app.url('/login')}" }\n`;
    const { result, json, outputs } = await run(profile);
    expect(result.code).toBe(1);
    expect(json.gate.unverified).toEqual([{ id: 'login.rate_limit', severity: 'critical', kind: 'opt-in', detail: expect.stringMatching(/send_requests: true/) }]);
    expectIncompleteEverywhere(outputs, ['login.rate_limit']);
    expect(outputs.pretty).toMatch(/active check not enabled/);
    // Nothing was sent to the endpoint.
    expect(app.requests.filter((r) => r.path === '/login')).toEqual([]);
  });

  it('an optional active check not opted in is shown but does not make the gate incomplete', async () => {
    const profile = `  health:\n    type: http.endpoint\n    with: { url: "${app.url('/health')}" }\n  login.rate_limit:\n    type: http.rate_limit\n    severity: optional\n    with: { url: "${app.url('/login')}" }\n`;
    const { result, json } = await run(profile);
    expect(json.gate.status).toBe('passed');
    expect(json.results[1]).toMatchObject({ status: 'skip', skip: { kind: 'opt-in' } });
    expect(result.code).toBe(0);
  });
});

describe('gate INCOMPLETE: the run deadline', () => {
  it('a check stopped by --deadline and one not started are unverified; reports are written', async () => {
    const profile =
      `  hung:\n    type: http.endpoint\n    timeout: 20s\n    with: { url: "${silent.url('/')}" }\n` +
      `  after:\n    type: http.endpoint\n    needs: hung\n    with: { url: "${app.url('/health')}" }\n`;
    const started = Date.now();
    const { result, json, outputs } = await run(profile, ['--deadline', '700ms']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.code).toBe(1);
    expect(json.gate.status).toBe('incomplete');
    expect(json.gate.unverified.map((u) => [u.id, u.kind])).toEqual([
      ['hung', 'deadline'],
      ['after', 'deadline'],
    ]);
    expect(json.gate.unverified[0].detail).toMatch(/^stopped after \d+ms: the run deadline \(700ms\) was reached$/);
    expectIncompleteEverywhere(outputs, ['hung', 'after']);
  });
});

describe('gate INCOMPLETE: Ctrl-C', () => {
  it('interrupted checks are unverified, the reports are written, exit 130', async () => {
    const profile = `  hung:\n    type: http.endpoint\n    timeout: 20s\n    with: { url: "${silent.url('/')}" }\n  health:\n    type: http.endpoint\n    with: { url: "${app.url('/health')}" }\n`;
    const seen = silent.connections();
    // Ctrl-C once the hung check is really waiting on the server (not while the CLI is still starting).
    const { result, json, outputs } = await run(profile, [], { interruptWhen: () => silent.connections() > seen });
    expect(result.code).toBe(130);
    expect(json.gate.status).toBe('incomplete');
    expect(json.gate.unverified).toContainEqual({ id: 'hung', severity: 'critical', kind: 'interrupted', detail: expect.stringMatching(/^stopped after .+: the run was interrupted \(Ctrl-C\)$/) });
    // The other check may or may not have finished by then; if not, it is interrupted too — never a pass it did not reach.
    for (const u of json.gate.unverified) expect(u.kind).toBe('interrupted');
    expectIncompleteEverywhere(outputs, ['hung']);
  });
});

describe('gate: decisions are not unverified, and nothing run is not PASSED', () => {
  it('a profile skip and a check left out by --skip do not make the gate incomplete', async () => {
    const profile =
      `  health:\n    type: http.endpoint\n    with: { url: "${app.url('/health')}" }\n` +
      `  staging.only:\n    type: http.endpoint\n    skip: "not on production"\n    with: { url: "${app.url('/health')}" }\n` +
      `  left.out:\n    type: http.endpoint\n    with: { url: "http://127.0.0.1:${refused}/" }\n`;
    const { result, json } = await run(profile, ['--skip', 'left.out']);
    expect(json.gate.status).toBe('passed');
    expect(json.results.map((r) => r.skip?.kind)).toEqual([undefined, 'profile', 'not-selected']);
    expect(result.code).toBe(0);
  });

  it("--skip '*' runs nothing: INCOMPLETE, exit 1", async () => {
    const { result, json, outputs } = await run(`  health:\n    type: http.endpoint\n    with: { url: "${app.url('/health')}" }\n`, ['--skip', '*']);
    expect(json.gate.status).toBe('incomplete');
    expect(result.code).toBe(1);
    expect(outputs.pretty).toMatch(/^Gate: INCOMPLETE — no check reached a verdict/m);
  });
});

describe('the bundled SaaS profile never reports PASSED on an unready environment', () => {
  const saas = resolve(ROOT, 'profiles', 'saas.yaml');

  it('with only DOMAIN unset, the TLS and HTTPS checks that need the domain are not verified', async () => {
    const dir = tempProject({});
    // Only the checks that need dns.root (with it): before the three outcomes this was "Gate: PASSED".
    const result = await runCli(['check', '-p', saas, '--only', 'tls.api,https.api_redirect,https.site', '-f', 'json:r.json'], { cwd: dir, env: { BACKEND_URL: app.url('/'), FRONTEND_URL: app.url('/') } });
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(json.gate.status).not.toBe('passed');
    expect(result.code).toBe(1);
    expect(json.gate.unverified.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(['tls.api', 'https.api_redirect', 'https.site']));
    for (const u of json.gate.unverified) expect(u.detail).toMatch(/^blocked by dns\.root \(failed: DOMAIN is not set/);
  });
});

describe('defaults the profile filled in', () => {
  it("a ${VAR:-default} used because VAR is unset is in the check's evidence and in every report's header", async () => {
    const profile = `  api:\n    type: http.endpoint\n    with: { url: "\${API_BASE_URL:-${app.origin}}/health" }\n`;
    const { json, outputs } = await run(profile);
    const report = json as unknown as { defaultsUsed: unknown; results: { evidence?: { details?: Record<string, unknown> }; defaultsUsed?: unknown }[] };
    expect(report.defaultsUsed).toEqual([{ variable: 'API_BASE_URL', values: [app.origin], checks: ['api'] }]);
    expect(report.results[0].defaultsUsed).toEqual([{ variable: 'API_BASE_URL', value: app.origin, path: 'with.url' }]);
    expect(report.results[0].evidence?.details?.['defaults used']).toEqual([`API_BASE_URL not set: with.url = "${app.origin}" (the profile's default)`]);
    expect(outputs.pretty.split('\n').slice(1, 3)).toEqual([`defaults used (the profile's \${VAR:-default}, not the environment):`, `  API_BASE_URL not set → "${app.origin}" (api)`]);
    for (const format of ['markdown', 'html', 'tap']) expect(outputs[format], format).toMatch(/API(_|\\_)BASE(_|\\_)URL not set/);
  });
});
