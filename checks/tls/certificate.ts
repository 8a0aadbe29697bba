// tls.certificate: the certificate a server presents (direct TLS or STARTTLS) is trusted, matches the
// host, is not expired or close to expiry, uses a strong key and signature, and has a sane lifespan.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, warn, type Verdict } from '../../src/check.js';
import { intish } from '../../src/params.js';
import { certFacts, handshake, type CertFacts } from '../../src/net/tls.js';

const DAY = 86_400_000;

const CURVE_ALIASES: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  prime256v1: 'prime256v1',
  secp384r1: 'secp384r1',
  secp521r1: 'secp521r1',
};

export const params = z
  .object({
    host: z.string().min(1).describe('Host name or IP address to connect to.'),
    port: intish().pipe(z.number().int().min(1).max(65535)).default(443).describe('TCP port (443 for HTTPS, 25/587 for SMTP STARTTLS, 5432 for PostgreSQL).'),
    servername: z.string().min(1).optional().describe('SNI name and the name the certificate must match; defaults to host.'),
    starttls: z.enum(['none', 'smtp', 'postgres']).default('none').describe('Upgrade a plain connection first: `smtp` (EHLO + STARTTLS) or `postgres` (SSLRequest); `none` for direct TLS.'),
    ca: z.string().min(1).optional().describe('PEM file with extra trusted CA certificates (private CA), relative to the profile; system CAs stay trusted.'),
    warn_days: intish().pipe(z.number().int().min(0)).default(30).describe('Warn when any certificate in the chain expires within this many days.'),
    fail_days: intish().pipe(z.number().int().min(0)).default(7).describe('Fail when any certificate in the chain expires within this many days.'),
    min_rsa_bits: intish().pipe(z.number().int().min(512)).default(2048).describe('Smallest acceptable RSA key size.'),
    allowed_curves: z
      .array(z.enum(['P-256', 'P-384', 'P-521', 'prime256v1', 'secp384r1', 'secp521r1']))
      .default(['P-256', 'P-384', 'P-521'])
      .describe('EC curves accepted for the leaf key.'),
    max_lifespan_days: intish().pipe(z.number().int().min(1)).default(398).describe('Warn when the leaf certificate is valid for longer than this in total (browsers reject public certificates over 398 days).'),
  })
  .strict();
export type Params = z.output<typeof params>;

export interface CertificateFacts {
  /** Name the certificate must match (servername or host). */
  expectedName: string;
  hostnameMatches: boolean;
  /** OpenSSL chain verification result (hostname excluded); null when trusted. */
  authorizationError: string | null;
  protocol: string | null;
  /** Leaf first. */
  chain: CertFacts[];
}

const TRUST_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed root that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the chain was issued by a CA that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer certificate could not be found',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'no chain to a trusted root: the server sends no intermediate certificate, or its issuer is a private CA not trusted here',
  CERT_SIGNATURE_FAILURE: 'a certificate signature does not verify',
  CERT_REVOKED: 'the certificate is revoked',
  INVALID_CA: 'an issuing certificate is not a valid CA',
  CERT_UNTRUSTED: 'the certificate is not trusted',
};
const TIME_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'ERROR_IN_CERT_NOT_BEFORE_FIELD']);

const day = (iso: string) => iso.slice(0, 10);
const cn = (dn: string) => /(?:^|, )CN=([^,]+)/.exec(dn)?.[1] ?? dn;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function keyDescription(c: CertFacts): string {
  if (c.keyType === 'rsa' || c.keyType === 'rsa-pss' || c.keyType === 'dsa') return `${c.keyType.toUpperCase()} ${c.keyBits ?? '?'} bits`;
  if (c.keyType === 'ec') return `EC ${c.curve ?? '?'}`;
  return c.keyType.toUpperCase();
}

const weakSignature = (alg: string) => /md2|md5|sha1(?!\d)|SHA1$/i.test(alg);

/** Certificates whose expiry matters: everything the server sent except a trusted self-signed root. */
function expiringCandidates(chain: CertFacts[]): CertFacts[] {
  return chain.filter((c, i) => i === 0 || !c.selfSigned);
}

/** What to do when no handshake could be made (the certificate advice would mislead). */
export function unreachableRemediation(starttls: 'none' | 'smtp' | 'postgres'): string {
  return `Check that the server is up and that host and port are right, and that a firewall or security group lets this machine in; ${
    starttls === 'none' ? 'for a mail or database port that upgrades a plain connection, set `starttls: smtp` or `starttls: postgres`.' : `check that the port really speaks ${starttls === 'smtp' ? 'SMTP' : 'PostgreSQL'}.`
  }`;
}

