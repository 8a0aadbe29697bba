import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectVariables, initCommand, renderEnvExample } from '../../src/commands/init.js';
import { loadProfile } from '../../src/profile/load.js';
import { ROOT, runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

// A small stand-in for the bundled saas profile: the same kinds of variable use, in a few checks.
const STAND_IN_SAAS = `version: 1
name: saas
signoff: { roles: [Technical Lead, DevOps Engineer] }
checks:
  env.backend:
    type: env.vars
    section: Environment Configuration
    with:
      required: [DATABASE_URL]
      equals: { APP_ENV: production, DEBUG: false }
      one_of: { LOG_LEVEL: [info, warning] }
      secrets: [SESSION_SECRET_KEY]
  backend.health:
    type: http.endpoint
    section: Infrastructure / Backend API
    with:
      url: \${BACKEND_URL:-http://localhost:8000}/health
      status: 200
  frontend.home:
    type: http.endpoint
    section: Infrastructure / Frontend
    with:
      url: \${FRONTEND_URL:-http://localhost:3000}
  api.public:
    type: http.endpoint
    section: Infrastructure / Backend API
    with:
      url: "\${NEXT_PUBLIC_API_URL:?the API URL the front end calls}/health"
  secrets.app:
    type: secrets.strength
    section: Security
    with: { names: [SESSION_SECRET_KEY, CSRF_SECRET_KEY] }
  launch.briefed:
    type: manual
    section: Launch Preparation
    with: { question: Team briefed on launch plan?, evidence: Link to the meeting notes }
`;

/** A temp project with templates/<name>.yaml holding the stand-in bundled profiles. */
function standIn(): { dir: string; templates: string } {
  const dir = tempProject({ 'templates/saas.yaml': STAND_IN_SAAS });
  return { dir, templates: join(dir, 'templates') };
}

describe('.env.example from a profile', () => {
  it('lists every variable the checks read: ${VAR} uses with defaults, env.vars names, secret names', async () => {
    const { templates } = standIn();
    const profile = await loadProfile(join(templates, 'saas.yaml'), { env: {} });
    const byName = Object.fromEntries(collectVariables(profile.checks).map((v) => [v.name, v]));
    expect(Object.keys(byName).sort()).toEqual(
      ['APP_ENV', 'BACKEND_URL', 'CSRF_SECRET_KEY', 'DATABASE_URL', 'DEBUG', 'FRONTEND_URL', 'LOG_LEVEL', 'NEXT_PUBLIC_API_URL', 'SESSION_SECRET_KEY'].sort(),
    );
    expect(byName.BACKEND_URL).toMatchObject({ defaults: ['http://localhost:8000'], required: false, usedBy: ['backend.health (with.url)'] });
    expect(byName.NEXT_PUBLIC_API_URL).toMatchObject({ required: true, messages: ['the API URL the front end calls'] });
    expect(byName.APP_ENV).toMatchObject({ expected: 'production', required: true });
    expect(byName.LOG_LEVEL.allowed).toEqual(['info', 'warning']);
    expect(byName.SESSION_SECRET_KEY.usedBy).toEqual(['env.backend (with.secrets)', 'secrets.app (with.names)']);

    const text = renderEnvExample(profile, { profileFile: 'readiness.yaml', template: 'saas' });
    // Every variable has a comment right above its line.
    const lines = text.split('\n');
    for (const name of Object.keys(byName)) {
      const at = lines.findIndex((l) => new RegExp(`^(# )?${name}=`).test(l));
      expect(at, name).toBeGreaterThan(0);
      expect(lines[at - 1], name).toMatch(/^# read by /);
    }
    expect(text).toMatch(/# BACKEND_URL: Public URL of the backend API.*\n# read by backend\.health \(with\.url\); default: http:\/\/localhost:8000\n# BACKEND_URL=http:\/\/localhost:8000\n/);
    expect(text).toMatch(/# NEXT_PUBLIC_API_URL: API URL the front end calls.*\n# read by api\.public \(with\.url\)\nNEXT_PUBLIC_API_URL=\n/);
    expect(text).toMatch(/\nAPP_ENV=production\n/);
    expect(text).toMatch(/# ── Infrastructure \/ Backend API ──/);
    // As dotenv: the lines to fill in are set (empty or the expected value); defaults stay commented.
    const parsed = parseDotenv(text);
    expect(parsed).toMatchObject({ APP_ENV: 'production', DEBUG: 'false', DATABASE_URL: '', SESSION_SECRET_KEY: '' });
    expect(parsed).not.toHaveProperty('BACKEND_URL');
  });

  it('says so when a profile reads no variables', () => {
    expect(renderEnvExample({ name: 'x', checks: [] }, { profileFile: 'readiness.yaml' })).toMatch(/reads no environment variables/);
  });
});

describe('initCommand --template (stand-in bundled profile)', () => {
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes a readiness.yaml that extends the template and an .env.example beside it; never overwrites without --force', async () => {
    const { dir, templates } = standIn();
    const profile = join(dir, 'readiness.yaml');
    expect(await initCommand({ profile, template: 'saas' }, { templatesDir: templates })).toBe(0);
    const written = parse(readFileSync(join(dir, 'readiness.yaml'), 'utf8'));
    expect(written).toMatchObject({ version: 1, extends: 'saas', env_files: ['.env'], checks: {} });
    const example = readFileSync(join(dir, '.env.example'), 'utf8');
    expect(example).toMatch(/^# Environment for readiness\.yaml \(extends the bundled "saas" profile\)/);
    expect(example).toMatch(/\nDATABASE_URL=\n/);

    writeFileSync(join(dir, '.env.example'), 'MINE=1\n');
    await expect(initCommand({ profile, template: 'saas' }, { templatesDir: templates })).rejects.toThrow(/readiness\.yaml and \S+\.env\.example already exist; use --force/);
    expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe('MINE=1\n');
    expect(await initCommand({ profile, template: 'saas', force: true }, { templatesDir: templates })).toBe(0);
    expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe(example);
  });

  it('writes the .env.example next to a profile in another directory, and names a missing template', async () => {
    const { dir, templates } = standIn();
    mkdirSync(join(dir, 'deploy'));
    expect(await initCommand({ profile: join(dir, 'deploy', 'prod.yaml'), template: 'saas' }, { templatesDir: templates })).toBe(0);
    expect(existsSync(join(dir, 'deploy', '.env.example'))).toBe(true);
    expect(existsSync(join(dir, '.env.example'))).toBe(false);
    await expect(initCommand({ profile: join(dir, 'x.yaml'), template: 'minimal' }, { templatesDir: templates })).rejects.toThrow(/the bundled profile "minimal" is missing/);
  });
});

describe('readiness init (CLI)', () => {
  it('without --template writes the starter profile as before, and refuses to overwrite it', async () => {
    const dir = tempProject({});
    const first = await runCli(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(readFileSync(join(dir, 'readiness.yaml'), 'utf8')).toMatch(/^# readiness profile/);
    expect(existsSync(join(dir, '.env.example'))).toBe(false);
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; use --force/);
    expect((await runCli(['init', '--force'], { cwd: dir })).code).toBe(0);
  });

  it('--template minimal extends the bundled minimal profile, which validates; .env.example lists its variables', async () => {
    const dir = tempProject({});
    const init = await runCli(['init', '--template', 'minimal'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/wrote readiness\.yaml \(extends minimal, \d+ checks\) and \.env\.example \(\d+ variables\)/);
    expect(parse(readFileSync(join(dir, 'readiness.yaml'), 'utf8'))).toMatchObject({ extends: 'minimal' });
    const validate = await runCli(['validate'], { cwd: dir });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const example = readFileSync(join(dir, '.env.example'), 'utf8');
    const bundled = readFileSync(join(ROOT, 'profiles', 'minimal.yaml'), 'utf8');
    for (const [, name] of bundled.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    expect(example).toMatch(/^APP_ENV=production$/m);
    // The manual item and sign-off roles come along.
    const list = await runCli(['attest', '--list'], { cwd: dir });
    expect(list.stdout).toMatch(/launch\.rollback\s+not attested/);
    const again = await runCli(['init', '--template', 'minimal'], { cwd: dir });
    expect(again.code).toBe(2);
    const bad = await runCli(['init', '--template', 'huge'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are saas, minimal/);
  });
});

describe('readiness init --template saas (the bundled profile)', () => {
  it('writes a readiness.yaml extending saas that validates, and an .env.example with every variable saas.yaml reads', async () => {
    const dir = tempProject({});
    const init = await runCli(['init', '--template', 'saas'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(parse(readFileSync(join(dir, 'readiness.yaml'), 'utf8'))).toMatchObject({ version: 1, extends: 'saas', env_files: ['.env'] });
    const validate = await runCli(['validate'], { cwd: dir });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);

    const example = readFileSync(join(dir, '.env.example'), 'utf8');
    const lines = example.split('\n');
    const bundled = readFileSync(join(ROOT, 'profiles', 'saas.yaml'), 'utf8');
    const referenced = new Set([...bundled.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
    expect(referenced.size).toBeGreaterThan(10);
    for (const name of referenced) {
      const at = lines.findIndex((l) => new RegExp(`^(# )?${name}=`).test(l));
      expect(at, `${name} in .env.example`).toBeGreaterThan(0);
      expect(lines[at - 1], `${name}: comment on what reads it`).toMatch(/^# read by /);
      expect(lines[at - 2], `${name}: comment on what it is for`).toMatch(new RegExp(`^# ${name}: \\S`));
    }
    // Checklist variables named as in its Environment Configuration are there with their purpose.
    expect(example).toMatch(/^# DATABASE_URL: PostgreSQL connection URL/m);
    expect(example).toMatch(/^# BACKEND_URL: .*\n# read by .*default: http:\/\/localhost:8000/m);
    // Nothing from the machine's own environment leaks into the file.
    const planted = await runCli(['init', '--template', 'saas', '--force'], { cwd: dir, env: { STRIPE_SECRET_KEY: 'sk_live_plantedSecret0123456789', DATABASE_URL: 'postgres://u:hunter2planted@db/x' } });
    expect(planted.code).toBe(0);
    const again = readFileSync(join(dir, '.env.example'), 'utf8');
    expect(again).toBe(example);
    expect(again).not.toMatch(/plantedSecret|hunter2planted/);

    // The manual items of the checklist come along.
    const list = await runCli(['attest', '--list', '--json'], { cwd: dir });
    expect(list.code).toBe(0);
    const items = JSON.parse(list.stdout) as { id: string; state: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.state === 'missing')).toBe(true);
  });
});
