import { describe, expect, it } from 'vitest';
import check, { evaluatePolicy, parseTtl, unitFromName, type PolicyFacts } from '../../../checks/jwt/policy.js';
import { runCheck } from '../../support/run-check.js';

describe('parseTtl', () => {
  it.each([
    ['900', 1, 900],
    ['15', 60, 900],
    ['15m', 1, 900],
    ['15min', 1, 900],
    ['15 minutes', 1, 900],
    ['1h', 1, 3600],
    ['1h30m', 1, 5400],
    ['1 hour 30 minutes', 1, 5400],
    ['7d', 1, 604_800],
    ['7 days', 1, 604_800],
    ['1w', 1, 604_800],
    ['PT15M', 1, 900],
    ['P7D', 1, 604_800],
    ['"15m"', 1, 900],
    ['0', 60, 0],
  ])('%s (bare unit %d s) is %d s', (text, unit, seconds) => {
    expect(parseTtl(text, unit)).toBe(seconds);
  });

  it.each(['soon', '15 fortnights', '-5', '', 'PT', '15m extra'])('%j is not a duration', (text) => {
    expect(parseTtl(text)).toBeUndefined();
  });

  it('takes the unit of a bare number from the variable name', () => {
    expect(unitFromName('ACCESS_TOKEN_EXPIRE_MINUTES')).toBe(60);
    expect(unitFromName('REFRESH_TOKEN_EXPIRE_DAYS')).toBe(86_400);
    expect(unitFromName('JWT_TTL_HOURS')).toBe(3600);
    expect(unitFromName('JWT_EXPIRES_IN')).toBe(1);
    expect(unitFromName('ADMINISTRATOR_TTL')).toBe(1);
  });
});

const facts = (over: Partial<PolicyFacts>): PolicyFacts => ({
  access: { source: 'ACCESS_TOKEN_EXPIRE_MINUTES', raw: '15', seconds: 900 },
  refresh: { source: 'REFRESH_TOKEN_EXPIRE_DAYS', raw: '7', seconds: 604_800 },
  algorithm: { source: 'JWT_ALGORITHM', raw: 'RS256' },
  lookedAt: { access: ['A1', 'A2'], refresh: ['R1'], algorithm: ['JWT_ALGORITHM'] },
  maxAccessSeconds: 900,
  maxRefreshSeconds: 604_800,
  allowedAlgorithms: ['RS256', 'ES256', 'HS256'],
  requireAsymmetric: true,
  requireRefresh: true,
  ...over,
});

