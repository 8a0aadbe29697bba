import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import check, { assessAll, evaluateStrength } from '../../../checks/secrets/strength.js';
import { runCheck } from '../../support/run-check.js';

const strong = () => randomBytes(32).toString('hex');
const opts = { minLength: 32, distinct: true, optional: [] as string[] };

describe('assessAll + evaluateStrength (pure)', () => {
  it('passes two strong distinct secrets', () => {
    const env = { SESSION_SECRET_KEY: strong(), CSRF_SECRET_KEY: strong() };
    const v = evaluateStrength(assessAll(['SESSION_SECRET_KEY', 'CSRF_SECRET_KEY'], env, opts), 32);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('2 secrets strong and distinct: SESSION_SECRET_KEY, CSRF_SECRET_KEY (≥ 32 characters, none a known placeholder)');
  });

  it('fails a short secret with its length next to the minimum', () => {
    const v = evaluateStrength(assessAll(['SESSION_SECRET_KEY'], { SESSION_SECRET_KEY: 'a8F3kq9Zx1' }, opts), 32);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('SESSION_SECRET_KEY is 10 characters long, shorter than the required 32');
  });

  it('fails placeholders and low-variety values even when long', () => {
    const v = evaluateStrength(assessAll(['A', 'B'], { A: 'your-session-secret-key-goes-here-please', B: 'abababababababababababababababababab' }, opts), 32);
    expect(v.message).toContain('A is a known placeholder or default value');
    expect(v.message).toContain('B uses only 2 distinct characters');
  });

  it('reports a shared value once, on the later name; can be turned off', () => {
    const same = strong();
    const v = evaluateStrength(assessAll(['SESSION_SECRET_KEY', 'CSRF_SECRET_KEY'], { SESSION_SECRET_KEY: same, CSRF_SECRET_KEY: same }, opts), 32);
    expect(v.message).toBe('CSRF_SECRET_KEY has the same value as SESSION_SECRET_KEY');
    expect(evaluateStrength(assessAll(['S', 'C'], { S: same, C: same }, { ...opts, distinct: false }), 32).status).toBe('pass');
  });

  it('fails unset required secrets, skips unset optional ones', () => {
    expect(evaluateStrength(assessAll(['S', 'C'], { S: strong() }, opts), 32).message).toBe('C is not set');
    expect(evaluateStrength(assessAll(['S', 'C'], { S: strong() }, { ...opts, optional: ['C'] }), 32).status).toBe('pass');
  });
});

describe('secrets.strength run', () => {
  it('checks the checklist names by default and never shows a value', async () => {
    const weak = 'changeme-changeme-changeme-changeme';
    const logs: string[] = [];
    const v = await runCheck(check, {}, { env: { SESSION_SECRET_KEY: weak, CSRF_SECRET_KEY: 'Zx9' }, logs });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('SESSION_SECRET_KEY is a known placeholder');
    expect(v.message).toContain('CSRF_SECRET_KEY is 3 characters long, shorter than the required 32');
    const text = JSON.stringify(v) + logs.join('\n');
    expect(text).not.toContain(weak);
    expect(text).not.toContain('Zx9');
    expect(v.remediation).toContain('openssl rand -hex 32');
  });

  it('discovers *_SECRET variables but leaves provider keys alone', async () => {
    const env = {
      SESSION_SECRET_KEY: strong(),
      CSRF_SECRET_KEY: strong(),
      COOKIE_SECRET: 'short',
      STRIPE_WEBHOOK_SECRET: ['whsec', randomBytes(16).toString('hex')].join('_'),
      APP_NAME: 'x',
    };
    const v = await runCheck(check, { discover: true }, { env });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('COOKIE_SECRET is 5 characters long, shorter than the required 32');
    expect(Object.keys(v.evidence?.actual as object)).toEqual(['SESSION_SECRET_KEY', 'CSRF_SECRET_KEY', 'COOKIE_SECRET']);
  });

  it('takes a single name and a custom minimum', async () => {
    const v = await runCheck(check, { names: 'JWT_SECRET', min_length: '64' }, { env: { JWT_SECRET: strong() } });
    expect(v.status).toBe('pass');
    const w = await runCheck(check, { names: 'JWT_SECRET', min_length: 80 }, { env: { JWT_SECRET: strong() } });
    expect(w.message).toBe('JWT_SECRET is 64 characters long, shorter than the required 80');
  });
});
