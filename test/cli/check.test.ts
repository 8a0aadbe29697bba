import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const scripted = (id: string, withBlock: string, extra = '') => `  ${id}:\n    type: ./checks/scripted.js\n${extra}    with: ${withBlock}\n`;
const profile = (checks: string, head = '') => `version: 1\nname: CLI test\n${head}checks:\n${checks}`;

describe('readiness check: exit codes and gating', () => {
  it('exits 0 when every gating check passes, and prints a pretty report', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{ message: all good }') + scripted('b', '{ status: warn, message: cert expires in 20 days }')) });
    const result = await runCli(['check'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/all good/);
    expect(result.stdout).toMatch(/cert expires in 20 days/);
    expect(result.stdout).toMatch(/Gate: PASSED/);
    expect(result.stdout).not.toMatch(/\u001b\[/); // NO_COLOR
  });

  it('exits 1 when a critical check fails, with actual, expected and the remediation', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('db', '{ status: fail, message: "3 tables missing", expected: 11, actual: 8 }')) });
    const result = await runCli(['check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/3 tables missing/);
    expect(result.stdout).toMatch(/expected: 11/);
    expect(result.stdout).toMatch(/actual: 8/);
    expect(result.stdout).toMatch(/Change the scripted parameters/);
    expect(result.stdout).toMatch(/Gate: FAILED/);
  });

  it('--strict fails on warnings; --fail-on decides which severities gate', async () => {
    const dir = tempProject({
      'readiness.yaml': profile(scripted('w', '{ status: warn }') + scripted('opt', '{ status: fail }', '    severity: optional\n')),
    });
    expect((await runCli(['check'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['check', '--strict'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['check', '--fail-on', 'optional'], { cwd: dir })).code).toBe(1);
    const bad = await runCli(['check', '--fail-on', 'high'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are critical, recommended, optional/);
  });

  it('a waived failure does not gate; the report shows it apart', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('legacy', '{ status: fail, message: old TLS }', '    waiver: { reason: vendor upgrade, until: 2099-12-31, by: ops }\n')) });
    const result = await runCli(['check', '-f', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.summary.waived).toBe(1);
    expect(report.results[0]).toMatchObject({ status: 'waived', waiver: { reason: 'vendor upgrade', until: '2099-12-31', by: 'ops', expired: false } });
  });

  it('a github-format run still exits 1 when the gate fails (no format reports a failing run as healthy)', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{ status: fail, message: broken }')) });
    for (const format of ['github', 'tap', 'markdown', 'junit', 'json']) {
      const result = await runCli(['check', '-f', format], { cwd: dir });
      expect(result.code, format).toBe(1);
    }
  });

  it('exits 2 on a profile error with file:line:column and no stack trace', async () => {
    const dir = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: env.var\n' });
    const result = await runCli(['check'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^readiness\.yaml:4:11: checks\.a\.type: unknown check type "env\.var" — did you mean "env\.vars"\?$/m);
    expect(result.stderr).not.toMatch(/\s+at .*\.js:\d+/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a missing profile, an unknown format and a bad flag value', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{}')) });
    const missing = await runCli(['check', '-p', 'nope.yaml'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/profile nope\.yaml not found/);
    const format = await runCli(['check', '-f', 'xml'], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/unknown format "xml" \(allowed: pretty, json, junit, markdown, github, tap, html\)/);
    const deadline = await runCli(['check', '--deadline', 'soon'], { cwd: dir });
    expect(deadline.code).toBe(2);
    expect(deadline.stderr).toMatch(/--deadline soon: expected a duration/);
  });

  it('a hung check fails at its timeout instead of hanging the run', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('hung', '{ hang: true }', '    timeout: 300ms\n') + scripted('ok', '{}')) });
    const started = Date.now();
    const result = await runCli(['check', '-f', 'json'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.results[0]).toMatchObject({ status: 'error', message: 'timed out after 300ms' });
    expect(report.results[1].status).toBe('pass');
  });

  it('writes every report on Ctrl-C and exits 130', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('quick', '{}') + scripted('slow', '{ delay_ms: 20000 }')) });
    const result = await runCli(['check', '-f', 'json:out/report.json', '-f', 'junit:out/junit.xml'], { cwd: dir, interruptAfterMs: 1500 });
    expect(result.code).toBe(130);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    expect(report.interrupted).toBe('signal');
    expect(report.results.map((r: { status: string; skip?: { kind: string } }) => [r.status, r.skip?.kind])).toEqual([
      ['pass', undefined],
      ['skip', 'interrupted'],
    ]);
    expect(report.gate.status).toBe('incomplete');
    expect(readFileSync(join(dir, 'out/junit.xml'), 'utf8')).toMatch(/<testsuites/);
  });

  it('--deadline ends the run, reports unfinished checks as not verified and still writes the report', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('slow', '{ delay_ms: 20000 }')) });
    const result = await runCli(['check', '--deadline', '500ms', '-f', 'json:r.json'], { cwd: dir });
    expect(result.code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(report.interrupted).toBe('deadline');
    expect(report.results[0]).toMatchObject({ status: 'skip', skip: { kind: 'deadline' }, message: expect.stringMatching(/^stopped after .+: the run deadline \(500ms\) was reached$/) });
    expect(report.gate).toMatchObject({ status: 'incomplete', unverified: [{ id: 'slow', kind: 'deadline' }] });
  });
});

