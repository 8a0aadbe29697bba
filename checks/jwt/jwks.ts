// jwt.jwks: the published JSON Web Key Set is valid, contains the configured public key (and kid),
// and leaks no private key members.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, warn, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { displayUrl, headerValue, httpRequest, HttpRequestError } from '../../src/net/http.js';
import { failureVerdict, type Failure } from '../../src/net/failure.js';
import { describeSource, fingerprint, loadKey, pickKeyInput, PRIVATE_JWK_MEMBERS } from '../../src/keys/keys.js';

const params = z
  .object({
    url: z.string().url().describe('JWKS URL, e.g. https://auth.example.com/.well-known/jwks.json.'),
    public_key: z.string().optional().describe('Path of the public key the set must contain (PEM). Default: $JWT_PUBLIC_KEY_PATH, else the public half of $JWT_PRIVATE_KEY_PATH.'),
    public_key_env: z.string().optional().describe('Name of an environment variable holding the public key PEM. Default: JWT_PUBLIC_KEY.'),
    kid: z.string().optional().describe('Key id the configured key must be published under.'),
    ca: z.string().optional().describe('PEM file of a private CA to trust for the HTTPS request.'),
    insecure: boolish().default(false).describe('Skip TLS certificate verification (self-signed development endpoints only).'),
  })
  .strict();

/** Where the expected key comes from and its fingerprint (or why it could not be loaded). */
export interface ExpectedKey {
  source: string;
  fingerprint?: string;
  problem?: string;
  /** True for "could not check" problems (unreadable, encrypted) rather than a missing/invalid key. */
  problemIsError?: boolean;
}

export interface JwksFacts {
  /** URL for display (secrets masked). */
  url: string;
  fetchError?: string;
  /** The shared failure (src/net/failure.ts) when the request failed on the network or TLS. */
  fetchFailure?: Failure;
  status?: number;
  statusText?: string;
  contentType?: string;
  body?: string;
  truncated?: boolean;
  expected?: ExpectedKey;
  kid?: string;
}

export interface JwkSummary {
  index: number;
  kid?: string;
  kty?: string;
  alg?: string;
  use?: string;
  fingerprint?: string;
  /** Names (never values) of private members present. */
  privateMembers: string[];
  invalid?: string;
}

const label = (k: JwkSummary) => (k.kid !== undefined ? `kid=${k.kid}` : `#${k.index + 1}`);
const shortFp = (fp?: string) => (fp ? `${fp.slice(0, 23)}…` : '?');

/** Describes one JWK without its material: type, kid, fingerprint, names of private members. */
export function summarizeJwk(jwk: unknown, index: number): JwkSummary {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return { index, privateMembers: [], invalid: 'not a JSON object' };
  const o = jwk as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const summary: JwkSummary = {
    index,
    kid: str(o.kid),
    kty: str(o.kty),
    alg: str(o.alg),
    use: str(o.use),
    privateMembers: PRIVATE_JWK_MEMBERS.filter((m) => o[m] !== undefined),
  };
  if (summary.kty === 'oct') return { ...summary, invalid: 'a symmetric (oct) key, which has no public part' };
  try {
    // Only the public members: a private JWK would otherwise import as a private key.
    const pub: Record<string, unknown> = { ...o };
    for (const m of PRIVATE_JWK_MEMBERS) delete pub[m];
    summary.fingerprint = fingerprint(createPublicKey({ key: pub as JsonWebKey, format: 'jwk' }));
  } catch {
    summary.invalid = `not a valid public ${summary.kty ?? 'JWK'} key`;
  }
  return summary;
}

/** Pure decision: the HTTP answer and the expected key in, verdict out. */
export function evaluateJwks(f: JwksFacts): Verdict {
  // The configured key is judged apart from the answer: a missing key file fails even when the URL is down,
  // and a JWKS that leaks private keys fails even when the configured key could not be read.
  const keyProblem = f.expected?.problem ? (f.expected.problemIsError ? error(f.expected.problem) : fail(f.expected.problem)) : undefined;
  const withKey = (v: Verdict): Verdict => (keyProblem ? combine([v, keyProblem], v.message, v.evidence) : v);
  if (f.fetchFailure) return withKey(failureVerdict(f.fetchFailure, `could not fetch JWKS from ${f.url}: `));
  if (f.fetchError) {
    return withKey({
      ...error(`could not fetch JWKS from ${f.url}: ${f.fetchError}`),
      remediation: 'Check that the auth service is up and that this URL is reachable from where the check runs (DNS, firewall, TLS: give `ca` for a private CA); then run the check again.',
    });
  }
  return withKey(evaluateAnswer(f));
}

