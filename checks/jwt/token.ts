// jwt.token (ACTIVE, opt-in): asks the token endpoint for a real access token (a login request from
// the profile) and checks what it issues: algorithm, lifetime (exp - iat) and signature against the
// configured public key. Nothing is sent unless `allow_request: true`.
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, notOptedIn, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish, duration } from '../../src/params.js';
import { displayUrl, httpRequest, HttpRequestError } from '../../src/net/http.js';
import { failureVerdict, type Failure } from '../../src/net/failure.js';
import { algorithmFamily, describeSource, fingerprint, loadKey, pickKeyInput, type LoadedKey } from '../../src/keys/keys.js';
import { loadJose } from '../../src/sdk.js';

export const DEFAULT_TOKEN_FIELDS = ['access_token', 'accessToken', 'token', 'jwt', 'id_token', 'data.access_token', 'data.accessToken', 'data.token'];

const params = z
  .object({
    allow_request: boolish().default(false).describe('Opt-in: this check sends a real request (usually a login) to the token endpoint. Nothing is sent unless this is true.'),
    url: z.string().url().describe('Endpoint that issues tokens, e.g. https://api.example.com/api/auth/login.'),
    method: z.enum(['POST', 'GET', 'PUT']).default('POST').describe('HTTP method of the token request.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Request headers (values are never shown).'),
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional().describe('Request body: an object is sent as JSON, a string as is. Use ${VAR} for credentials; they are never shown.'),
    form: boolish().default(false).describe('Send an object body as application/x-www-form-urlencoded instead of JSON (OAuth token endpoints).'),
    token_field: z.string().optional().describe(`Dotted path of the token in the JSON response; default: the first present of ${DEFAULT_TOKEN_FIELDS.join(', ')}.`),
    algorithm: z.string().default('RS256').describe('Algorithm the token must be signed with.'),
    max_ttl: duration().default(900_000).describe('Longest acceptable access token lifetime, exp - iat (checklist: 15m).'),
    public_key: z.string().optional().describe('Path of the public key the signature must verify with. Default: $JWT_PUBLIC_KEY_PATH, else the public half of $JWT_PRIVATE_KEY_PATH.'),
    public_key_env: z.string().optional().describe('Name of an environment variable holding the public key PEM. Default: JWT_PUBLIC_KEY.'),
    issuer: z.string().optional().describe('Expected `iss` claim.'),
    audience: z.string().optional().describe('Expected value in the `aud` claim.'),
    ca: z.string().optional().describe('PEM file of a private CA to trust for the HTTPS request.'),
    insecure: boolish().default(false).describe('Skip TLS certificate verification (self-signed development endpoints only).'),
  })
  .strict();

export interface TokenFacts {
  url: string;
  fetchError?: string;
  /** The shared failure (src/net/failure.ts) when the request failed on the network or TLS. */
  fetchFailure?: Failure;
  status?: number;
  statusText?: string;
  /** Problem reading the response: not JSON, or no token field. */
  responseProblem?: string;
  tokenField?: string;
  /** True when the value found was not a compact JWS. */
  notJwt?: boolean;
  header?: Pick<ProtectedHeaderParameters, 'alg' | 'kid' | 'typ'>;
  claims?: Pick<JWTPayload, 'iat' | 'exp' | 'nbf' | 'iss' | 'aud'>;
  /** valid / invalid against the configured key; `unchecked` when no key was configured or the alg does not fit. */
  signature?: 'valid' | 'invalid' | 'unchecked';
  keySource?: string;
  keyFingerprint?: string;
  keyProblem?: string;
  /** Seconds since the epoch when the token was received. */
  now: number;
  algorithm: string;
  maxTtlSeconds: number;
  issuer?: string;
  audience?: string;
}

const human = (seconds: number) => formatDuration(seconds * 1000);