describe('readiness check: selection', () => {
  const checks =
    scripted('env.backend', '{ message: env ok }', '    tags: [env]\n') +
    scripted('db.connect', '{ message: db ok }', '    tags: [database]\n    needs: [env.backend]\n') +
    scripted('db.schema', '{ message: schema ok }', '    tags: [database]\n    needs: [db.connect]\n') +
    scripted('stripe.keys', '{ message: stripe ok }', '    tags: [stripe]\n');

  it('--only runs the selected checks and what they need; the rest are not selected', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(checks) });
    const result = await runCli(['check', '--only', 'db.schema', '-f', 'json'], { cwd: dir });
    const statuses = Object.fromEntries(JSON.parse(result.stdout).results.map((r: { id: string; status: string; message: string }) => [r.id, `${r.status}:${r.message}`]));
    expect(statuses).toEqual({ 'env.backend': 'pass:env ok', 'db.connect': 'pass:db ok', 'db.schema': 'pass:schema ok', 'stripe.keys': 'skip:not selected (--only/--skip)' });
    expect(JSON.parse(result.stdout).results[3].skip).toEqual({ kind: 'not-selected', detail: 'not selected (--only/--skip)' });
  });

  it('--only accepts tags, globs and comma lists; --skip removes', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(checks) });
    const ran = async (args: string[]) =>
      JSON.parse((await runCli(['check', ...args, '-f', 'json'], { cwd: dir })).stdout)
        .results.filter((r: { status: string }) => r.status !== 'skip')
        .map((r: { id: string }) => r.id);
    expect(await ran(['--only', 'tag:stripe'])).toEqual(['stripe.keys']);
    expect(await ran(['--only', 'stripe.*,env.backend'])).toEqual(['env.backend', 'stripe.keys']);
    expect(await ran(['--skip', 'tag:database'])).toEqual(['env.backend', 'stripe.keys']);
  });

  it('an --only that matches nothing is a usage error with a suggestion', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(checks) });
    const result = await runCli(['check', '--only', 'db.shema'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no check matches "db\.shema" — did you mean "db\.schema"\?/);
  });
});