/** The JWKS answer itself (status, JSON, private members, the configured key when it was loaded). */
function evaluateAnswer(f: JwksFacts): Verdict {
  const status = f.status ?? 0;
  if (status < 200 || status > 299) {
    return fail(`JWKS URL ${f.url} answered HTTP ${status}${f.statusText ? ` ${f.statusText}` : ''}; expected 200 with a JSON Web Key Set`, {
      expected: 200,
      actual: status,
    });
  }
  let doc: unknown;
  try {
    if (f.truncated) throw new Error('truncated');
    doc = JSON.parse(f.body ?? '');
  } catch {
    return fail(
      `JWKS URL ${f.url} did not answer JSON${f.truncated ? ' (body larger than 1 MiB)' : ''} (content-type ${f.contentType ?? 'none'}); expected a JSON Web Key Set`,
      { expected: 'application/json {"keys": [...]}', actual: { contentType: f.contentType ?? null } },
    );
  }
  const keys = doc && typeof doc === 'object' ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) {
    return fail(`JWKS from ${f.url} has no "keys" array; expected {"keys": [...]}`, { expected: '{"keys": [...]}', actual: { topLevelMembers: doc && typeof doc === 'object' ? Object.keys(doc) : typeof doc } });
  }
  const summaries = keys.map(summarizeJwk);
  const evidence = {
    expected: { fingerprint: f.expected?.fingerprint, kid: f.kid, privateMembers: 'none' },
    actual: { keys: summaries },
  };
  if (summaries.length === 0) return fail(`JWKS from ${f.url} is empty; expected at least the signing key's public half`, evidence);

  const leaking = summaries.filter((k) => k.privateMembers.length > 0);
  if (leaking.length) {
    return fail(
      `JWKS from ${f.url} publishes PRIVATE key material: ${leaking.map((k) => `key ${label(k)} has ${k.privateMembers.join(', ')}`).join('; ')} — anyone can sign tokens with it`,
      evidence,
      'Critical: remove the private members (d, p, q, dp, dq, qi, oth, k) from the JWKS endpoint, generate a new key pair and revoke every token signed with the leaked key. Publish only the public key (kty, n, e / crv, x, y, kid, alg, use).',
    );
  }

  const parts: Verdict[] = [];
  for (const k of summaries.filter((s) => s.invalid)) parts.push(warn(`JWKS key ${label(k)} is ${k.invalid}`));

  if (f.expected?.problem) {
    // Judged by evaluateJwks (fail or could-not-check); here only what the set itself shows.
    return combine(parts, `JWKS has ${summaries.length} key${summaries.length === 1 ? '' : 's'}, no private members`, evidence);
  }

  if (f.expected?.fingerprint) {
    const matches = summaries.filter((k) => k.fingerprint === f.expected!.fingerprint);
    if (matches.length === 0) {
      parts.push(
        fail(
          `none of the ${summaries.length} keys in the JWKS (${summaries.map(label).join(', ')}) is the configured public key ${shortFp(f.expected.fingerprint)} from ${f.expected.source}`,
          undefined,
          'Publish the public half of the key the service signs with (or point the check at the key actually deployed); tokens signed with the current key cannot be verified by clients using this JWKS.',
        ),
      );
    } else if (f.kid !== undefined && !matches.some((k) => k.kid === f.kid)) {
      parts.push(fail(`the configured public key is published under ${matches.map((k) => (k.kid === undefined ? 'no kid' : `kid=${k.kid}`)).join(', ')}, expected kid=${f.kid}`));
    } else {
      const match = matches.find((k) => f.kid === undefined || k.kid === f.kid)!;
      if (match.use !== undefined && match.use !== 'sig') parts.push(warn(`key ${label(match)} has use=${match.use}, expected sig`));
    }
    const match = matches.find((k) => f.kid === undefined || k.kid === f.kid);
    return combine(
      parts,
      `JWKS has ${summaries.length} key${summaries.length === 1 ? '' : 's'}; ${match ? label(match) : 'one'} is the configured public key ${shortFp(f.expected.fingerprint)}, no private members`,
      evidence,
    );
  }

  if (f.kid !== undefined && !summaries.some((k) => k.kid === f.kid)) {
    parts.push(fail(`JWKS has no key with kid=${f.kid} (kids: ${summaries.map((k) => k.kid ?? '(none)').join(', ')})`));
  }
  if (summaries.every((k) => k.invalid)) parts.push(fail(`JWKS from ${f.url} holds no usable public key`));
  return combine(parts, `JWKS has ${summaries.length} valid key${summaries.length === 1 ? '' : 's'}, no private members (no public key configured to compare)`, evidence);
}