/** Pure decision: certificate facts in, verdict out. */
export function evaluateCertificate(facts: CertificateFacts, p: Params, now: Date = new Date()): Verdict {
  const leaf = facts.chain[0];
  if (!leaf) return error(`the server at ${facts.expectedName} presented no certificate`);
  const daysLeft = (c: CertFacts) => Math.floor((Date.parse(c.notAfter) - now.getTime()) / DAY);
  const parts: Verdict[] = [];

  // Validity window and expiry, for the leaf and for any chain certificate that expires first.
  const candidates = expiringCandidates(facts.chain);
  const earliest = candidates.reduce((a, b) => (Date.parse(b.notAfter) < Date.parse(a.notAfter) ? b : a));
  for (const [i, c] of candidates.entries()) {
    const label = i === 0 ? `certificate for ${facts.expectedName}` : `${c.ca ? 'intermediate' : 'chain'} certificate "${cn(c.subject)}"`;
    const left = daysLeft(c);
    if (Date.parse(c.notBefore) > now.getTime()) {
      parts.push(fail(`${label} is not valid until ${day(c.notBefore)}`, undefined, 'Check the server clock and the certificate dates; reissue the certificate with a validity that has started.'));
    } else if (Date.parse(c.notAfter) <= now.getTime()) {
      const ago = Math.floor((now.getTime() - Date.parse(c.notAfter)) / DAY);
      parts.push(fail(`${label} expired ${ago === 0 ? 'today' : `${plural(ago, 'day')} ago`} on ${day(c.notAfter)}`, undefined, 'Renew the certificate now and reload the server; automate renewal (ACME/certbot) so it cannot lapse again.'));
    } else if (left < p.fail_days) {
      parts.push(fail(`${label} expires in ${plural(left, 'day')} (${day(c.notAfter)}), below the ${p.fail_days}-day minimum`, undefined, 'Renew the certificate now; check that automatic renewal runs and reloads the server.'));
    } else if (left < p.warn_days) {
      parts.push(warn(`${label} expires in ${plural(left, 'day')} (${day(c.notAfter)}), below the ${p.warn_days}-day warning threshold`));
    }
  }

  // Trust (time errors are already reported as expiry above).
  if (facts.authorizationError && !TIME_ERRORS.has(facts.authorizationError)) {
    const why = TRUST_ERRORS[facts.authorizationError] ?? 'the chain does not verify';
    parts.push(
      fail(
        `certificate is not trusted: ${why} (${facts.authorizationError}${facts.authorizationError === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? '' : `; issuer "${cn(leaf.issuer)}"`})`,
        undefined,
        facts.authorizationError === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
          ? 'Serve the full chain (leaf followed by the intermediate certificates, e.g. fullchain.pem), or pass `ca:` when the issuer is a private CA.'
          : 'Use a certificate from a publicly trusted CA (e.g. Let\'s Encrypt), or pass `ca:` with the private CA that clients are configured to trust.',
      ),
    );
  }

  if (!facts.hostnameMatches) {
    const names = leaf.sans.length ? leaf.sans.join(', ') : `no subjectAltName, CN=${cn(leaf.subject)}`;
    parts.push(fail(`certificate does not match ${facts.expectedName}: it covers ${names}`, undefined, `Issue a certificate whose subjectAltName includes ${facts.expectedName}, or connect with the right servername.`));
  }

  // Key strength.
  const allowedCurves = p.allowed_curves.map((c) => CURVE_ALIASES[c]);
  if ((leaf.keyType === 'rsa' || leaf.keyType === 'rsa-pss') && (leaf.keyBits ?? 0) < p.min_rsa_bits) {
    parts.push(fail(`RSA key is ${leaf.keyBits} bits, below the required ${p.min_rsa_bits}`, undefined, `Reissue the certificate with an RSA key of at least ${p.min_rsa_bits} bits or an EC P-256 key.`));
  } else if (leaf.keyType === 'ec' && !allowedCurves.includes(leaf.curve ?? '')) {
    parts.push(fail(`EC key uses curve ${leaf.curve}, not one of ${p.allowed_curves.join(', ')}`, undefined, 'Reissue the certificate with a P-256 or P-384 key.'));
  } else if (leaf.keyType === 'dsa') {
    parts.push(fail(`certificate uses a DSA key (${leaf.keyBits} bits); use RSA ≥ ${p.min_rsa_bits} or EC`));
  }

  // Signatures: the leaf and intermediates (a root's self-signature is not checked by clients).
  for (const [i, c] of facts.chain.entries()) {
    if (i > 0 && c.selfSigned) continue;
    if (weakSignature(c.signatureAlgorithm)) {
      const label = i === 0 ? 'certificate' : `intermediate "${cn(c.subject)}"`;
      parts.push(fail(`${label} is signed with ${c.signatureAlgorithm}, a broken hash; expected SHA-256 or stronger`, undefined, 'Reissue the certificate signed with SHA-256 (every current CA does this by default).'));
    }
  }

  // Lifespan of the leaf.
  const lifespan = Math.round((Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)) / DAY);
  if (lifespan > p.max_lifespan_days) {
    parts.push(warn(`certificate is valid for ${lifespan} days in total, more than the ${p.max_lifespan_days}-day maximum browsers accept for public certificates`));
  }

  const leafLeft = daysLeft(leaf);
  const evidence = {
    expected: {
      name: facts.expectedName,
      trusted: true,
      daysLeftAtLeast: p.warn_days,
      rsaBitsAtLeast: p.min_rsa_bits,
      curves: p.allowed_curves,
      maxLifespanDays: p.max_lifespan_days,
    },
    actual: {
      subject: leaf.subject,
      issuer: leaf.issuer,
      sans: leaf.sans,
      notAfter: leaf.notAfter,
      daysLeft: leafLeft,
      trusted: facts.authorizationError === null,
      authorizationError: facts.authorizationError,
      hostnameMatches: facts.hostnameMatches,
      key: keyDescription(leaf),
      signature: leaf.signatureAlgorithm,
      lifespanDays: lifespan,
    },
    details: {
      fingerprint256: leaf.fingerprint256,
      protocol: facts.protocol,
      earliestExpiry: { subject: earliest.subject, notAfter: earliest.notAfter, daysLeft: daysLeft(earliest) },
      chain: facts.chain.map((c) => ({
        subject: c.subject,
        issuer: c.issuer,
        notAfter: c.notAfter,
        daysLeft: daysLeft(c),
        key: keyDescription(c),
        signature: c.signatureAlgorithm,
        selfSigned: c.selfSigned,
        fingerprint256: c.fingerprint256,
      })),
    },
  };
  return combine(parts, `certificate for ${facts.expectedName} is valid for ${plural(leafLeft, 'more day')} (until ${day(leaf.notAfter)}), trusted, ${keyDescription(leaf)}`, evidence);
}

