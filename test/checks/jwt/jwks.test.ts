import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateJwks, summarizeJwk, type JwksFacts } from '../../../checks/jwt/jwks.js';
import { fingerprint } from '../../../src/keys/keys.js';
import { closeHttpAgents } from '../../../src/net/http.js';
import { runCheck } from '../../support/run-check.js';
import { assertNoKeyMaterial, keyDir, keyPair } from '../../support/jwt-keys.js';
import { startJwtServer, type JwtServer } from '../../support/jwt-server.js';
import { makeCa, makeCert } from '../../support/certs.js';

const good = keyPair({ type: 'rsa', bits: 2048 });
const other = keyPair({ type: 'rsa', bits: 2048 }, 'other');
const ec = keyPair({ type: 'ec', curve: 'P-256' });
const pubJwk = (k = good, extra: object = {}) => ({ ...k.publicKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', ...extra });
const privJwk = (k = good, extra: object = {}) => ({ ...k.privateKey.export({ format: 'jwk' }), ...extra });
const jwkValues = (k = good) => Object.values(k.privateKey.export({ format: 'jwk' })).filter((v): v is string => typeof v === 'string' && v.length > 20);

const facts = (body: unknown, over: Partial<JwksFacts> = {}): JwksFacts => ({
  url: 'https://auth.example.com/.well-known/jwks.json',
  status: 200,
  contentType: 'application/json',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  expected: { source: '/k/pub.pem', fingerprint: fingerprint(good.publicKey) },
  ...over,
});

describe('summarizeJwk', () => {
  it('fingerprints a public JWK the same as the PEM key, and names private members only', () => {
    const s = summarizeJwk(privJwk(good, { kid: 'k1' }), 0);
    expect(s.fingerprint).toBe(fingerprint(good.publicKey));
    expect(s.privateMembers).toEqual(['d', 'p', 'q', 'dp', 'dq', 'qi']);
    expect(summarizeJwk({ kty: 'oct', k: 'abc' }, 1).privateMembers).toEqual(['k']);
    expect(summarizeJwk({ kty: 'RSA', e: 'AQAB' }, 2).invalid).toContain('not a valid public RSA key');
    expect(summarizeJwk('nope', 3).invalid).toBe('not a JSON object');
  });
});

describe('evaluateJwks (pure)', () => {
  it('passes a set holding the configured key with its kid', () => {
    const v = evaluateJwks(facts({ keys: [pubJwk(other, { kid: 'old' }), pubJwk(good, { kid: 'current' })] }, { kid: 'current' }));
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/^JWKS has 2 keys; kid=current is the configured public key SHA256:/);
  });

  it('fails when the configured key is absent, naming the kids present', () => {
    const v = evaluateJwks(facts({ keys: [pubJwk(other, { kid: 'old' })] }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('none of the 1 keys in the JWKS (kid=old) is the configured public key SHA256:');
  });

  it('fails when the key is there under another kid', () => {
    const v = evaluateJwks(facts({ keys: [pubJwk(good, { kid: 'a' })] }, { kid: 'b' }));
    expect(v.message).toBe('the configured public key is published under kid=a, expected kid=b');
  });

  it('fails critically on private members without showing them', () => {
    const v = evaluateJwks(facts({ keys: [privJwk(good, { kid: 'leak' })] }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('publishes PRIVATE key material: key kid=leak has d, p, q, dp, dq, qi');
    expect(v.remediation).toContain('Critical');
    const text = JSON.stringify(v);
    for (const value of jwkValues()) expect(text).not.toContain(value);
    expect(evaluateJwks(facts({ keys: [{ kty: 'oct', k: 'c2VjcmV0c2VjcmV0c2VjcmV0', kid: 'hmac' }] })).message).toContain('key kid=hmac has k');
  });

  it('fails non-2xx, non-JSON and shapeless answers; errors when the fetch failed', () => {
    expect(evaluateJwks(facts('', { status: 404, statusText: 'Not Found' })).message).toBe(
      'JWKS URL https://auth.example.com/.well-known/jwks.json answered HTTP 404 Not Found; expected 200 with a JSON Web Key Set',
    );
    expect(evaluateJwks(facts('<html>', { contentType: 'text/html' })).message).toContain('did not answer JSON (content-type text/html)');
    expect(evaluateJwks(facts({ key: [] })).message).toContain('has no "keys" array');
    expect(evaluateJwks(facts({ keys: [] })).message).toContain('is empty');
    const e = evaluateJwks(facts('', { fetchError: 'connection refused at 127.0.0.1:1' }));
    expect(e.status).toBe('error');
  });

  it('fails a configured key that is not there even when the JWKS could not be fetched, naming the fetch as unchecked', () => {
    const v = evaluateJwks(facts('', { fetchError: 'connection refused at 127.0.0.1:1', expected: { source: '/k/pub.pem', problem: 'public key file /k/pub.pem does not exist' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('public key file /k/pub.pem does not exist');
    expect(v.unchecked).toEqual(['could not fetch JWKS from https://auth.example.com/.well-known/jwks.json: connection refused at 127.0.0.1:1']);
    expect(v.remediation).toContain('reachable from where the check runs');
  });
  it('fails a leaking JWKS even when the configured key could not be read, naming the key as unchecked', () => {
    const v = evaluateJwks(facts({ keys: [privJwk(good, { kid: 'leak' })] }, { expected: { source: '/k/pub.pem', problem: 'no permission to read public key file /k/pub.pem', problemIsError: true } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('publishes PRIVATE key material');
    expect(v.unchecked).toEqual(['no permission to read public key file /k/pub.pem']);
    // Nothing wrong in the set, key unreadable: could not check.
    expect(evaluateJwks(facts({ keys: [pubJwk(good)] }, { expected: { source: '/k/pub.pem', problem: 'no permission to read public key file /k/pub.pem', problemIsError: true } }))).toMatchObject({
      status: 'error',
      message: 'no permission to read public key file /k/pub.pem',
    });
  });

  it('without a configured key, checks structure and kid only', () => {
    expect(evaluateJwks(facts({ keys: [pubJwk(good, { kid: 'a' })] }, { expected: undefined })).status).toBe('pass');
    expect(evaluateJwks(facts({ keys: [pubJwk(good, { kid: 'a' })] }, { expected: undefined, kid: 'z' })).message).toContain('no key with kid=z (kids: a)');
  });

  it('warns on use=enc and on an unusable extra key', () => {
    expect(evaluateJwks(facts({ keys: [pubJwk(good, { use: 'enc' })] })).status).toBe('warn');
    const v = evaluateJwks(facts({ keys: [pubJwk(good), { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'broken' }] }));
    expect(v.status).toBe('warn');
    expect(v.message).toContain('kid=broken is not a valid public EC key');
  });
});

describe('jwt.jwks against a local server', () => {
  let http: JwtServer;
  let https: JwtServer;
  const dir = keyDir();
  let caPath: string;

  beforeAll(async () => {
    http = await startJwtServer();
    const ca = await makeCa();
    const leaf = await makeCert({ commonName: '127.0.0.1', altNames: ['127.0.0.1'], issuer: ca });
    https = await startJwtServer({ key: leaf.keyPem, cert: leaf.chainPem });
    caPath = dir.write('ca.pem', ca.certPem, 0o644);
    dir.write('good.pub', good.publicPem, 0o644);
    dir.write('good.pem', good.privatePem);
    http.routes.set('/good', () => ({ body: { keys: [pubJwk(other, { kid: 'old' }), pubJwk(good, { kid: 'k2' })] } }));
    http.routes.set('/mismatch', () => ({ body: { keys: [pubJwk(other, { kid: 'k2' }), pubJwk(ec, { kid: 'ec' })] } }));
    http.routes.set('/leak', () => ({ body: { keys: [privJwk(good, { kid: 'k2' })] } }));
    http.routes.set('/html', () => ({ body: '<html>login</html>', headers: { 'content-type': 'text/html' } }));
    http.routes.set('/hang', () => 'hang');
    https.routes.set('/.well-known/jwks.json', () => ({ body: { keys: [pubJwk(good, { kid: 'k2' })] } }));
  });
  afterAll(async () => {
    await closeHttpAgents();
    await http?.close();
    await https?.close();
    dir.cleanup();
  });

  async function run(params: Record<string, unknown>, env: Record<string, string> = {}, timeoutMs = 5000) {
    const logs: string[] = [];
    const v = await runCheck(check, params, { baseDir: dir.dir, env, logs, timeoutMs });
    const text = JSON.stringify(v) + logs.join('\n');
    assertNoKeyMaterial(text, good.privatePem, other.privatePem);
    for (const value of jwkValues()) expect(text).not.toContain(value);
    return v;
  }

  it('passes a good set over HTTP', async () => {
    const v = await run({ url: `${http.url}/good`, public_key: 'good.pub', kid: 'k2' });
    expect(v.status).toBe('pass');
    expect(http.requests.at(-1)?.method).toBe('GET');
  });

  it('takes the public half of JWT_PRIVATE_KEY_PATH when no public key is configured', async () => {
    const v = await run({ url: `${http.url}/good` }, { JWT_PRIVATE_KEY_PATH: `${dir.dir}/good.pem` });
    expect(v.status).toBe('pass');
    expect(v.evidence?.expected).toMatchObject({ fingerprint: fingerprint(good.publicKey) });
  });

  it('fails a set without the configured key', async () => {
    const v = await run({ url: `${http.url}/mismatch`, public_key: 'good.pub' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('none of the 2 keys in the JWKS (kid=k2, kid=ec) is the configured public key');
  });

  it('fails critically on a private key in the set and shows no material', async () => {
    const v = await run({ url: `${http.url}/leak`, public_key: 'good.pub' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('PRIVATE key material');
  });

  it('fails 404 and HTML answers', async () => {
    expect((await run({ url: `${http.url}/missing`, public_key: 'good.pub' })).message).toContain('answered HTTP 404 Not Found');
    expect((await run({ url: `${http.url}/html`, public_key: 'good.pub' })).message).toContain('did not answer JSON (content-type text/html)');
  });

  it('errors (does not hang) when the server never answers, and when nothing listens', async () => {
    const v = await run({ url: `${http.url}/hang`, public_key: 'good.pub' }, {}, 800);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^could not fetch JWKS from http:\/\/127\.0\.0\.1:\d+\/hang: 127\.0\.0\.1:\d+ did not answer within 800ms \(waiting for the response\)$/);
    expect(v.remediation).toMatch(/this host can reach it/);
    const r = await run({ url: 'http://127.0.0.1:1/jwks.json', public_key: 'good.pub' });
    expect(r.status).toBe('error');
    expect(r.message).toBe('could not fetch JWKS from http://127.0.0.1:1/jwks.json: connection refused at 127.0.0.1:1');
    expect(r.remediation).toBe('Check that the service is running and listening at 127.0.0.1:1, and that this host can reach it (firewall, security group, VPN, the host and port in the configuration).');
  });

  it('fails a configured public key file that does not exist although the JWKS URL refuses the connection', async () => {
    const v = await run({ url: 'http://127.0.0.1:1/jwks.json', public_key: 'gone.pub' });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/gone\.pub does not exist$/);
    expect(v.unchecked).toEqual(['could not fetch JWKS from http://127.0.0.1:1/jwks.json: connection refused at 127.0.0.1:1']);
  });

  it('passes over HTTPS with the private CA, fails without trusting it (an untrusted certificate is a finding)', async () => {
    const v = await run({ url: `${https.url}/.well-known/jwks.json`, public_key: 'good.pub', kid: 'k2', ca: 'ca.pem' });
    expect(v.status).toBe('pass');
    const u = await run({ url: `${https.url}/.well-known/jwks.json`, public_key: 'good.pub' });
    expect(u.status).toBe('fail');
    expect(caPath).toBeTruthy();
  });
});
