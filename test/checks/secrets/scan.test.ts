import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { applyAllow, evaluateScan, isTrackedEnvFile, maskValue, scanText, type Finding, type ScanFacts } from '../../../checks/secrets/scan.js';
import { runCheck } from '../../support/run-check.js';
import { tempRepo, type TempRepo } from '../../support/git-repo.js';
import { fake } from '../../support/git-secrets.js';

const opts = { includeTestKeys: false };

describe('scanText (pure)', () => {
  it('finds each kind of secret with its line and masks it', async () => {
    const live = fake.stripeLive();
    const whsec = fake.webhookSecret();
    const aws = fake.awsKeyId();
    const awsSecret = fake.awsSecret();
    const sg = fake.sendgrid();
    const jwt = await fake.jwt();
    const pwd = fake.dbPassword();
    const pem = fake.privateKeyPem();
    const text = [
      `const stripe = "${live}";`,
      `WEBHOOK=${whsec}`,
      `aws_access_key_id = ${aws}`,
      `aws_secret_access_key = ${awsSecret}`,
      `sendgrid: '${sg}'`,
      `Authorization: Bearer ${jwt}`,
      `DATABASE_URL=postgres://app:${pwd}@db.internal:5432/app`,
      pem,
    ].join('\n');
    const found = scanText(text, opts);
    expect(found.map((f) => [f.line, f.kind])).toEqual([
      [1, 'Stripe secret key'],
      [2, 'Stripe webhook secret'],
      [3, 'AWS access key id'],
      [4, 'AWS secret access key'],
      [5, 'SendGrid API key'],
      [6, 'JSON Web Token'],
      [7, 'URL with password'],
      [8, 'PEM private key'],
    ]);
    expect(found[0].masked).toBe(`sk_live_…${live.slice(-4)}`);
    expect(found[6].masked).toBe('postgres://app:…@');
    expect(found[7].masked).toBe('PRIVATE KEY block');
    const out = JSON.stringify(found);
    for (const secret of [live, whsec, awsSecret, sg, jwt, pwd, live.slice(8, 20)]) expect(out).not.toContain(secret);
    for (const chunk of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-'))) expect(out).not.toContain(chunk);
  });

  it('finds a PEM key stored on one line with \\n escapes (JSON)', () => {
    const pem = fake.privateKeyPem().replace(/\n/g, '\\n');
    const found = scanText(`{"private_key": "${pem}"}`, opts);
    expect(found.map((f) => f.kind)).toEqual(['PEM private key']);
  });

  it('ignores look-alikes: test keys, placeholders, env references, key headers without a body, public keys', () => {
    const lookAlikes = [
      `STRIPE_SECRET_KEY=${fake.stripeTest()}`,
      `STRIPE_SECRET_KEY=${['sk', 'live', 'x'.repeat(24)].join('_')}`,
      `aws_access_key_id = ${'AK' + 'IAIOSFODNN7EXAMPLE'}`,
      'DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app',
      'DATABASE_URL=postgres://user:password@localhost:5432/app',
      'REDIS_URL=redis://:$REDIS_PASSWORD@redis:6379',
      'url = "https://user:<password>@example.com"',
      "expect(masked).toBe('postgres://app:…@db');",
      'if (pem.startsWith("-----BEGIN PRIVATE KEY-----")) return parse(pem);',
      fake.publicKeyPem(),
      'see https://example.com/docs and http://localhost:8080/',
    ].join('\n');
    expect(scanText(lookAlikes, opts)).toEqual([]);
  });

  it('reports Stripe test keys when asked', () => {
    expect(scanText(`k=${fake.stripeTest()}`, { includeTestKeys: true }).map((f) => f.kind)).toEqual(['Stripe secret key']);
  });

  it('masks with prefix and at most the last 4 characters', () => {
    expect(maskValue('abcdefghijklmnopqrstuvwxyz0123', /^abc/)).toBe('abc…0123');
    expect(maskValue('short-value', undefined)).toBe('…');
  });
});

describe('isTrackedEnvFile', () => {
  it.each([
    ['.env', true],
    ['config/.env.production', true],
    ['.env.local', true],
    ['.env.example', false],
    ['.env.sample', false],
    ['apps/web/.env.template', false],
    ['.env.example.local', false],
    ['.envrc', false],
    ['examples/.env', false],
    ['docs/samples/.env.production', false],
    ['env.ts', false],
  ])('%s → %s', (path, expected) => {
    expect(isTrackedEnvFile(path)).toBe(expected);
  });
});

const finding = (over: Partial<Finding>): Finding => ({ file: 'src/a.ts', line: 3, kind: 'Stripe secret key', masked: 'sk_live_…abcd', fingerprint: 'sha256:0123456789abcdef', ...over });
const scanFacts = (over: Partial<ScanFacts>): ScanFacts => ({
  root: '.',
  findings: [],
  allowed: [],
  filesScanned: 10,
  skippedBinary: 1,
  skippedLarge: 0,
  unreadable: [],
  durationMs: 5,
  ...over,
});

describe('evaluateScan and applyAllow (pure)', () => {
  it('passes a clean scan and says what was skipped', () => {
    const v = evaluateScan(scanFacts({}));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('no secrets in 10 tracked files (1 binary skipped)');
  });

  it('fails with file:line, kind and masked value of the first findings', () => {
    const v = evaluateScan(
      scanFacts({
        findings: [finding({}), finding({ file: '.env', line: undefined, kind: 'tracked .env file', masked: '' }), finding({ file: 'b.ts', line: 9, commit: 'abc1234', kind: 'JSON Web Token', masked: 'eyJ…wxyz' }), finding({ file: 'c.ts' })],
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      '4 secrets committed in .: src/a.ts:3 Stripe secret key sk_live_…abcd; .env is a tracked .env file; b.ts:9 (commit abc1234) JSON Web Token eyJ…wxyz; +1 more (expected none)',
    );
    expect(v.remediation).toContain('rotate'.toUpperCase());
    expect(v.remediation).toContain('git filter-repo');
  });

  it('never passes (nor warns) a scan with unreadable files: error, or unchecked next to a finding', () => {
    expect(evaluateScan(scanFacts({ unreadable: ['secret.txt'] }))).toMatchObject({
      status: 'error',
      message: 'no secrets found in 10 tracked files, but 1 tracked file could not be read (secret.txt): a partial scan cannot pass',
    });
    const v = evaluateScan(scanFacts({ findings: [finding({})], unreadable: ['secret.txt', 'b.txt'], historyError: 'git log exited with code 128' }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 secret committed in .: src/a.ts:3 Stripe secret key sk_live_…abcd (expected none)');
    expect(v.unchecked).toEqual(['2 tracked files could not be read (secret.txt, b.txt)', 'the history could not be scanned: git log exited with code 128']);
  });

  it('allows by glob and by fingerprint', () => {
    const all = [finding({ file: 'test/fixtures/keys.pem' }), finding({ file: 'src/x.ts', fingerprint: 'sha256:aaaaaaaaaaaaaaaa' }), finding({ file: 'src/y.ts' })];
    const r = applyAllow(all, ['test/fixtures/**', 'SHA256:AAAAAAAAAAAAAAAA']);
    expect(r.findings.map((f) => f.file)).toEqual(['src/y.ts']);
    expect(r.allowed).toHaveLength(2);
  });
});

describe('secrets.scan on a real git repository', () => {
  let repo: TempRepo;
  const planted: string[] = [];
  let removedKey: string;

  beforeAll(async () => {
    repo = tempRepo('readiness-scan-');
    const live = fake.stripeLive();
    const jwt = await fake.jwt();
    const pwd = fake.dbPassword();
    removedKey = fake.stripeRestrictedLive();
    const pem = fake.privateKeyPem();
    planted.push(live, jwt, pwd, removedKey, ...pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-')));
    // First commit: a key that is deleted again later (history only).
    repo.write('scripts/old.sh', `export STRIPE_KEY=${removedKey}\n`);
    repo.commit('add script');
    repo.remove('scripts/old.sh');
    repo.commit('remove script');
    repo.write('src/billing.ts', `import Stripe from 'stripe';\n\nconst stripe = new Stripe('${live}');\n`);
    repo.write('src/config.ts', `export const db = 'postgres://app:${pwd}@db:5432/app';\nexport const example = 'postgres://app:\${DB_PASSWORD}@db/app';\n`);
    repo.write('test/fixtures/token.txt', `${jwt}\n`);
    repo.write('deploy/key.pem', pem);
    repo.write('.env', 'NODE_ENV=production\n');
    repo.write('.env.example', `STRIPE_SECRET_KEY=${['sk', 'live', 'x'.repeat(24)].join('_')}\n`);
    repo.write('docs/setup.md', 'Use sk_test_ keys locally; set DATABASE_URL=postgres://user:password@localhost/app\n');
    repo.write('assets/logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(live)]));
    repo.write('data/big.sql', `-- ${live}\n` + 'x'.repeat(2_000_000));
    repo.write('untracked-notes.txt', `${live}\n`);
    repo.write('.gitignore', 'untracked-notes.txt\n');
    repo.commit('app');
  });
  afterAll(() => repo?.cleanup());

  async function run(params: Record<string, unknown>) {
    const logs: string[] = [];
    const v = await runCheck(check, params, { baseDir: repo.dir, logs });
    const text = JSON.stringify(v) + logs.join('\n');
    for (const secret of planted) expect(text).not.toContain(secret);
    return v;
  }

  it('reports each planted secret with file:line and nothing from look-alikes, binaries, large or untracked files', async () => {
    const v = await run({});
    expect(v.status).toBe('fail');
    const findings = (v.evidence?.details?.findings as Finding[]).map((f) => `${f.file}:${f.line ?? '-'} ${f.kind}`);
    expect(findings).toEqual([
      '.env:- tracked .env file',
      'deploy/key.pem:1 PEM private key',
      'src/billing.ts:3 Stripe secret key',
      'src/config.ts:1 URL with password',
      'test/fixtures/token.txt:1 JSON Web Token',
    ]);
    expect(v.message).toMatch(/^5 secrets committed in \.: \.env is a tracked \.env file; deploy\/key\.pem:1 PEM private key PRIVATE KEY block; src\/billing\.ts:3 Stripe secret key sk_live_…/);
    expect(v.evidence?.details).toMatchObject({ skippedBinary: 1, skippedLarge: 1 });
  });

  it('honours allow globs and fingerprints', async () => {
    const first = await run({});
    const fps = (first.evidence?.details?.findings as Finding[]).filter((f) => f.file === 'src/config.ts').map((f) => f.fingerprint);
    const v = await run({ allow: ['test/fixtures/**', 'deploy/*.pem', '.env', ...fps] });
    expect(v.status).toBe('fail');
    expect((v.evidence?.details?.findings as Finding[]).map((f) => f.file)).toEqual(['src/billing.ts']);
    expect(v.evidence?.actual).toMatchObject({ allowed: 4 });
  });

  it('finds a key that was removed but is still in the history, with its commit', async () => {
    const v = await run({ history: true, history_depth: 10 });
    const history = (v.evidence?.details?.findings as Finding[]).filter((f) => f.commit);
    expect(history.map((f) => `${f.file}:${f.line} ${f.kind}`)).toEqual(['scripts/old.sh:1 Stripe secret key']);
    expect(v.evidence?.details).toMatchObject({ commitsScanned: 3 });
    expect(v.remediation).toContain('git filter-repo');
    const shallow = await run({ history: true, history_depth: 1 });
    expect((shallow.evidence?.details?.findings as Finding[]).some((f) => f.commit)).toBe(false);
  });

  it('scans a subdirectory only, with paths relative to it', async () => {
    const v = await run({ path: 'src' });
    expect((v.evidence?.details?.findings as Finding[]).map((f) => f.file)).toEqual(['billing.ts', 'config.ts']);
    const h = await run({ path: 'scripts', history: true });
    expect((h.evidence?.details?.findings as Finding[]).map((f) => `${f.file} ${f.commit ? 'history' : 'tree'}`)).toEqual(['old.sh history']);
  });

  it('fails a key in a tracked file although the history cannot be scanned, naming the history as unchecked', async () => {
    const broken = tempRepo('readiness-broken-history-');
    const key = fake.stripeLive();
    try {
      broken.write('notes.txt', 'first version\n');
      broken.commit('notes');
      const blob = broken.git('rev-parse', 'HEAD:notes.txt').trim();
      broken.write('notes.txt', 'second version\n');
      broken.write('src/pay.ts', `const key = '${key}';\n`);
      broken.commit('pay');
      // A lost object: `git log -p` cannot show the first commit's diff.
      rmSync(path.join(broken.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
      const v = await runCheck(check, { path: broken.dir, history: true });
      expect(v.status).toBe('fail');
      expect(v.message).toMatch(/^1 secret committed in .*: src\/pay\.ts:1 Stripe secret key sk_live_…/);
      expect(v.unchecked).toEqual(['the history could not be scanned: git log exited with code 128']);
      expect(JSON.stringify(v)).not.toContain(key);
    } finally {
      broken.cleanup();
    }
  });

  it('passes a clean repository and errors outside git', async () => {
    const clean = tempRepo('readiness-clean-');
    try {
      clean.write('README.md', 'Set STRIPE_SECRET_KEY in the environment.\n');
      clean.write('.env.example', 'STRIPE_SECRET_KEY=\n');
      clean.commit('init');
      const v = await runCheck(check, { path: clean.dir });
      expect(v.status).toBe('pass');
      expect(v.message).toBe('no secrets in 2 tracked files');
      const outside = await runCheck(check, { path: '/' });
      expect(outside.status).toBe('error');
      expect(outside.message).toContain('is not inside a git repository');
      expect(outside.remediation).toContain('Set `path`');
      // a directory git ignores (or one with nothing committed) is not a clean pass
      clean.write('build/out.txt', 'generated\n');
      clean.write('.gitignore', 'build/\n');
      const ignored = await runCheck(check, { path: `${clean.dir}/build` });
      expect(ignored.status).toBe('warn');
      expect(ignored.message).toBe(`nothing to scan: git tracks no files under ${clean.dir}/build (ignored and untracked files are not scanned)`);
      expect((await runCheck(check, { path: `${clean.dir}/missing` })).message).toContain('does not exist');
    } finally {
      clean.cleanup();
    }
  });
});