describe('evaluatePolicy (pure)', () => {
  it('passes the checklist values', () => {
    const v = evaluatePolicy(facts({}));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('access token lifetime 15m, refresh token lifetime 7d, algorithm RS256');
  });

  it('fails a long access token with actual and maximum', () => {
    const v = evaluatePolicy(facts({ access: { source: 'ACCESS_TOKEN_EXPIRE_MINUTES', raw: '60', seconds: 3600 } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('access token lifetime 1h (ACCESS_TOKEN_EXPIRE_MINUTES=60) is above the maximum 15m');
  });

  it('fails a long refresh token, a zero lifetime and an unreadable one', () => {
    expect(evaluatePolicy(facts({ refresh: { source: 'R', raw: '30d', seconds: 30 * 86_400 } })).message).toContain('refresh token lifetime 30d (R=30d) is above the maximum 7d');
    expect(evaluatePolicy(facts({ access: { source: 'A', raw: '0', seconds: 0 } })).message).toContain('never expire');
    expect(evaluatePolicy(facts({ access: { source: 'A', raw: 'soon' } })).message).toContain('A="soon" is not a duration');
  });

  it('fails missing settings and names the variables looked at', () => {
    const v = evaluatePolicy(facts({ access: undefined }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('access token lifetime is not configured: none of A1, A2 is set (expected ≤ 15m)');
    expect(v.remediation).toContain('access_ttl');
    expect(evaluatePolicy(facts({ refresh: undefined, requireRefresh: false })).status).toBe('pass');
    expect(evaluatePolicy(facts({ algorithm: undefined })).message).toContain('JWT algorithm is not configured');
  });

  it('rejects none always, HS256 when asymmetric is required, and unlisted algorithms', () => {
    expect(evaluatePolicy(facts({ algorithm: { source: 'JWT_ALGORITHM', raw: 'none' } })).message).toContain('accepts unsigned tokens');
    const hs = evaluatePolicy(facts({ algorithm: { source: 'JWT_ALGORITHM', raw: 'HS256' } }));
    expect(hs.status).toBe('fail');
    expect(hs.message).toContain('HS256 is a shared-secret (HMAC) algorithm, but an asymmetric one is required (RS256, ES256)');
    expect(evaluatePolicy(facts({ algorithm: { source: 'a', raw: 'HS256' }, requireAsymmetric: false })).status).toBe('pass');
    expect(evaluatePolicy(facts({ algorithm: { source: 'a', raw: 'PS256' } })).message).toContain('PS256 is not one of the allowed RS256, ES256, HS256');
  });

  it('lists every problem in one line', () => {
    const v = evaluatePolicy(facts({ access: { source: 'A', raw: '1h', seconds: 3600 }, algorithm: { source: 'B', raw: 'HS512' } }));
    expect(v.message.split('; ')).toHaveLength(2);
  });
});

describe('jwt.policy run', () => {
  it('reads the usual environment spellings', async () => {
    const v = await runCheck(check, {}, { env: { ACCESS_TOKEN_EXPIRE_MINUTES: '15', REFRESH_TOKEN_EXPIRE_DAYS: '7', JWT_ALGORITHM: 'RS256' } });
    expect(v.status).toBe('pass');
    const w = await runCheck(check, {}, { env: { JWT_ACCESS_TTL: '15m', JWT_REFRESH_TTL: '14d', JWT_ALGORITHM: 'ES256' } });
    expect(w.status).toBe('fail');
    expect(w.message).toBe('refresh token lifetime 14d (JWT_REFRESH_TTL=14d) is above the maximum 7d');
    const x = await runCheck(check, {}, { env: { JWT_EXPIRES_IN: '900', JWT_REFRESH_EXPIRES_IN: '604800', JWT_ALG: 'RS256' } });
    expect(x.status).toBe('pass');
  });

  it('prefers given values, accepts custom limits and variable names', async () => {
    const v = await runCheck(check, { access_ttl: '30m', refresh_ttl: 86_400, algorithm: 'RS256', max_access_ttl: '1h' }, { env: { ACCESS_TOKEN_EXPIRE_MINUTES: '999' } });
    expect(v.status).toBe('pass');
    const w = await runCheck(check, { access_ttl_env: ['MY_APP_ACCESS_MINUTES'], require_refresh: 'false', algorithm: 'RS256' }, { env: { MY_APP_ACCESS_MINUTES: '20' } });
    expect(w.message).toBe('access token lifetime 20m (MY_APP_ACCESS_MINUTES=20) is above the maximum 15m');
  });

  it('warns when a bare number read as seconds is implausibly short (minutes given without a unit)', async () => {
    // `access_ttl: ${ACCESS_TOKEN_EXPIRE_MINUTES}` interpolates to "60": one hour, not one minute.
    const v = await runCheck(check, { access_ttl: '60', refresh_ttl: '7d', algorithm: 'RS256' });
    expect(v.status).toBe('warn');
    expect(v.message).toBe('access token lifetime parameter access_ttl=60 is read as 60 seconds (a bare number has no unit), unusually short; if it means minutes, write 60m');
    expect((await runCheck(check, {}, { env: { JWT_EXPIRES_IN: '15', JWT_REFRESH_TTL: '7d', JWT_ALG: 'RS256' } })).status).toBe('warn');
    // a unit in the value or in the variable name is not a guess
    expect((await runCheck(check, { access_ttl: '45s', refresh_ttl: '7d', algorithm: 'RS256' })).status).toBe('pass');
    expect((await runCheck(check, {}, { env: { ACCESS_TOKEN_EXPIRE_SECONDS: '30', JWT_REFRESH_TTL: '7d', JWT_ALG: 'RS256' } })).status).toBe('pass');
    expect((await runCheck(check, { access_ttl: 900, refresh_ttl: '7d', algorithm: 'RS256' })).status).toBe('pass');
  });

  it('rejects unknown parameters', async () => {
    await expect(runCheck(check, { max_access: '15m' })).rejects.toThrow(/bad params/);
  });
});
