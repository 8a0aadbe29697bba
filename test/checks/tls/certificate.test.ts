import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check, { evaluateCertificate, params, type CertificateFacts } from '../../../checks/tls/certificate.js';
import type { CertFacts } from '../../../src/net/tls.js';
import { runCheck } from '../../support/run-check.js';
import { makeCa, makeCert, daysFromNow, type Issued } from '../../support/certs.js';
import { startTlsServer, startSilentServer, startSmtpStartTls, startPostgresSslResponder, type Running } from '../../support/tls-servers.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const defaults = params.parse({ host: 'example.com' });

function cert(overrides: Partial<CertFacts> = {}): CertFacts {
  return {
    subject: 'CN=example.com',
    issuer: 'CN=Test CA',
    sans: ['example.com'],
    notBefore: '2025-05-01T00:00:00.000Z',
    notAfter: '2025-07-30T00:00:00.000Z',
    fingerprint256: 'AA:BB',
    selfSigned: false,
    ca: false,
    keyType: 'ec',
    curve: 'prime256v1',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    ...overrides,
  };
}
const facts = (overrides: Partial<CertificateFacts> = {}): CertificateFacts => ({
  expectedName: 'example.com',
  hostnameMatches: true,
  authorizationError: null,
  protocol: 'TLSv1.3',
  chain: [cert(), cert({ subject: 'CN=Test CA', issuer: 'CN=Root', ca: true, notAfter: '2030-01-01T00:00:00.000Z', keyType: 'rsa', keyBits: 4096, curve: undefined, signatureAlgorithm: 'sha256WithRSAEncryption' })],
  ...overrides,
});