describe('readiness check: report files', () => {
  it('a document format (json, junit, tap, html) does not share stdout; pretty + github may; no two formats write one file', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{ status: fail, message: broken }')) });
    const mixed = await runCli(['check', '-f', 'json', '-f', 'tap'], { cwd: dir });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/-f json writes to stdout together with tap: the output would be unreadable; give it a file, e.g\. -f json:readiness\.json/);
    const same = await runCli(['check', '-f', 'json:r.out', '-f', 'junit:r.out'], { cwd: dir });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/two formats would write the same file/);
    const annotated = await runCli(['check', '-f', 'pretty', '-f', 'github'], { cwd: dir });
    expect(annotated.code).toBe(1);
    expect(annotated.stdout).toMatch(/Gate: FAILED/);
    expect(annotated.stdout).toMatch(/^::error /m);
  });

  it('writes several formats from one run, creating directories', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{ status: fail, message: "bad <value> & more" }') + scripted('b', '{}')) });
    const result = await runCli(
      ['check', '-f', 'pretty', '-f', 'json:reports/r.json', '-f', 'junit:reports/junit.xml', '-f', 'markdown:reports/summary.md', '-f', 'tap:reports/r.tap', '-f', 'github:reports/annotations.txt'],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Gate: FAILED/);
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual(['annotations.txt', 'junit.xml', 'r.json', 'r.tap', 'summary.md']);
    const json = JSON.parse(readFileSync(join(dir, 'reports/r.json'), 'utf8'));
    expect(json).toMatchObject({ schemaVersion: 2, tool: { name: 'readiness' }, profile: { name: 'CLI test' }, gate: { status: 'failed', passed: false, failedBy: ['a'], unverified: [] } });
    expect(readFileSync(join(dir, 'reports/junit.xml'), 'utf8')).toMatch(/bad &lt;value&gt; &amp; more/);
    expect(readFileSync(join(dir, 'reports/r.tap'), 'utf8')).toMatch(/^TAP version 13/);
    expect(readFileSync(join(dir, 'reports/annotations.txt'), 'utf8')).toMatch(/^::error /m);
  });
});

describe('secrets never leak', () => {
  it('a usage error that echoes a secret-bearing argument masks it', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{}')) });
    const result = await runCli(['check', '--only', 'postgres://app:Usage-Secret-99@db/app'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no check matches/);
    expect(result.stderr).not.toContain('Usage-Secret-99');
  });

  const secrets = {
    DB_PASSWORD: 'Planted-Db-Passw0rd',
    DATABASE_URL: 'postgres://app:Planted-Url-Secret@db.internal:5432/app',
    STRIPE_SECRET_KEY: 'sk_live_PlantedStripeKey123456',
    MY_CUSTOM: 'Planted-Custom-Value',
  };
  const needles = ['Planted-Db-Passw0rd', 'Planted-Url-Secret', 'PlantedStripeKey123456', 'Planted-Custom-Value'];

  it('no output of any format, log line or error message contains a planted secret', async () => {
    const dir = tempProject({
      'readiness.yaml': profile(
        scripted('pw', '{ status: fail, echo_env: DB_PASSWORD, message: "password was", log: "using ${DB_PASSWORD}" }') +
          scripted('url', '{ status: error, echo_env: DATABASE_URL, message: "could not connect to", actual: "${DATABASE_URL}" }') +
          scripted('stripe', '{ status: warn, message: "key ${STRIPE_SECRET_KEY}", expected: "sk_live_PlantedStripeKey123456" }') +
          scripted('custom', '{ status: fail, echo_env: MY_CUSTOM, message: "custom" }') +
          scripted('bad', '{ status: "${DB_PASSWORD}" }'),
        'secrets: [MY_CUSTOM]\n',
      ),
    });
    const outputs: string[] = [];
    for (const format of ['pretty', 'json', 'junit', 'markdown', 'github', 'tap', 'html']) {
      const result = await runCli(['check', '-v', '--debug', '-f', format, '-f', `${format}:out/report.${format}`], { cwd: dir, env: secrets });
      expect(result.code, `${format}: ${result.stderr}`).toBe(1);
      outputs.push(result.stdout, result.stderr, readFileSync(join(dir, `out/report.${format}`), 'utf8'));
    }
    for (const args of [['validate'], ['list', '--json'], ['explain', 'url'], ['explain', 'stripe']]) {
      const other = await runCli(args, { cwd: dir, env: secrets });
      outputs.push(other.stdout, other.stderr);
    }
    const all = outputs.join('\n');
    expect(all).toMatch(/\[redacted\]/);
    for (const needle of needles) expect(all).not.toContain(needle);
  });

  it('a profile error whose bad value is a secret does not print it', async () => {
    const dir = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: ./checks/scripted.js\n    with: { status: Planted-Db-Passw0rd }\n' });
    const result = await runCli(['validate'], { cwd: dir, env: secrets });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/checks\.a\.with\.status/);
    expect(result.stderr).not.toContain('Planted-Db-Passw0rd');
  });
});

