import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile, ProfileErrors } from '../../src/profile/load.js';
import { tempProject } from '../support/temp-profile.js';

/** Loads `readiness.yaml` from a temp project and returns the formatted problems (relative paths). */
async function problemsOf(files: Record<string, string>, env: Record<string, string> = {}): Promise<string[]> {
  const dir = tempProject(files);
  try {
    await loadProfile(join(dir, 'readiness.yaml'), { env });
  } catch (err) {
    if (err instanceof ProfileErrors) return err.errors.map((e) => e.format(dir));
    throw err;
  }
  throw new Error('expected the profile to be rejected');
}

const scripted = (extra = '') => `    type: ./checks/scripted.js\n${extra}`;

describe('loadProfile: a valid profile', () => {
  it('resolves checks with defaults, order, needs and parameters', async () => {
    const dir = tempProject({
      'readiness.yaml': `version: 1
name: Demo
defaults: { timeout: 3s, retries: 1, severity: recommended }
checks:
  first:
${scripted()}
  second:
${scripted(`    severity: critical
    needs: first
    tags: [db]
    timeout: 500ms
    with: { status: warn }
`)}`,
    });
    const profile = await loadProfile(join(dir, 'readiness.yaml'), { env: {} });
    expect(profile.name).toBe('Demo');
    expect(profile.checks.map((c) => c.id)).toEqual(['first', 'second']);
    const [first, second] = profile.checks;
    expect(first).toMatchObject({ severity: 'recommended', timeoutMs: 3000, retries: 1, needs: [], section: 'General' });
    expect(second).toMatchObject({ severity: 'critical', timeoutMs: 500, needs: ['first'], tags: ['db'] });
    expect(second.params).toMatchObject({ status: 'warn', delay_ms: 0 });
  });

  it('merges extends by check id: overlays change fields, deep-merge with:, and `id: false` drops a check', async () => {
    const dir = tempProject({
      'base.yaml': `version: 1
name: Base
defaults: { severity: optional }
checks:
  keep:
${scripted('    with: { status: fail, message: base }\n')}
  dropped:
${scripted()}`,
      'readiness.yaml': `version: 1
extends: ./base.yaml
name: Overlay
checks:
  keep:
    severity: critical
    with: { message: overlay }
  dropped: false
  added:
${scripted()}`,
    });
    const profile = await loadProfile(join(dir, 'readiness.yaml'), { env: {} });
    expect(profile.name).toBe('Overlay');
    expect(profile.checks.map((c) => c.id)).toEqual(['keep', 'added']);
    expect(profile.checks[0]).toMatchObject({ severity: 'critical', params: { status: 'fail', message: 'overlay' } });
    expect(profile.checks[1].severity).toBe('optional');
  });

  it('treats an unset variable as a finding of the check, not a profile error', async () => {
    const dir = tempProject({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    with: { message: "${API_TOKEN}" }\n')}` });
    const profile = await loadProfile(join(dir, 'readiness.yaml'), { env: {} });
    expect(profile.checks[0].params).toBeUndefined();
    expect(profile.checks[0].envProblems).toEqual([{ path: 'with.message', variable: 'API_TOKEN', message: 'API_TOKEN is not set' }]);
  });

  it('treats a malformed value from the environment as a finding naming the variable and parameter', async () => {
    const dir = tempProject({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    with: { status: "${STATUS}" }\n')}` });
    const profile = await loadProfile(join(dir, 'readiness.yaml'), { env: { STATUS: 'great' } });
    expect(profile.checks[0].envProblems).toHaveLength(1);
    expect(profile.checks[0].envProblems[0]).toMatchObject({ path: 'with.status', variable: 'STATUS' });
    // The runner adds the parameter path: "STATUS gives an invalid value: … (with.status)".
    expect(profile.checks[0].envProblems[0].message).toMatch(/^STATUS gives an invalid value: Invalid option: expected one of .*\(got "great"\)$/);
  });

  it('a number or boolean parameter fed a word from the environment says what it expects, not zod\'s "Invalid input"', async () => {
    const dir = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  keys:\n    type: jwt.keys\n    with: { min_bits: "${MIN_BITS}", check_git: "${CHECK_GIT}" }\n' });
    const profile = await loadProfile(join(dir, 'readiness.yaml'), { env: { MIN_BITS: 'lots', CHECK_GIT: 'maybe' } });
    expect(profile.checks[0].envProblems.map((p) => `${p.message} (${p.path})`)).toEqual([
      'MIN_BITS gives an invalid value: expected a whole number (got "lots") (with.min_bits)',
      'CHECK_GIT gives an invalid value: expected true or false (got "maybe") (with.check_git)',
    ]);
    // Written in the profile, the same mistake is a profile error with the same words.
    const problems = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  keys:\n    type: jwt.keys\n    with: { min_bits: true }\n' });
    expect(problems).toEqual(['readiness.yaml:5:23: checks.keys.with.min_bits: expected number or string (got true)']);
  });

  it('loads env_files (relative to the profile), the process env over them, and --env-file over both', async () => {
    const dir = tempProject({
      '.env': 'A=from-file\nB=from-file\nC=from-file\n',
      'override.env': 'C=from-flag\n',
      'readiness.yaml': `version: 1\nenv_files: [.env, missing.env]\nchecks: {}\n`,
    });
    const profile = await loadProfile(join(dir, 'readiness.yaml'), { env: { B: 'from-process', C: 'from-process' }, envFiles: [join(dir, 'override.env')] });
    expect(profile.env).toMatchObject({ A: 'from-file', B: 'from-process', C: 'from-flag' });
    expect(profile.notes).toEqual([expect.stringMatching(/env file .*missing\.env.* not found; skipped/)]);
  });
});

describe('loadProfile: profile errors say where and what', () => {
  it('malformed YAML', async () => {
    expect(await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  a: [unclosed\n' })).toEqual([expect.stringMatching(/^readiness\.yaml:\d+:\d+: invalid YAML: /)]);
  });

  it('duplicate check ids', async () => {
    const problems = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted()}  a:\n${scripted()}` });
    expect(problems).toEqual(['readiness.yaml:5:3: invalid YAML: "a" is defined twice (map keys, including check ids, must be unique)']);
  });

  it('unknown keys at the top level and in a check', async () => {
    const problems = await problemsOf({ 'readiness.yaml': `version: 1\nchecsk: {}\nchecks:\n  a:\n${scripted('    titel: x\n')}` });
    expect(problems).toEqual(['readiness.yaml:2:1: checsk: unknown key "checsk" — did you mean "checks"?']);
    const inCheck = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    titel: x\n')}` });
    expect(inCheck).toEqual(['readiness.yaml:5:5: checks.a.titel: unknown key "titel" — did you mean "title"?']);
  });

  it('an unknown parameter key under with: names the nearest parameter of the check type', async () => {
    const typo = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  keys:\n    type: jwt.keys\n    with: { public_key: k.pem, min_bit: 4096 }\n' });
    expect(typo).toEqual(['readiness.yaml:5:32: checks.keys.with.min_bit: unknown key "min_bit" — did you mean "min_bits"?']);
    // Two typos: one line each, at each key.
    const two = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  keys:\n    type: jwt.keys\n    with: { public_key_file: k.pem, min_bit: 4096 }\n' });
    expect(two).toEqual([
      'readiness.yaml:5:13: checks.keys.with.public_key_file: unknown key "public_key_file" — did you mean "public_key_env"?',
      'readiness.yaml:5:37: checks.keys.with.min_bit: unknown key "min_bit" — did you mean "min_bits"?',
    ]);
    // Nested parameter objects suggest from their own keys; a key far from every parameter gets no guess.
    const nested = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  app:\n    type: env.vars\n    with:\n      required: [A]\n      secrets: { S: { min_lenght: 32 } }\n' });
    expect(nested).toEqual([expect.stringMatching(/^readiness\.yaml:7:23: checks\.app\.with\.secrets\.S\.min_lenght: unknown key "min_lenght" — did you mean "min_length"\?$/)]);
    // A typo next to an interpolated parameter is still the profile's fault, not the environment's.
    const besideVariable = await problemsOf(
      { 'readiness.yaml': 'version: 1\nchecks:\n  db:\n    type: postgres.connect\n    with: { url: "${DATABASE_URL}", min_verison: 14 }\n' },
      { DATABASE_URL: 'postgres://app@127.0.0.1:5432/app' },
    );
    expect(besideVariable).toEqual(['readiness.yaml:5:37: checks.db.with.min_verison: unknown key "min_verison" — did you mean "min_version"?']);
    const far = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    with: { zzzzzzzz: 1 }\n')}` });
    expect(far).toEqual([expect.stringMatching(/checks\.a\.with\.zzzzzzzz: unknown key "zzzzzzzz"$/)]);
    const custom = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    with: { delay: 5 }\n')}` });
    expect(custom).toEqual([expect.stringMatching(/checks\.a\.with\.delay: unknown key "delay" — did you mean "delay_ms"\?$/)]);
  });

  it('unknown check type with a suggestion', async () => {
    const problems = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: env.var\n' });
    expect(problems).toEqual(['readiness.yaml:4:11: checks.a.type: unknown check type "env.var" — did you mean "env.vars"?']);
  });

  it('a missing custom check module', async () => {
    const problems = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: ./checks/nope.js\n' });
    expect(problems[0]).toMatch(/^readiness\.yaml:4:11: checks\.a\.type: custom check module "\.\/checks\/nope\.js" not found/);
  });

  it('a custom check module that does not load or has no check in it', async () => {
    const problems = await problemsOf({
      'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: ./checks/broken.js\n  b:\n    type: ./checks/empty.js\n',
      'checks/broken.js': 'export default { meta: \n',
      'checks/empty.js': 'export const x = 1;\n',
    });
    expect(problems).toEqual([
      // The wording of the syntax error is the runtime's (vitest transforms modules; node says "SyntaxError: …").
      expect.stringMatching(/^readiness\.yaml:4:11: checks\.a\.type: cannot load custom check module "\.\/checks\/broken\.js": \S/),
      'readiness.yaml:6:11: checks.b.type: check module "./checks/empty.js" must default-export defineCheck({ meta, params, run })',
    ]);
  });

  it('a bad parameter: dotted path, expected and got', async () => {
    const problems = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    with:\n      status: great\n')}` });
    expect(problems).toEqual([expect.stringMatching(/^readiness\.yaml:6:15: checks\.a\.with\.status: Invalid option: expected one of "pass"\|"warn"\|"fail"\|"error"\|"skip" \(got "great"\)$/)]);
  });

  it('a bad severity and a bad timeout', async () => {
    const problems = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    severity: high\n    timeout: soon\n')}` });
    expect(problems).toEqual([
      expect.stringMatching(/^readiness\.yaml:5:15: checks\.a\.severity: Invalid option: expected one of "critical"\|"recommended"\|"optional" \(got "high"\)/),
      expect.stringMatching(/^readiness\.yaml:6:14: checks\.a\.timeout: expected a duration such as 500ms, 10s/),
    ]);
  });

  it('unknown needs with a suggestion, and needs cycles', async () => {
    const unknown = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  db.connect:\n${scripted()}  b:\n${scripted('    needs: [DB.connect]\n')}` });
    expect(unknown).toEqual(['readiness.yaml:7:13: checks.b.needs: unknown check "DB.connect" — did you mean "db.connect"?']);
    const cycle = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    needs: b\n')}  b:\n${scripted('    needs: a\n')}` });
    expect(cycle).toEqual([expect.stringMatching(/^readiness\.yaml:5:12: needs cycle: a → b → a$/)]);
  });

  it('extends cycles and missing parents', async () => {
    const cycle = await problemsOf({ 'readiness.yaml': 'version: 1\nextends: ./b.yaml\n', 'b.yaml': 'version: 1\nextends: ./readiness.yaml\n' });
    expect(cycle).toEqual([expect.stringMatching(/^b\.yaml: extends cycle: .*readiness\.yaml → .*b\.yaml → .*readiness\.yaml$/)]);
    const missing = await problemsOf({ 'readiness.yaml': 'version: 1\nextends: [./nope.yaml]\n' });
    expect(missing).toEqual(['readiness.yaml:2:11: extends: cannot find profile "./nope.yaml" (a path relative to this file, or a bundled profile name)']);
  });

  it('waiver dates that are not real dates', async () => {
    const problems = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    waiver: { reason: later, until: 2026-02-30 }\n')}` });
    expect(problems).toEqual([expect.stringMatching(/^readiness\.yaml:5:37: checks\.a\.waiver\.until: not a real calendar date/)]);
    const format = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n${scripted('    waiver: { reason: later, until: 31/12/2026 }\n')}` });
    expect(format).toEqual([expect.stringMatching(/checks\.a\.waiver\.until: expected a date as YYYY-MM-DD/)]);
  });

  it('a missing version and a missing type', async () => {
    const problems = await problemsOf({ 'readiness.yaml': 'checks:\n  a: { title: x }\n' });
    expect(problems).toEqual([expect.stringMatching(/^readiness\.yaml:1:1: version: required/)]);
    const future = await problemsOf({ 'readiness.yaml': 'version: 2\nchecks: {}\n' });
    expect(future).toEqual(['readiness.yaml:1:10: version: expected 1, the profile format this version of readiness reads (got 2)']);
    const noType = await problemsOf({ 'readiness.yaml': 'version: 1\nchecks:\n  a: { title: x }\n' });
    expect(noType).toEqual([expect.stringMatching(/^readiness\.yaml:3:6: checks\.a\.type: required/)]);
  });

  it('an unreadable profile file', async () => {
    const dir = tempProject({ 'profiles/readiness.yaml': 'version: 1\n' });
    const formatted = (path: string) => loadProfile(join(dir, path), { env: {} }).catch((e: ProfileErrors) => e.errors.map((x) => x.format(dir)));
    expect(await formatted('nope.yaml')).toEqual(['nope.yaml: cannot read profile: file not found']);
    expect(await formatted('profiles')).toEqual(['profiles: cannot read profile: is a directory']);
  });

  it('lists every problem, not only the first', async () => {
    const problems = await problemsOf({ 'readiness.yaml': `version: 1\nchecks:\n  a:\n    type: nope.nope\n  b:\n${scripted('    with: { status: 3 }\n')}  c:\n${scripted('    needs: zzz\n')}` });
    expect(problems.length).toBe(3);
  });

  it('a bad field of a check does not hide the other problems of that check; problems come in file order', async () => {
    const problems = await problemsOf({
      'readiness.yaml': `version: 1
checks:
  db:
    type: postgres.conect
  api:
    type: ./checks/scripted.js
    severity: high
    with: { statsu: fail }
  x:
    type: ./checks/scripted.js
    needs: [db, dbb]
    timeout: soon
`,
    });
    expect(problems).toEqual([
      'readiness.yaml:4:11: checks.db.type: unknown check type "postgres.conect" — did you mean "postgres.connect"?',
      'readiness.yaml:7:15: checks.api.severity: Invalid option: expected one of "critical"|"recommended"|"optional" (got "high")',
      'readiness.yaml:8:13: checks.api.with.statsu: unknown key "statsu" — did you mean "status"?',
      // `db` exists (its type is wrong, reported above): only the typo `dbb` is an unknown need.
      'readiness.yaml:11:17: checks.x.needs: unknown check "dbb" — did you mean "db"?',
      'readiness.yaml:12:14: checks.x.timeout: expected a duration such as 500ms, 10s, 5m, 2h or 7d (got "soon")',
    ]);
  });
});
