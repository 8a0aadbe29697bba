import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateToken, extractToken, type TokenFacts } from '../../../checks/jwt/token.js';
import { closeHttpAgents } from '../../../src/net/http.js';
import { runCheck } from '../../support/run-check.js';
import { assertNoKeyMaterial, keyDir, keyPair } from '../../support/jwt-keys.js';
import { startJwtServer, type JwtServer } from '../../support/jwt-server.js';

const good = keyPair({ type: 'rsa', bits: 2048 });
const other = keyPair({ type: 'rsa', bits: 2048 }, 'other');
const NOW = 1_800_000_000;

const facts = (over: Partial<TokenFacts> = {}): TokenFacts => ({
  url: 'https://api.example.com/login',
  status: 200,
  tokenField: 'access_token',
  header: { alg: 'RS256', kid: 'k1' },
  claims: { iat: NOW, exp: NOW + 900 },
  signature: 'valid',
  keySource: '/k/pub.pem',
  keyFingerprint: 'SHA256:' + 'c'.repeat(64),
  now: NOW,
  algorithm: 'RS256',
  maxTtlSeconds: 900,
  ...over,
});

describe('evaluateToken (pure)', () => {
  it('passes an RS256 token living 15 minutes with a valid signature', () => {
    const v = evaluateToken(facts());
    expect(v.status).toBe('pass');
    expect(v.message).toBe('issued token is RS256, lives 15m and verifies with the configured public key');
  });

  it('fails a long lifetime with the basis of the computation', () => {
    expect(evaluateToken(facts({ claims: { iat: NOW, exp: NOW + 3600 } })).message).toBe('issued token lives 1h (exp - iat), above the maximum 15m');
    expect(evaluateToken(facts({ claims: { exp: NOW + 7200 } })).message).toContain('(exp - now, no iat claim)');
  });

  it('fails no exp, an expired token, a wrong alg and alg none', () => {
    expect(evaluateToken(facts({ claims: { iat: NOW } })).message).toContain('no exp claim: it never expires');
    expect(evaluateToken(facts({ claims: { iat: NOW - 100, exp: NOW - 10 } })).message).toContain('already expired');
    expect(evaluateToken(facts({ header: { alg: 'HS256' }, signature: 'unchecked' })).message).toBe('issued token is signed with HS256, expected RS256');
    const none = evaluateToken(facts({ header: { alg: 'none' }, signature: 'unchecked' }));
    expect(none.message).toContain('unsigned (alg=none)');
    expect(none.remediation).toContain('Critical');
  });

  it('fails a signature from another key, naming the key by fingerprint', () => {
    const v = evaluateToken(facts({ signature: 'invalid' }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('does not verify with the configured public key SHA256:cccc');
  });

  it('warns when the signature could not be checked, checks iss and aud', () => {
    expect(evaluateToken(facts({ signature: 'unchecked', keySource: undefined })).status).toBe('warn');
    expect(evaluateToken(facts({ issuer: 'https://auth', claims: { iat: NOW, exp: NOW + 60, iss: 'other' } })).message).toBe('issued token has iss=other, expected https://auth');
    expect(evaluateToken(facts({ audience: 'api', claims: { iat: NOW, exp: NOW + 60, aud: ['web', 'api'] } })).status).toBe('pass');
  });

  it('fails a long-lived token even when the public key could not be loaded, naming the signature as unchecked', () => {
    const v = evaluateToken(facts({ claims: { iat: NOW, exp: NOW + 3600 }, signature: 'unchecked', keySource: undefined, keyFingerprint: undefined, keyProblem: "cannot verify the token's signature: public key file /k/pub.pem does not exist" }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('issued token lives 1h (exp - iat), above the maximum 15m');
    expect(v.unchecked).toEqual(["cannot verify the token's signature: public key file /k/pub.pem does not exist"]);
    const fine = evaluateToken(facts({ signature: 'unchecked', keyProblem: "cannot verify the token's signature: public key file /k/pub.pem does not exist" }));
    expect(fine).toMatchObject({ status: 'error', message: "cannot verify the token's signature: public key file /k/pub.pem does not exist" });
    const down = evaluateToken(facts({ status: 503, statusText: 'Service Unavailable', keyProblem: 'cannot verify the token\'s signature: no key' }));
    expect(down).toMatchObject({ status: 'fail', unchecked: ["cannot verify the token's signature: no key"] });
  });

  it('keeps rejected requests (4xx) as could-not-check and server errors as failures', () => {
    expect(evaluateToken(facts({ status: 401, statusText: 'Unauthorized' }))).toMatchObject({ status: 'error', remediation: expect.stringContaining('Make the token request in the profile work') });
    expect(evaluateToken(facts({ status: 500, statusText: 'Internal Server Error' })).status).toBe('fail');
    expect(evaluateToken(facts({ fetchError: 'connection refused at 127.0.0.1:1' }))).toMatchObject({ status: 'error', remediation: expect.stringContaining('reachable from where the check runs') });
    expect(evaluateToken(facts({ notJwt: true })).message).toContain('is not a signed JWT');
  });
});

describe('extractToken', () => {
  it('finds the usual fields and nested ones, names fields present when absent', () => {
    expect(extractToken('{"access_token":"a.b.c"}')).toEqual({ token: 'a.b.c', field: 'access_token' });
    expect(extractToken('{"data":{"accessToken":"x"}}').field).toBe('data.accessToken');
    expect(extractToken('{"result":{"jwt":"x"}}', 'result.jwt').token).toBe('x');
    expect(extractToken('{"user":1,"ok":true}').problem).toContain('(fields present: user, ok)');
    expect(extractToken('<html>').problem).toContain('did not answer JSON');
  });
});

describe('jwt.token against a local token endpoint', () => {
  let server: JwtServer;
  const dir = keyDir();
  const password = 'hunter2-Very-Secret-Pass';
  const issued: string[] = [];

  const sign = async (key = good.privateKey, ttl = '15m', alg = 'RS256') => {
    const token = await new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg, kid: 'k1' }).setIssuedAt().setExpirationTime(ttl).sign(key);
    issued.push(token);
    return token;
  };

  beforeAll(async () => {
    server = await startJwtServer();
    dir.write('good.pub', good.publicPem, 0o644);
    server.routes.set('/login', async (req) => {
      const body = JSON.parse(req.body || '{}');
      if (body.password !== password) return { status: 401, body: { error: 'bad credentials' } };
      return { body: { access_token: await sign(), token_type: 'Bearer' } };
    });
    server.routes.set('/long', async () => ({ body: { access_token: await sign(good.privateKey, '1h') } }));
    server.routes.set('/wrongkey', async () => ({ body: { access_token: await sign(other.privateKey) } }));
    server.routes.set('/unsigned', () => {
      const token = new UnsecuredJWT({ sub: 'x' }).setIssuedAt().setExpirationTime('5m').encode();
      issued.push(token);
      return { body: { access_token: token } };
    });
    server.routes.set('/oauth', async (req) => {
      if (!req.body.includes('grant_type=password')) return { status: 400, body: { error: 'invalid_request' } };
      return { body: { data: { token: await sign() } } };
    });
    server.routes.set('/hang', () => 'hang');
  });
  afterAll(async () => {
    await closeHttpAgents();
    await server?.close();
    dir.cleanup();
  });

  async function run(params: Record<string, unknown>, timeoutMs = 5000) {
    const logs: string[] = [];
    const v = await runCheck(check, { allow_request: true, public_key: 'good.pub', ...params }, { baseDir: dir.dir, logs, timeoutMs });
    const text = JSON.stringify(v) + logs.join('\n');
    expect(text).not.toContain(password);
    for (const token of issued) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2] || 'never');
    }
    assertNoKeyMaterial(text, good.privatePem, other.privatePem);
    return v;
  }

  it('sends nothing without the opt-in', async () => {
    const before = server.requests.length;
    const v = await runCheck(check, { url: `${server.url}/login` }, { baseDir: dir.dir });
    expect(v.status).toBe('skip');
    expect(v.message).toContain('allow_request: true');
    expect(server.requests.length).toBe(before);
  });

  it('passes a good login and posts the body as JSON', async () => {
    const v = await run({ url: `${server.url}/login`, body: { email: 'qa@example.com', password } });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toMatchObject({ tokenField: 'access_token', ttlSeconds: 900, signature: 'valid', header: { alg: 'RS256', kid: 'k1' } });
    expect(server.requests.at(-1)?.headers['content-type']).toBe('application/json');
  });

  it('errors when the login is rejected, without showing the credentials', async () => {
    const v = await run({ url: `${server.url}/login`, body: { password: 'wrong' } });
    expect(v.status).toBe('error');
    expect(v.message).toContain('answered HTTP 401 Unauthorized');
  });

  it('fails a token living an hour, one signed by another key, and an unsigned one', async () => {
    expect((await run({ url: `${server.url}/long` })).message).toContain('lives 1h (exp - iat), above the maximum 15m');
    expect((await run({ url: `${server.url}/wrongkey` })).message).toContain('signature does not verify with the configured public key');
    const u = await run({ url: `${server.url}/unsigned` });
    expect(u.status).toBe('fail');
    expect(u.message).toContain('unsigned (alg=none)');
  });

  it('fails a token living an hour although the configured public key file is missing, naming the signature as unchecked', async () => {
    const v = await run({ url: `${server.url}/long`, public_key: 'gone.pub' });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('issued token lives 1h (exp - iat), above the maximum 15m');
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(/^cannot verify the token's signature: .*gone\.pub does not exist$/);
  });

  it('sends a form body and finds a nested token', async () => {
    const v = await run({ url: `${server.url}/oauth`, form: true, body: { grant_type: 'password', username: 'qa', password } });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toMatchObject({ tokenField: 'data.token' });
  });

  it('ends with error when the endpoint never answers', async () => {
    const v = await run({ url: `${server.url}/hang` }, 700);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/127\.0\.0\.1:\d+ did not answer within 700ms \(waiting for the response\)/);
    expect(v.remediation).toMatch(/this host can reach it/);
  });
});