describe('other commands', () => {
  it('validate: exit 0 with a summary, or 2 with every problem', async () => {
    const good = tempProject({ 'readiness.yaml': profile(scripted('a', '{ message: "${UNSET_VAR}" }')) });
    const ok = await runCli(['validate'], { cwd: good });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/readiness\.yaml is valid: 1 checks/);
    expect(ok.stdout).toMatch(/a will fail until the environment is ready: UNSET_VAR is not set \(with\.message\)/);
    const bad = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  a: { type: nope.nope }\n  b: { type: ./checks/scripted.js, with: { bogus: 1 } }\n' });
    const problems = await runCli(['validate'], { cwd: bad });
    expect(problems.code).toBe(2);
    expect(problems.stderr).toMatch(/readiness\.yaml:3:14: checks\.a\.type: unknown check type "nope\.nope"/);
    expect(problems.stderr).toMatch(/readiness\.yaml:4:\d+: checks\.b\.with\.bogus: unknown key "bogus"/);
    expect(problems.stderr).toMatch(/2 problems in the profile; nothing was run/);
  });

  it('list: ids, types, severities, sections and tags', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('a', '{}', '    section: Database\n    tags: [db, core]\n    severity: recommended\n')) });
    const result = await runCli(['list'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^a\s+\.\/checks\/scripted\.js\s+recommended\s+Database\s+db,core$/m);
    const json = JSON.parse((await runCli(['list', '--json'], { cwd: dir })).stdout);
    expect(json).toEqual([{ id: 'a', type: './checks/scripted.js', severity: 'recommended', section: 'Database', tags: ['db', 'core'], needs: [] }]);
  });

  it('explain: a type, a check id, every type, and a typo', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(scripted('my.check', '{}', '    section: Things\n')) });
    const type = await runCli(['explain', 'env.vars'], { cwd: dir });
    expect(type.code).toBe(0);
    expect(type.stdout).toMatch(/^env\.vars — /);
    expect(type.stdout).toMatch(/Parameters \(under `with:`\):/);
    expect(type.stdout).toMatch(/When it fails: /);
    const id = await runCli(['explain', 'my.check'], { cwd: dir });
    expect(id.stdout).toMatch(/^my\.check: Scripted check passed/);
    expect(id.stdout).toMatch(/section: Things/);
    expect(id.stdout).toMatch(/delay_ms \(number, default 0\)/);
    const all = await runCli(['explain'], { cwd: dir });
    expect(all.stdout).toMatch(/^env\.vars\s/m);
    expect(all.stdout).toMatch(/^http\.endpoint\s/m);
    const typo = await runCli(['explain', 'env.varz'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean "env\.vars"\?/);
  });

  it('explain <type> is not garbled by a weak secret in the profile environment; explain <id> still masks it', async () => {
    const dir = tempProject({
      'readiness.yaml': profile(scripted('leaky', '{ message: "${SESSION_SECRET}" }'), 'env_files: [.env]\n'),
      '.env': 'SESSION_SECRET=changeme\n',
    });
    const type = await runCli(['explain', 'env.vars'], { cwd: dir });
    expect(type.code).toBe(0);
    expect(type.stdout).toMatch(/not a known placeholder \(changeme, secret, your-key-here…\)/);
    expect(type.stdout).not.toMatch(/\[redacted\]/);
    const run = await runCli(['check', '-v'], { cwd: dir });
    expect(run.stdout).not.toMatch(/changeme/);
  });

  it('explain <type> works while the profile is broken (that is when its docs are needed); explain <id> reports the problems', async () => {
    const dir = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  keys:\n    type: jwt.keys\n    with: { min_bit: 4096 }\n' });
    const type = await runCli(['explain', 'jwt.keys'], { cwd: dir });
    expect(type.code).toBe(0);
    expect(type.stdout).toMatch(/min_bits \(/);
    const id = await runCli(['explain', 'keys'], { cwd: dir });
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(/checks\.keys\.with\.min_bit: unknown key "min_bit" — did you mean "min_bits"\?/);
  });

  it('--env-file (or --dotenv) overrides env_files and the process environment; a missing one is a usage error', async () => {
    const dir = tempProject({
      'readiness.yaml': profile(scripted('a', '{ echo_env: APP_ENV }'), 'env_files: [.env]\n'),
      '.env': 'APP_ENV=from-env-files\n',
      'prod.env': 'APP_ENV=from-flag\n',
      'last.env': 'APP_ENV=from-last-flag\n',
    });
    expect((await runCli(['check', '-f', 'json'], { cwd: dir, env: { APP_ENV: 'from-process' } })).stdout).toMatch(/from-process/);
    const flag = await runCli(['check', '-f', 'json', '--env-file', 'prod.env'], { cwd: dir, env: { APP_ENV: 'from-process' } });
    expect(JSON.parse(flag.stdout).results[0].message).toMatch(/from-flag/);
    const both = await runCli(['check', '-f', 'json', '--env-file', 'prod.env', '--dotenv', 'last.env'], { cwd: dir });
    expect(JSON.parse(both.stdout).results[0].message).toMatch(/from-last-flag/);
    // Node 20 itself stops on a missing `--env-file` after the script name (exit 9); --dotenv reaches readiness.
    const missing = await runCli(['check', '--dotenv', 'nope.env'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--env-file nope\.env: file not found/);
  });

  it('init writes a starter profile that validates, and refuses to overwrite without --force', async () => {
    const dir = tempProject({});
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(existsSync(join(dir, 'readiness.yaml'))).toBe(true);
    expect((await runCli(['validate'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/readiness\.yaml already exists; use --force/);
    expect((await runCli(['init', '--force'], { cwd: dir })).code).toBe(0);
  });

  it('schema prints a JSON Schema with every check type and its parameters', async () => {
    const dir = tempProject({});
    const result = await runCli(['schema'], { cwd: dir });
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.properties.version).toBeDefined();
    const entry = schema.properties.checks.additionalProperties.anyOf[0];
    const types = entry.properties.type.anyOf[0].enum as string[];
    expect(types).toEqual(expect.arrayContaining(['env.vars', 'http.endpoint', 'file', 'command']));
    const envVars = entry.allOf.find((rule: { if: { properties: { type: { const: string } } } }) => rule.if.properties.type.const === 'env.vars');
    expect(envVars.then.properties.with.properties).toHaveProperty('required');
  });

  it('--version and --help answer without a profile', async () => {
    const dir = tempProject({});
    const version = await runCli(['--version'], { cwd: dir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/check \[options\]/);
    // No command runs nothing: exit 2 (usage), so a CI step missing `check` cannot pass as a passed gate.
    const bare = await runCli([], { cwd: dir });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/no command given; to run the checks: readiness check/);
  });
});

describe('large output through a pipe', () => {
  it('is not cut short when the process exits (a JSON report of several hundred KB)', async () => {
    const checks = Array.from({ length: 400 }, (_, i) => scripted(`check.${i}`, `{ message: "${'x'.repeat(400)} ${i}" }`)).join('');
    const dir = tempProject({ 'readiness.yaml': profile(checks) });
    const result = await runCli(['check', '-f', 'json'], { cwd: dir });
    expect(result.stdout.length).toBeGreaterThan(200_000);
    expect(JSON.parse(result.stdout).results).toHaveLength(400);
  });
});

describe("this repository's readiness.yaml (README: `npm ci && npx readiness check`)", () => {
  it('runs on the checkout and passes, checking the toolchain, the build, repository files and examples/.env', async () => {
    const result = await runCli(['check', '-f', 'json'], { cwd: ROOT });
    const report = JSON.parse(result.stdout);
    const failing = report.results.filter((r: { status: string }) => r.status !== 'pass').map((r: { id: string; message: string }) => `${r.id}: ${r.message}`);
    expect(failing).toEqual([]);
    expect(result.code).toBe(0);
    const ids = report.results.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['toolchain.node', 'build.cli', 'repo.gitignore', 'example.env', 'example.env.file']));
    expect(report.results.find((r: { id: string }) => r.id === 'example.env').message).toMatch(/in examples\/\.env/);
  });
});