/** Pure decision: what the endpoint issued in, verdict out. */
export function evaluateToken(f: TokenFacts): Verdict {
  // A key that could not be loaded only leaves the signature unchecked: what the token shows is still judged.
  const keyPart = f.keyProblem ? error(f.keyProblem) : undefined;
  const withKey = (v: Verdict): Verdict => (keyPart ? combine([v, keyPart], v.message, v.evidence) : v);
  if (f.fetchFailure) return withKey(failureVerdict(f.fetchFailure, `could not get a token from ${f.url}: `));
  if (f.fetchError) {
    return withKey({
      ...error(`could not get a token from ${f.url}: ${f.fetchError}`),
      remediation: 'Check that the service is up and that this URL is reachable from where the check runs (DNS, firewall, TLS: give `ca` for a private CA); then run the check again.',
    });
  }
  const status = f.status ?? 0;
  if (status >= 400 && status < 500) {
    return withKey({
      ...error(`token endpoint ${f.url} answered HTTP ${status}${f.statusText ? ` ${f.statusText}` : ''}: the request in the profile was rejected (check url, body and the test credentials)`),
      remediation: 'Make the token request in the profile work: the method, url, headers and body (form: true for OAuth token endpoints) of a login the service accepts, with a test account whose credentials come from ${VARS}.',
    });
  }
  if (status < 200 || status > 299) {
    return withKey(fail(`token endpoint ${f.url} answered HTTP ${status}${f.statusText ? ` ${f.statusText}` : ''}; expected 2xx with a token`, { expected: '2xx', actual: status }));
  }
  if (f.responseProblem) return withKey(fail(f.responseProblem));
  if (f.notJwt) return withKey(fail(`the token in "${f.tokenField}" is not a signed JWT (expected three base64url parts signed with ${f.algorithm})`));

  const h = f.header ?? {};
  const c = f.claims ?? {};
  const parts: Verdict[] = [];
  if (!h.alg || h.alg.toLowerCase() === 'none') {
    parts.push(fail(`issued token is unsigned (alg=${h.alg ?? 'missing'}); expected ${f.algorithm}`, undefined, 'Critical: the service issues unsigned tokens. Sign tokens with the configured private key and reject alg=none when verifying.'));
  } else if (h.alg !== f.algorithm) {
    parts.push(fail(`issued token is signed with ${h.alg}, expected ${f.algorithm}`));
  }
  let ttl: number | undefined;
  if (typeof c.exp !== 'number') {
    parts.push(fail(`issued token has no exp claim: it never expires (expected a lifetime ≤ ${human(f.maxTtlSeconds)})`));
  } else {
    ttl = typeof c.iat === 'number' ? c.exp - c.iat : c.exp - f.now;
    const basis = typeof c.iat === 'number' ? 'exp - iat' : 'exp - now, no iat claim';
    if (c.exp <= f.now) parts.push(fail(`issued token is already expired (exp ${new Date(c.exp * 1000).toISOString()}); check the server clock and the lifetime setting`));
    else if (ttl > f.maxTtlSeconds) parts.push(fail(`issued token lives ${human(ttl)} (${basis}), above the maximum ${human(f.maxTtlSeconds)}`));
  }
  if (f.issuer !== undefined && c.iss !== f.issuer) parts.push(fail(`issued token has iss=${c.iss ?? '(none)'}, expected ${f.issuer}`));
  if (f.audience !== undefined) {
    const aud = Array.isArray(c.aud) ? c.aud : c.aud !== undefined ? [c.aud] : [];
    if (!aud.includes(f.audience)) parts.push(fail(`issued token has aud=${aud.join(',') || '(none)'}, expected ${f.audience}`));
  }
  if (f.signature === 'invalid') {
    parts.push(
      fail(
        `issued token's signature does not verify with the configured public key ${f.keyFingerprint?.slice(0, 23)}… from ${f.keySource}`,
        undefined,
        'The service signs with a different key than the one deployed for verification: deploy the matching pair (see jwt.keys) and publish its public half in the JWKS.',
      ),
    );
  } else if (keyPart) {
    parts.push(keyPart);
  } else if (f.signature !== 'valid' && !parts.length) {
    parts.push(warn(`signature not checked: ${f.keySource ? `the token's ${h.alg} does not fit the key from ${f.keySource}` : 'no public key configured (set public_key or JWT_PUBLIC_KEY_PATH)'}`));
  }
  const evidence = {
    expected: { alg: f.algorithm, maxTtlSeconds: f.maxTtlSeconds, issuer: f.issuer, audience: f.audience, keyFingerprint: f.keyFingerprint },
    actual: { tokenField: f.tokenField, header: h, claims: { iat: c.iat, exp: c.exp, nbf: c.nbf, iss: c.iss, aud: c.aud }, ttlSeconds: ttl, signature: f.signature },
  };
  return combine(parts, `issued token is ${h.alg}, lives ${ttl !== undefined ? human(ttl) : '?'} and verifies with the configured public key`, evidence);
}

/** Reads a dotted path (`data.access_token`) from parsed JSON. */
function at(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const key of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Finds the token in a response body; never returns more than the field name on failure. */
export function extractToken(body: string, field?: string): { token?: string; field?: string; problem?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { problem: 'token endpoint did not answer JSON; expected e.g. {"access_token": "…"}' };
  }
  const fields = field ? [field] : DEFAULT_TOKEN_FIELDS;
  for (const f of fields) {
    const value = at(doc, f);
    if (typeof value === 'string' && value) return { token: value, field: f };
  }
  const present = doc && typeof doc === 'object' ? Object.keys(doc).slice(0, 10).join(', ') : typeof doc;
  return { problem: `token endpoint response has no token at ${fields.join(', ')} (fields present: ${present || 'none'}); set token_field` };
}

export default defineCheck({
  meta: {
    type: 'jwt.token',
    title: 'Issued access tokens have the expected algorithm, lifetime and signature',
    failureTitle: 'Issued access tokens break the token policy',
    description:
      'ACTIVE, opt-in (allow_request: true): sends the token request from the profile (usually a login with a test account) and inspects the access token the service really issues — configuration can say 15 minutes and RS256 while the code does something else. Checks alg, exp - iat and the signature against the configured public key. The token and the request body are never shown.',
    remediation: 'Make the service issue tokens signed with the configured private key and algorithm (RS256), with an exp at most 15 minutes after iat.',
    docs: 'docs/checks.md#jwt-token',
    active: true,
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    if (!p.allow_request) return notOptedIn('not sent: jwt.token sends a real token request; set allow_request: true to opt in');
    const url = displayUrl(p.url);
    const facts: TokenFacts = { url, now: Math.floor(Date.now() / 1000), algorithm: p.algorithm, maxTtlSeconds: p.max_ttl / 1000, issuer: p.issuer, audience: p.audience };

    let input = pickKeyInput(p.public_key, p.public_key_env, ctx.env, 'JWT_PUBLIC_KEY_PATH', 'JWT_PUBLIC_KEY');
    let want: 'public' | 'private' = 'public';
    if (!input.path && !input.envName) {
      input = pickKeyInput(undefined, undefined, ctx.env, 'JWT_PRIVATE_KEY_PATH', 'JWT_PRIVATE_KEY');
      want = 'private';
    }
    const key: LoadedKey | undefined = await loadKey(input, want, { baseDir: ctx.baseDir, env: ctx.env });
    // A key that does not load leaves only the signature unchecked: the token is still requested and judged.
    if (key && !key.key) facts.keyProblem = `cannot verify the token's signature: ${key.problemMessage}`;
    if (key?.key) {
      facts.keySource = describeSource(key.source);
      facts.keyFingerprint = fingerprint(key.key);
    }

    const headers: Record<string, string> = { accept: 'application/json', ...p.headers };
    let body: string | undefined;
    if (typeof p.body === 'string') body = p.body;
    else if (p.body) {
      const form = p.form;
      body = form
        ? new URLSearchParams(Object.entries(p.body).map(([k, v]) => [k, String(v)])).toString()
        : JSON.stringify(p.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
      }
    }
    let ca: Buffer | undefined;
    if (p.ca) {
      try {
        ca = await readFile(isAbsolute(p.ca) ? p.ca : resolve(ctx.baseDir, p.ca));
      } catch (err) {
        return error(`could not read CA file ${p.ca} (${(err as { code?: string }).code ?? 'error'})`);
      }
    }
    let token: string | undefined;
    try {
      const res = await httpRequest(p.url, { method: p.method, headers, body, timeoutMs: ctx.timeoutMs, signal: ctx.signal, ca, insecure: p.insecure });
      facts.status = res.status;
      facts.statusText = res.statusText;
      facts.now = Math.floor(Date.now() / 1000);
      if (res.status >= 200 && res.status < 300) {
        const found = extractToken(res.body, p.token_field);
        facts.responseProblem = found.problem;
        facts.tokenField = found.field;
        token = found.token;
      }
    } catch (err) {
      facts.fetchError = err instanceof HttpRequestError ? err.message : 'request failed';
      if (err instanceof HttpRequestError && err.failure) facts.fetchFailure = err.failure;
    }

    if (token) {
      const { compactVerify, decodeJwt, decodeProtectedHeader } = await loadJose();
      try {
        const header = decodeProtectedHeader(token);
        const claims = decodeJwt(token);
        facts.header = { alg: header.alg, kid: header.kid, typ: header.typ };
        facts.claims = { iat: claims.iat, exp: claims.exp, nbf: claims.nbf, iss: claims.iss, aud: claims.aud };
      } catch {
        facts.notJwt = true;
      }
      if (!facts.notJwt) {
        facts.signature = 'unchecked';
        const alg = facts.header?.alg;
        const family = alg ? algorithmFamily(alg) : undefined;
        if (key?.key && alg && family && family.keyTypes.includes(key.key.asymmetricKeyType ?? '')) {
          try {
            await compactVerify(token, key.key, { algorithms: [alg] });
            facts.signature = 'valid';
          } catch (err) {
            const code = (err as { code?: string }).code;
            facts.signature = code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'invalid' : 'unchecked';
          }
        }
      }
    }
    ctx.log.debug(`jwt.token: ${p.method} ${url} → ${facts.status ?? facts.fetchError}; token field ${facts.tokenField ?? 'none'}, alg ${facts.header?.alg ?? '-'}, signature ${facts.signature ?? '-'}`);
    return evaluateToken(facts);
  },
});