async function expectedKey(
  p: z.output<typeof params>,
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
): Promise<ExpectedKey | undefined> {
  let input = pickKeyInput(p.public_key, p.public_key_env, env, 'JWT_PUBLIC_KEY_PATH', 'JWT_PUBLIC_KEY');
  let want: 'public' | 'private' = 'public';
  if (!input.path && !input.envName) {
    input = pickKeyInput(undefined, undefined, env, 'JWT_PRIVATE_KEY_PATH', 'JWT_PRIVATE_KEY');
    want = 'private';
  }
  const loaded = await loadKey(input, want, { baseDir, env });
  if (!loaded) return undefined;
  const source = describeSource(loaded.source) + (want === 'private' ? ' (public half)' : '');
  if (!loaded.key) {
    return { source, problem: loaded.problemMessage, problemIsError: ['unreadable', 'encrypted', 'bad-passphrase'].includes(loaded.problem ?? '') };
  }
  return { source, fingerprint: fingerprint(loaded.key) };
}

export default defineCheck({
  meta: {
    type: 'jwt.jwks',
    title: 'JWKS publishes the signing key, and only its public half',
    failureTitle: 'JWKS is wrong or leaks a private key',
    description:
      'Clients and other services verify tokens with the keys published at the JWKS URL: a set without the current key breaks every login, and a set that carries private members (d, p, q…) hands out the signing key to anyone. Fetches the URL (GET), checks it is a JSON Web Key Set, that one key equals the configured public key (compared by SHA-256 fingerprint of the SPKI, and kid when given) and that no key has private members.',
    remediation: 'Serve {"keys": [...]} with the public JWK of the current signing key (kty, n, e or crv, x, y; kid, alg, use=sig) and nothing private.',
    docs: 'docs/checks.md#jwt-jwks',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const url = displayUrl(p.url);
    const expected = await expectedKey(p, ctx.env, ctx.baseDir);
    const facts: JwksFacts = { url, expected, kid: p.kid };
    let ca: Buffer | undefined;
    if (p.ca) {
      const caPath = isAbsolute(p.ca) ? p.ca : resolve(ctx.baseDir, p.ca);
      try {
        ca = await readFile(caPath);
      } catch (err) {
        // Without the CA the set cannot be fetched; the configured key is still judged.
        return evaluateJwks({ ...facts, fetchError: `could not read CA file ${caPath} (${(err as { code?: string }).code ?? 'error'})` });
      }
    }
    try {
      const res = await httpRequest(p.url, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, ca, insecure: p.insecure, followRedirects: true, headers: { accept: 'application/json, application/jwk-set+json' } });
      Object.assign(facts, {
        status: res.status,
        statusText: res.statusText,
        contentType: headerValue(res.headers, 'content-type'),
        body: res.body,
        truncated: res.truncated,
      });
    } catch (err) {
      facts.fetchError = err instanceof HttpRequestError ? err.message : 'request failed';
      if (err instanceof HttpRequestError && err.failure) facts.fetchFailure = err.failure;
    }
    ctx.log.debug(`jwt.jwks: GET ${url} → ${facts.status ?? facts.fetchError}; expected key ${expected?.fingerprint ?? 'none'}`);
    return evaluateJwks(facts);
  },
});