describe('evaluateCertificate (pure)', () => {
  it('passes a trusted, matching certificate with 59 days left', () => {
    const v = evaluateCertificate(facts(), defaults, NOW);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('59 more days');
    expect(v.evidence?.actual).toMatchObject({ daysLeft: 59, key: 'EC prime256v1', trusted: true });
    expect((v.evidence?.details as any).chain).toHaveLength(2);
  });
  it('warns inside warn_days and fails inside fail_days', () => {
    expect(evaluateCertificate(facts({ chain: [cert({ notAfter: '2025-06-11T12:00:00.000Z' })] }), defaults, NOW)).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('expires in 10 days (2025-06-11), below the 30-day warning threshold'),
    });
    expect(evaluateCertificate(facts({ chain: [cert({ notAfter: '2025-06-04T00:00:00.000Z' })] }), defaults, NOW)).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('expires in 3 days'),
    });
  });
  it('reports an expired certificate as expired, not as untrusted', () => {
    const v = evaluateCertificate(facts({ authorizationError: 'CERT_HAS_EXPIRED', chain: [cert({ notAfter: '2025-05-20T00:00:00.000Z' })] }), defaults, NOW);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('certificate for example.com expired 12 days ago on 2025-05-20');
    expect(v.remediation).toMatch(/Renew/);
  });
  it('fails a certificate that is not valid yet', () => {
    const v = evaluateCertificate(facts({ chain: [cert({ notBefore: '2025-06-05T00:00:00.000Z' })] }), defaults, NOW);
    expect(v).toMatchObject({ status: 'fail', message: expect.stringContaining('not valid until 2025-06-05') });
  });
  it('names the intermediate that expires before the leaf', () => {
    const chain = facts().chain;
    chain[1] = { ...chain[1], notAfter: '2025-06-20T00:00:00.000Z' };
    const v = evaluateCertificate(facts({ chain }), defaults, NOW);
    expect(v.status).toBe('warn');
    expect(v.message).toContain('intermediate certificate "Test CA" expires in 19 days');
    expect((v.evidence?.details as any).earliestExpiry.subject).toBe('CN=Test CA');
  });
  it('maps trust errors to plain sentences', () => {
    expect(evaluateCertificate(facts({ authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), defaults, NOW).message).toContain('self-signed');
    const v = evaluateCertificate(facts({ authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), defaults, NOW);
    expect(v.message).toContain('sends no intermediate certificate, or its issuer is a private CA');
    expect(v.message).toContain('issuer "Test CA"');
    expect(v.remediation).toContain('full chain');
  });
  it('fails a name mismatch listing the names covered', () => {
    const v = evaluateCertificate(facts({ hostnameMatches: false, chain: [cert({ sans: ['other.test', 'www.other.test'] })] }), defaults, NOW);
    expect(v.message).toBe('certificate does not match example.com: it covers other.test, www.other.test');
  });
  it('fails weak keys, unknown curves and SHA-1/MD5 signatures', () => {
    expect(evaluateCertificate(facts({ chain: [cert({ keyType: 'rsa', keyBits: 1024, curve: undefined })] }), defaults, NOW).message).toBe('RSA key is 1024 bits, below the required 2048');
    expect(evaluateCertificate(facts({ chain: [cert({ curve: 'secp256k1' })] }), defaults, NOW).message).toContain('curve secp256k1');
    expect(evaluateCertificate(facts({ chain: [cert({ signatureAlgorithm: 'sha1WithRSAEncryption' })] }), defaults, NOW).message).toContain('signed with sha1WithRSAEncryption');
    expect(evaluateCertificate(facts({ chain: [cert({ signatureAlgorithm: 'md5WithRSAEncryption' })] }), defaults, NOW).status).toBe('fail');
    expect(evaluateCertificate(facts({ chain: [cert({ signatureAlgorithm: 'ecdsa-with-SHA1' })] }), defaults, NOW).status).toBe('fail');
  });
  it('ignores a self-signed root\'s own SHA-1 signature but not an intermediate\'s', () => {
    const chain = [cert(), cert({ subject: 'CN=Root', issuer: 'CN=Root', selfSigned: true, ca: true, signatureAlgorithm: 'sha1WithRSAEncryption', notAfter: '2030-01-01T00:00:00.000Z' })];
    expect(evaluateCertificate(facts({ chain }), defaults, NOW).status).toBe('pass');
    chain[1] = { ...chain[1], selfSigned: false, issuer: 'CN=Other' };
    expect(evaluateCertificate(facts({ chain }), defaults, NOW).message).toContain('intermediate "Root" is signed with sha1');
  });
  it('warns on a lifespan above max_lifespan_days', () => {
    const v = evaluateCertificate(facts({ chain: [cert({ notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z' })] }), defaults, NOW);
    expect(v).toMatchObject({ status: 'warn', message: expect.stringContaining('valid for 730 days in total') });
  });
  it('combines several problems, worst first', () => {
    const v = evaluateCertificate(facts({ hostnameMatches: false, chain: [cert({ notAfter: '2025-06-20T00:00:00.000Z' })] }), defaults, NOW);
    expect(v.status).toBe('fail');
    expect(v.message.indexOf('does not match')).toBeLessThan(v.message.indexOf('expires in 19 days'));
  });
});

describe('tls.certificate against real servers', () => {
  let dir: string;
  let root: Issued;
  let inter: Issued;
  const servers: Running[] = [];
  const serve = async (c: Issued, extra: object = {}, sendChain = true) => {
    const s = await startTlsServer({ key: c.keyPem, cert: sendChain ? c.chainPem : c.certPem, ...extra });
    servers.push(s);
    return s.port;
  };
  const local = (c: Omit<Parameters<typeof makeCert>[0], 'commonName'> = {}) =>
    makeCert({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: inter, key: { type: 'ec' }, ...c });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readiness-tls-'));
    root = await makeCa({ commonName: 'Readiness Test Root' });
    inter = await makeCa({ commonName: 'Readiness Test Intermediate', issuer: root });
    await writeFile(join(dir, 'root.pem'), root.certPem);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const run = (port: number, extra: object = {}) =>
    runCheck(check, { host: '127.0.0.1', port, servername: 'localhost', ca: 'root.pem', ...extra }, { baseDir: dir, timeoutMs: 3000 });

  it('passes a good chain from a private CA given as `ca`', async () => {
    const port = await serve(await local());
    const v = await run(port);
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/^certificate for localhost is valid for 8\d more days/);
    const d = v.evidence?.details as any;
    expect(d.chain.map((c: any) => c.subject)).toEqual(['CN=localhost', 'CN=Readiness Test Intermediate', 'CN=Readiness Test Root']);
    expect(v.evidence?.actual).toMatchObject({ sans: ['localhost', '127.0.0.1'], trusted: true, signature: 'sha256WithRSAEncryption' }); // signed by the RSA intermediate
  });
  it('matches an IP address host against IP SANs', async () => {
    const port = await serve(await local());
    expect((await run(port, { servername: undefined })).status).toBe('pass');
  });
  it('reports an expired certificate as expired', async () => {
    const port = await serve(await local({ notBefore: daysFromNow(-100), notAfter: daysFromNow(-3) }));
    const v = await run(port);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^certificate for localhost expired 3 days ago on \d{4}-\d\d-\d\d$/);
  });
  it('fails a certificate that is not yet valid', async () => {
    const port = await serve(await local({ notBefore: daysFromNow(2), notAfter: daysFromNow(90) }));
    expect(await run(port)).toMatchObject({ status: 'fail', message: expect.stringContaining('is not valid until') });
  });
  it('warns at 10 days left and fails at 3', async () => {
    const warnPort = await serve(await local({ notAfter: daysFromNow(10.5) }));
    expect(await run(warnPort)).toMatchObject({ status: 'warn', message: expect.stringContaining('expires in 10 days') });
    const failPort = await serve(await local({ notAfter: daysFromNow(3.5) }));
    expect(await run(failPort)).toMatchObject({ status: 'fail', message: expect.stringContaining('expires in 3 days') });
  });
  it('fails a wrong host', async () => {
    const port = await serve(await makeCert({ commonName: 'other.test', issuer: inter, key: { type: 'ec' } }));
    const v = await run(port);
    expect(v).toMatchObject({ status: 'fail', message: 'certificate does not match localhost: it covers other.test' });
    expect(v.remediation).toContain('subjectAltName');
  });
  it('fails a self-signed certificate', async () => {
    const port = await serve(await makeCert({ commonName: 'localhost', key: { type: 'ec' } }));
    expect((await run(port)).message).toContain('self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });
  it('fails a chain from an untrusted CA', async () => {
    const port = await serve(await local());
    const v = await run(port, { ca: undefined });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('certificate is not trusted');
  });
  it('fails an incomplete chain (no intermediate sent)', async () => {
    const port = await serve(await local(), {}, false);
    const v = await run(port);
    expect(v.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(v.remediation).toContain('full chain');
  });
  it('fails a 1024-bit RSA key (served at SECLEVEL=0)', async () => {
    const port = await serve(await local({ key: { type: 'rsa', bits: 1024 } }), { ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(await run(port)).toMatchObject({ status: 'fail', message: 'RSA key is 1024 bits, below the required 2048' });
  });
  it('fails a SHA-1 signature', async () => {
    const port = await serve(await local({ signatureHash: 'SHA-1' }), { ciphers: 'DEFAULT@SECLEVEL=0' });
    const v = await run(port);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('signed with sha1WithRSAEncryption');
  });
  it('reads the certificate over SMTP STARTTLS', async () => {
    const c = await local();
    const smtp = await startSmtpStartTls({ key: c.keyPem, cert: c.chainPem });
    servers.push(smtp);
    const v = await run(smtp.port, { starttls: 'smtp' });
    expect(v.status).toBe('pass');
    const off = await startSmtpStartTls({ key: c.keyPem, cert: c.chainPem, offerStartTls: false });
    servers.push(off);
    expect(await run(off.port, { starttls: 'smtp' })).toMatchObject({ status: 'fail', message: expect.stringContaining('does not offer STARTTLS') });
  });
  it('reads the certificate over a PostgreSQL SSLRequest', async () => {
    const c = await local({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-1) });
    const pg = await startPostgresSslResponder({ key: c.keyPem, cert: c.chainPem });
    servers.push(pg);
    expect(await run(pg.port, { starttls: 'postgres' })).toMatchObject({ status: 'fail', message: expect.stringContaining('expired 1 day ago') });
    const plain = await startPostgresSslResponder({ key: c.keyPem, cert: c.chainPem, ssl: false });
    servers.push(plain);
    expect(await run(plain.port, { starttls: 'postgres' })).toMatchObject({ status: 'fail', message: expect.stringContaining('does not accept SSL') });
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    const started = Date.now();
    const v = await runCheck(check, { host: '127.0.0.1', port: hung.port }, { timeoutMs: 800 });
    expect(Date.now() - started).toBeLessThan(2500);
    // Ends before the engine's own timeout would, so the message says where and what hung.
    expect(v).toMatchObject({ status: 'error', message: `timed out after 0.8s at 127.0.0.1:${hung.port}: the port accepts connections but never completed the TLS handshake (is it a TLS port?)` });
    expect(v.remediation).toContain('firewall');
    expect(v.remediation).not.toContain('Renew');
  });
  it('ends with error when nothing listens or the CA file is missing', async () => {
    const hung = await startSilentServer();
    const port = hung.port;
    await hung.close();
    expect(await run(port)).toMatchObject({ status: 'error', message: `connection refused at 127.0.0.1:${port}`, remediation: expect.stringContaining('starttls') });
    expect(await run(port, { ca: 'missing.pem' })).toMatchObject({ status: 'error', message: 'cannot read CA file missing.pem: ENOENT' });
  });
  it('rejects unknown parameters', () => {
    expect(params.safeParse({ host: 'x', bogus: 1 }).success).toBe(false);
  });
});
