import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateKeys, type KeysFacts } from '../../../checks/jwt/keys.js';
import { runCheck } from '../../support/run-check.js';
import { assertNoKeyMaterial, encryptedPem, keyDir, keyPair } from '../../support/jwt-keys.js';
import { tempRepo, type TempRepo } from '../../support/git-repo.js';

const FP = 'SHA256:' + 'a'.repeat(64);
const FP2 = 'SHA256:' + 'b'.repeat(64);
const base = { algorithm: 'RS256', minBits: 2048, allowedCurves: ['P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448'] };
const rsa = (bits: number, fp = FP) => ({ keyType: 'rsa', bits, fingerprint: fp });

describe('evaluateKeys (pure)', () => {
  it('passes a 2048-bit RSA pair with mode 0600', () => {
    const facts: KeysFacts = {
      ...base,
      private: { source: '/k/priv.pem', isFile: true, mode: 0o600, description: rsa(2048) },
      public: { source: '/k/pub.pem', isFile: true, mode: 0o644, description: rsa(2048) },
      pairMatches: true,
    };
    const v = evaluateKeys(facts);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('RSA 2048-bit key pair fits RS256');
    expect(v.evidence?.actual).toMatchObject({ private: { fingerprint: FP, mode: '0600' } });
  });

  it('fails a 1024-bit RSA key with actual and expected sizes', () => {
    const v = evaluateKeys({ ...base, private: { source: '/k/priv.pem', isFile: true, mode: 0o600, description: rsa(1024) } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('RSA 1024-bit, below the required 2048 bits');
    expect(v.remediation).toContain('rsa_keygen_bits:2048');
  });

  it('fails an EC key configured for RS256', () => {
    const v = evaluateKeys({ ...base, private: { source: 'env JWT', isFile: false, description: { keyType: 'ec', curve: 'P-256', fingerprint: FP } } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is EC P-256 but RS256 needs an RSA key');
    expect(v.remediation).toContain('rsa_keygen_bits:2048');
    const es = evaluateKeys({ ...base, algorithm: 'ES256', private: { source: 'k', isFile: false, description: rsa(2048) } });
    expect(es.remediation).toContain('openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256');
  });

  it('fails an ES256 key on the wrong curve and a curve outside the allowed list', () => {
    const v = evaluateKeys({ ...base, algorithm: 'ES256', private: { source: 'p', isFile: false, description: { keyType: 'ec', curve: 'P-384', fingerprint: FP } } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('on curve P-384 but ES256 needs P-256');
    const w = evaluateKeys({ ...base, algorithm: 'ES256', allowedCurves: ['P-384'], private: { source: 'p', isFile: false, description: { keyType: 'ec', curve: 'P-256', fingerprint: FP } } });
    expect(w.message).toContain('not one of the allowed P-384');
  });

  it('fails group/other readable private keys and names who can read', () => {
    const v = evaluateKeys({ ...base, private: { source: '/k/priv.pem', isFile: true, mode: 0o644, description: rsa(2048) } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('mode 0644 (readable by group and others); expected 0600 or stricter');
    expect(v.remediation).toContain('chmod 600 /k/priv.pem');
    const g = evaluateKeys({ ...base, private: { source: '/k/priv.pem', isFile: true, mode: 0o640, description: rsa(2048) } });
    expect(g.message).toContain('readable by group)');
    expect(evaluateKeys({ ...base, private: { source: '/k/p', isFile: true, mode: 0o400, description: rsa(2048) } }).status).toBe('pass');
  });

  it('fails a mismatched pair and shows fingerprints only', () => {
    const v = evaluateKeys({
      ...base,
      private: { source: 'a.pem', isFile: false, description: rsa(2048) },
      public: { source: 'b.pem', isFile: false, description: rsa(2048, FP2) },
      pairMatches: false,
    });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is not the pair of private key a.pem');
    expect(v.message).toContain('SHA256:aaaa');
  });

  it('fails a private key tracked by git, warns for a tracked public key', () => {
    const v = evaluateKeys({ ...base, private: { source: '/r/k.pem', isFile: true, mode: 0o600, description: rsa(2048), git: { repo: '/r', tracked: true } } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('tracked by git in /r');
    expect(v.remediation).toContain('rotate');
    const w = evaluateKeys({
      ...base,
      private: { source: '/r/k.pem', isFile: true, mode: 0o600, description: rsa(2048), git: { repo: '/r', tracked: false } },
      public: { source: '/r/p.pem', isFile: true, description: rsa(2048), git: { repo: '/r', tracked: true } },
      pairMatches: true,
    });
    expect(w.status).toBe('warn');
  });

  it('keeps could-not-check apart from missing', () => {
    expect(evaluateKeys({ ...base, private: { source: 'x', isFile: true, problem: 'missing', problemMessage: 'private key file x does not exist' } }).status).toBe('fail');
    expect(evaluateKeys({ ...base, private: { source: 'x', isFile: true, problem: 'encrypted', problemMessage: 'enc' } }).status).toBe('error');
    expect(evaluateKeys({ ...base, private: { source: 'x', isFile: true, problem: 'unreadable', problemMessage: 'no permission' } }).status).toBe('error');
    expect(evaluateKeys({ ...base }).status).toBe('error');
  });

  it('fails a world-readable, committed private key even when it cannot be decrypted, naming the key content as unchecked', () => {
    const v = evaluateKeys({ ...base, private: { source: '/k/priv.pem', isFile: true, mode: 0o644, problem: 'encrypted', problemMessage: 'private key in /k/priv.pem is encrypted with a passphrase and no passphrase was given', git: { repo: '/srv/app', tracked: true } } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('private key /k/priv.pem has mode 0644 (readable by group and others); expected 0600 or stricter; private key /k/priv.pem is tracked by git in /srv/app');
    expect(v.unchecked).toEqual(['private key in /k/priv.pem is encrypted with a passphrase and no passphrase was given']);
    expect(v.remediation).toContain('chmod 600');
    expect(v.remediation).toContain('passphrase: ${JWT_KEY_PASSPHRASE}');
  });

  it('fails a too small key even when git could not be asked, naming that as unchecked', () => {
    const v = evaluateKeys({ ...base, private: { source: '/k/priv.pem', isFile: true, mode: 0o600, description: rsa(1024), gitError: 'git was interrupted (timeout or cancel)' } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('private key /k/priv.pem is RSA 1024-bit, below the required 2048 bits');
    expect(v.unchecked).toEqual(['could not check whether private key /k/priv.pem is tracked by git: git was interrupted (timeout or cancel)']);
  });

  it('rejects symmetric, none and unknown algorithms as misconfiguration', () => {
    expect(evaluateKeys({ ...base, algorithm: 'HS256', private: { source: 'x', isFile: false } }).message).toContain('HS256 does not use a key pair');
    expect(evaluateKeys({ ...base, algorithm: 'none' }).status).toBe('error');
    expect(evaluateKeys({ ...base, algorithm: 'XY1' }).message).toContain('unknown JWS algorithm');
  });
});

describe('jwt.keys against real key files', () => {
  const dir = keyDir();
  const good = keyPair({ type: 'rsa', bits: 2048 });
  const other = keyPair({ type: 'rsa', bits: 2048 }, 'other');
  const small = keyPair({ type: 'rsa', bits: 1024 });
  const big = keyPair({ type: 'rsa', bits: 4096 });
  const ec = keyPair({ type: 'ec', curve: 'P-256' });
  const ed = keyPair({ type: 'ed25519' });
  const allPems = [good, other, small, big, ec, ed].flatMap((k) => [k.privatePem]);
  let repo: TempRepo;

  beforeAll(() => {
    repo = tempRepo();
  });
  afterAll(() => {
    dir.cleanup();
    repo?.cleanup();
  });

  async function run(params: Record<string, unknown>, env: Record<string, string> = {}) {
    const logs: string[] = [];
    const verdict = await runCheck(check, params, { baseDir: dir.dir, env, logs });
    assertNoKeyMaterial(JSON.stringify(verdict) + logs.join('\n'), ...allPems);
    return verdict;
  }

  it('passes a good RSA 2048 pair (relative paths) and reports fingerprints', async () => {
    dir.write('good.pem', good.privatePem, 0o600);
    dir.write('good.pub', good.publicPem, 0o644);
    const v = await run({ private_key: 'good.pem', public_key: 'good.pub' });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toMatchObject({ pairMatches: true, private: { keyType: 'rsa', bits: 2048, mode: '0600' } });
    expect(JSON.stringify(v)).toMatch(/SHA256:[0-9a-f]{64}/);
  });

  it('passes RSA 4096, ES256 and EdDSA keys for their algorithms', async () => {
    dir.write('big.pem', big.privatePem);
    dir.write('ec.pem', ec.privatePem);
    dir.write('ec.pub', ec.publicPem, 0o644);
    dir.write('ed.pem', ed.privatePem);
    expect((await run({ private_key: 'big.pem', algorithm: 'RS512' })).status).toBe('pass');
    const e = await run({ private_key: 'ec.pem', public_key: 'ec.pub', algorithm: 'ES256' });
    expect(e.status).toBe('pass');
    expect(e.message).toContain('EC P-256 key pair fits ES256');
    expect((await run({ private_key: 'ed.pem', algorithm: 'EdDSA' })).status).toBe('pass');
  });

  it('fails RSA 1024 and an EC key for RS256', async () => {
    dir.write('small.pem', small.privatePem);
    const s = await run({ private_key: 'small.pem' });
    expect(s.status).toBe('fail');
    expect(s.message).toContain('RSA 1024-bit, below the required 2048 bits');
    const e = await run({ private_key: 'ec.pem', algorithm: 'RS256' });
    expect(e.message).toContain('RS256 needs an RSA key');
  });

  it('fails a mismatched pair by signing and verifying', async () => {
    dir.write('other.pub', other.publicPem, 0o644);
    const v = await run({ private_key: 'good.pem', public_key: 'other.pub' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('a token signed with the private key does not verify');
    expect(v.evidence?.actual).toMatchObject({ pairMatches: false });
  });

  it('fails a world-readable private key', async () => {
    dir.write('open.pem', good.privatePem, 0o644);
    const v = await run({ private_key: 'open.pem' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('has mode 0644');
  });

  it('errors clearly on an encrypted key without passphrase, passes with it, errors on a wrong one', async () => {
    dir.write('enc.pem', encryptedPem(good, 'correct horse'));
    const v = await run({ private_key: 'enc.pem' });
    expect(v.status).toBe('error');
    expect(v.message).toContain('is encrypted with a passphrase and no passphrase was given');
    expect(v.remediation).toContain('passphrase: ${JWT_KEY_PASSPHRASE}');
    expect((await run({ private_key: 'enc.pem', passphrase: 'correct horse' })).status).toBe('pass');
    const w = await run({ private_key: 'enc.pem', passphrase: 'wrong' });
    expect(w.status).toBe('error');
    expect(w.message).toContain('does not decrypt');
    expect(JSON.stringify(w)).not.toContain('correct horse');
  });

  it('fails a world-readable encrypted key without its passphrase, naming the key content as unchecked', async () => {
    dir.write('enc-open.pem', encryptedPem(good, 'correct horse'), 0o644);
    const v = await run({ private_key: 'enc-open.pem' });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^private key \S*enc-open\.pem has mode 0644 \(readable by group and others\); expected 0600 or stricter$/);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toContain('is encrypted with a passphrase and no passphrase was given');
  });

  it('fails a missing file and a file that is not a key', async () => {
    const m = await run({ private_key: 'nope.pem' });
    expect(m.status).toBe('fail');
    expect(m.message).toContain('does not exist');
    dir.write('junk.pem', 'hello world\n');
    expect((await run({ private_key: 'junk.pem' })).message).toContain('does not contain a valid private key');
    const privAsPub = await run({ private_key: 'good.pem', public_key: 'good.pem' });
    expect(privAsPub.status).toBe('fail');
    expect(privAsPub.message).toContain('should hold the public key but contains a PRIVATE key');
    const pubAsPriv = await run({ private_key: 'good.pub' });
    expect(pubAsPriv.message).toContain('holds a public key or certificate, not a private key');
  });

  it('reads PEM from an environment variable (one line with \\n escapes) and the default variables', async () => {
    const env = { JWT_PRIVATE_KEY: good.privatePem.replace(/\n/g, '\\n'), JWT_PUBLIC_KEY: good.publicPem };
    const v = await run({}, env);
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toMatchObject({ private: { source: 'environment variable JWT_PRIVATE_KEY' } });
    const viaPath = await run({}, { JWT_PRIVATE_KEY_PATH: dir.write('p2.pem', good.privatePem), JWT_PUBLIC_KEY_PATH: dir.write('p2.pub', other.publicPem) });
    expect(viaPath.status).toBe('fail');
    expect((await run({ private_key_env: 'UNSET_VAR' })).message).toContain('UNSET_VAR is not set');
  });

  it('fails a private key committed to git; passes the same key untracked', async () => {
    repo.write('config/jwt.pem', good.privatePem, 0o600);
    repo.write('config/ignored.pem', good.privatePem, 0o600);
    repo.write('.gitignore', 'config/ignored.pem\n');
    repo.commit('add keys');
    const tracked = await run({ private_key: `${repo.dir}/config/jwt.pem` });
    expect(tracked.status).toBe('fail');
    expect(tracked.message).toContain('is tracked by git in');
    const untracked = await run({ private_key: `${repo.dir}/config/ignored.pem` });
    expect(untracked.status).toBe('pass');
    expect(untracked.evidence?.actual).toMatchObject({ private: { trackedByGit: false } });
    expect((await run({ private_key: `${repo.dir}/config/jwt.pem`, check_git: false })).status).toBe('pass');
  });
});