export default defineCheck({
  meta: {
    type: 'tls.certificate',
    title: 'TLS certificate is valid and trusted',
    failureTitle: 'TLS certificate has a problem',
    description:
      'An expired, untrusted or mismatched certificate takes the whole service down for browsers and API clients. Checks the chain the server presents (direct TLS or SMTP/PostgreSQL STARTTLS): trust, hostname, days left, key size, signature hash and lifespan, and which certificate in the chain expires first.',
    remediation:
      'Renew or reissue the certificate (automate it with ACME), serve the full chain, and make sure its subjectAltName covers the host name clients use.',
    docs: 'docs/checks.md#tls-certificate',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const expectedName = p.servername ?? p.host;
    let ca: string[] | undefined;
    if (p.ca) {
      const path = resolve(ctx.baseDir, p.ca);
      try {
        ca = [await readFile(path, 'utf8')];
      } catch (err) {
        return error(`cannot read CA file ${p.ca}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (!ca[0].includes('-----BEGIN CERTIFICATE-----')) return error(`CA file ${p.ca} holds no PEM certificate`);
    }
    const result = await handshake(
      { host: p.host, port: p.port, servername: p.servername, starttls: p.starttls, timeoutMs: ctx.timeoutMs, signal: ctx.signal },
      { ca },
    );
    ctx.log.debug(`tls.certificate ${p.host}:${p.port} handshake ${result.ok ? `ok (${result.protocol})` : `failed: ${result.code}`} in ${result.ms}ms`);
    if (!result.ok) {
      if (result.code === 'NO_STARTTLS' || result.code === 'NO_SSL') {
        return fail(result.message, { expected: 'TLS offered', actual: 'plain text only' }, p.starttls === 'postgres' ? 'Enable ssl=on with ssl_cert_file/ssl_key_file in postgresql.conf.' : 'Enable STARTTLS on the mail server with a valid certificate.');
      }
      return { ...error(result.message, { details: { stage: result.stage, code: result.code } }), remediation: unreachableRemediation(p.starttls) };
    }
    const leaf = result.chain[0]?.x509;
    const hostnameMatches = leaf ? (isIP(expectedName) ? leaf.checkIP(expectedName) !== undefined : leaf.checkHost(expectedName) !== undefined) : false;
    return evaluateCertificate(
      {
        expectedName,
        hostnameMatches,
        authorizationError: result.authorizationError,
        protocol: result.protocol,
        chain: result.chain.map((c) => certFacts(c.der, c.x509)),
      },
      p,
    );
  },
});
