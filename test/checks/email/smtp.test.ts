import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluate } from '../../../checks/email/smtp.js';
import { classifySmtpError, ehloAuth, type SmtpSessionFacts } from '../../../src/email/smtp.js';
import { runCheck } from '../../support/run-check.js';
import { closedPort, startSilentServer, startSmtpServer, testPki, type TestSmtpServer } from '../../support/email-smtp.js';

const PASSWORD = 'Sup3r-Secret-smtp-pa55word';
const USER = 'app@example.com';

const baseFacts = (over: Partial<SmtpSessionFacts> = {}): SmtpSessionFacts => ({
  host: 'smtp.example.com',
  port: 587,
  tlsMode: 'starttls',
  tls: { authorized: true, protocol: 'TLSv1.3', daysLeft: 80 },
  authAdvertised: true,
  authMethods: ['PLAIN'],
  authenticated: true,
  durationMs: 12,
  ...over,
});
const expectations = { secure: false, requireStartTls: true, verifyCertificate: true, credentials: true, username: USER, certWarnDays: 14 };

describe('email.smtp decision', () => {
  it('passes a STARTTLS session whose AUTH was accepted', () => {
    const v = evaluate(baseFacts(), expectations);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('STARTTLS (TLSv1.3)');
    expect(v.message).toContain(`AUTH as "${USER}" accepted`);
  });

  it('says so when AUTH succeeded although the server did not advertise it', () => {
    const v = evaluate(baseFacts({ authAdvertised: false, authMethods: [] }), expectations);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('AUTH was not advertised');
  });

  it('fails when STARTTLS is required but the session stayed in plaintext', () => {
    const v = evaluate(baseFacts({ tlsMode: 'none', tls: undefined }), expectations);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('offers no STARTTLS');
  });

  it('fails when credentials are configured but AUTH did not complete', () => {
    const v = evaluate(baseFacts({ authenticated: undefined }), expectations);
    expect(v.status).toBe('fail');
  });

  it('warns when the certificate expires soon, and fails nothing else', () => {
    const v = evaluate(baseFacts({ tls: { authorized: true, daysLeft: 5 } }), expectations);
    expect(v.status).toBe('warn');
    expect(v.message).toContain('expires in 5 days (warn below 14)');
  });

  it('warns when an untrusted certificate was accepted because verification is off', () => {
    const v = evaluate(baseFacts({ tls: { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', daysLeft: 80 } }), {
      ...expectations,
      verifyCertificate: false,
    });
    expect(v.status).toBe('warn');
    expect(v.message).toContain('self-signed');
  });

  it('passes without credentials but says AUTH was not tested', () => {
    const v = evaluate(baseFacts({ authenticated: undefined }), { ...expectations, credentials: false, username: undefined });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('AUTH not tested');
  });

  it('keeps "could not check" apart from "checked and failed"', () => {
    const kinds: Array<[SmtpSessionFacts['failure'], string]> = [
      [{ kind: 'refused', message: 'connection refused at x:1' }, 'error'],
      [{ kind: 'greeting-timeout', message: 'no greeting' }, 'error'],
      [{ kind: 'timeout', message: 'timed out' }, 'error'],
      [{ kind: 'tls', message: 'handshake failed' }, 'fail'],
      [{ kind: 'certificate', message: 'not trusted' }, 'fail'],
      [{ kind: 'no-starttls', message: 'refused STARTTLS' }, 'fail'],
      [{ kind: 'auth-rejected', message: 'rejected' }, 'fail'],
      [{ kind: 'auth-unavailable', message: 'no AUTH' }, 'fail'],
    ];
    for (const [failure, status] of kinds) {
      const v = evaluate(baseFacts({ failure }), expectations);
      expect(v.status, failure!.kind).toBe(status);
      expect(v.message).toBe(failure!.message);
    }
  });
});

describe('ehloAuth (EHLO capability parsing)', () => {
  it('reads every advertised mechanism, in both spellings and any case, skipping the greeting line', () => {
    const reply = '250-mx.example.com Hello AUTH client\n250-PIPELINING\n250-AUTH LOGIN PLAIN NTLM GSSAPI\n250-auth=login cram-md5\n250 SIZE 1000';
    expect(ehloAuth(reply)).toEqual({ advertised: true, mechanisms: ['LOGIN', 'PLAIN', 'NTLM', 'GSSAPI', 'CRAM-MD5'] });
    expect(ehloAuth('250-mx\r\n250 AUTH SCRAM-SHA-256')).toEqual({ advertised: true, mechanisms: ['SCRAM-SHA-256'] });
  });
  it('says not advertised when no capability line is AUTH (the greeting line does not count)', () => {
    expect(ehloAuth('250-mx.example.com AUTH ready\n250-STARTTLS\n250 8BITMIME')).toEqual({ advertised: false, mechanisms: [] });
    expect(ehloAuth('250 mx.example.com')).toEqual({ advertised: false, mechanisms: [] });
  });
});

describe('classifySmtpError', () => {
  const ctx = { host: 'mx', port: 587, timeoutMs: 2000, greetingTimeoutMs: 1500, username: 'app' };
  it('recognises a refused connection from the system error code', () => {
    expect(classifySmtpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET', errno: 'ECONNREFUSED' }), ctx)).toMatchObject({
      kind: 'refused',
      message: 'connection refused at mx:587',
    });
  });
  it('tells a greeting timeout from a connect timeout', () => {
    expect(classifySmtpError(Object.assign(new Error('x'), { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }), ctx).kind).toBe('greeting-timeout');
    expect(classifySmtpError(Object.assign(new Error('x'), { code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' }), ctx)).toMatchObject({
      kind: 'timeout',
      message: 'connection to mx:587 timed out after 2s',
    });
  });
  it('reads 535 as rejected credentials and 502 as AUTH not offered', () => {
    const e535 = Object.assign(new Error('Invalid login'), { code: 'EAUTH', response: '535 5.7.8 bad', responseCode: 535, command: 'AUTH PLAIN' });
    expect(classifySmtpError(e535, ctx)).toMatchObject({ kind: 'auth-rejected', message: 'authentication rejected for user "app" (535 5.7.8 bad)' });
    const e502 = Object.assign(new Error('x'), { code: 'EAUTH', response: '502 not implemented', responseCode: 502 });
    expect(classifySmtpError(e502, ctx).kind).toBe('auth-unavailable');
  });
  it('reads a refused STARTTLS command as "no STARTTLS" and an OpenSSL error as a TLS failure', () => {
    const noTls = Object.assign(new Error('x'), { code: 'ETLS', command: 'STARTTLS', response: '500 unknown', responseCode: 500 });
    expect(classifySmtpError(noTls, ctx).kind).toBe('no-starttls');
    const ssl = Object.assign(new Error('80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:'), { code: 'ESOCKET' });
    const f = classifySmtpError(ssl, ctx);
    expect(f.kind).toBe('tls');
    expect(f.message).toContain('wrong version number');
    expect(f.message).toContain('does not speak TLS');
  });
});

describe('email.smtp against real SMTP servers', () => {
  let good: TestSmtpServer;
  let implicitTls: TestSmtpServer;
  let wrongPassword: TestSmtpServer;
  let noAuth: TestSmtpServer;
  let noStartTls: TestSmtpServer;
  let selfSigned: TestSmtpServer;
  let slowGreeting: TestSmtpServer;
  let authAfterStartTls: TestSmtpServer;
  let moreMechanisms: TestSmtpServer;
  let silent: { host: string; port: number; close(): Promise<void> };
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    const pki = await testPki();
    dir = mkdtempSync(path.join(tmpdir(), 'readiness-email-smtp-'));
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, pki.ca.certPem);
    const auth = { user: USER, pass: PASSWORD };
    [good, implicitTls, wrongPassword, noAuth, noStartTls, selfSigned, slowGreeting, silent, authAfterStartTls, moreMechanisms] = await Promise.all([
      startSmtpServer({ tls: pki.leaf, auth }),
      startSmtpServer({ tls: pki.leaf, secure: true, auth }),
      startSmtpServer({ tls: pki.leaf, auth: { user: USER, pass: 'a-different-password' } }),
      startSmtpServer({ tls: pki.leaf }),
      startSmtpServer({ auth }),
      startSmtpServer({ tls: pki.selfSigned, auth }),
      startSmtpServer({ tls: pki.leaf, auth, greetingDelayMs: 3000 }),
      startSilentServer(),
      startSmtpServer({ tls: pki.leaf, auth, authOnlyAfterStartTls: true }),
      startSmtpServer({ tls: pki.leaf, auth, authMechanisms: ['PLAIN', 'LOGIN', 'NTLM', 'SCRAM-SHA-256'] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([good, implicitTls, wrongPassword, noAuth, noStartTls, selfSigned, slowGreeting, silent, authAfterStartTls, moreMechanisms].filter(Boolean).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const params = (server: { host: string; port: number }, extra: Record<string, unknown> = {}) => ({
    host: server.host,
    port: server.port,
    username: USER,
    password: PASSWORD,
    ca_file: caFile,
    servername: 'localhost',
    ...extra,
  });

  const expectNoSecret = (v: unknown, logs: string[]) => {
    const all = JSON.stringify(v) + logs.join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(all).not.toContain(Buffer.from(`\u0000${USER}\u0000${PASSWORD}`).toString('base64'));
  };

  it('passes with STARTTLS, a certificate from the given CA and accepted credentials', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, params(good), { logs });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('STARTTLS');
    expect(good.authAttempts).toEqual([{ method: 'PLAIN', username: USER }]);
    expect(good.received).toHaveLength(0); // nothing was sent
    expectNoSecret(v, logs);
  });

  it('passes with implicit TLS on a "465-style" port when secure is set (string from env)', async () => {
    const v = await runCheck(check, params(implicitTls, { secure: 'true' }));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('implicit TLS');
  });

  it('resolves ca_file against the profile directory', async () => {
    const v = await runCheck(check, params(good, { ca_file: 'ca.pem' }), { baseDir: dir });
    expect(v.status).toBe('pass');
  });

  it('fails with the 535 reply when the password is wrong, without leaking it', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, params(wrongPassword), { logs });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^authentication rejected for user "app@example.com" \(535 /);
    expectNoSecret(v, logs);
  });

  it('forces AUTH when the server advertises none, so a server that takes no login fails', async () => {
    const v = await runCheck(check, params(noAuth));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('server does not accept AUTH');
    expect((v.evidence?.details as { authAdvertised: boolean }).authAdvertised).toBe(false);
  });

  it('fails when the server offers no STARTTLS and sends no credentials in plaintext', async () => {
    const v = await runCheck(check, params(noStartTls));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('refused STARTTLS');
    expect(noStartTls.authAttempts).toHaveLength(0);
  });

  it('with require_starttls false: refuses to send credentials in plaintext, and only warns without credentials', async () => {
    const withCreds = await runCheck(check, params(noStartTls, { require_starttls: false }));
    expect(withCreds.status).toBe('fail');
    expect(withCreds.message).toContain('credentials were not sent over an unencrypted connection');
    expect(noStartTls.authAttempts).toHaveLength(0);
    const anonymous = await runCheck(check, { host: noStartTls.host, port: noStartTls.port, require_starttls: 'false' });
    expect(anonymous.status).toBe('warn');
    expect(anonymous.message).toContain('the session is not encrypted');
  });

  type AuthDetails = { authAdvertised: boolean; authMethods: string[]; authAdvertisedIn?: string };
  const authDetails = (v: { evidence?: { details?: unknown } }) => {
    const d = v.evidence?.details as AuthDetails;
    return { authAdvertised: d.authAdvertised, authMethods: d.authMethods, authAdvertisedIn: d.authAdvertisedIn };
  };

  it('evidence: shows AUTH as advertised, with its mechanisms, when the server advertises it only after STARTTLS', async () => {
    const anonymous = await runCheck(check, params(authAfterStartTls, { username: undefined, password: undefined }));
    expect(anonymous.status).toBe('pass');
    expect(authDetails(anonymous)).toEqual({ authAdvertised: true, authMethods: ['PLAIN', 'LOGIN'], authAdvertisedIn: 'tls' });
    const v = await runCheck(check, params(authAfterStartTls));
    expect(v.status).toBe('pass');
    expect(v.message).not.toContain('AUTH was not advertised');
    expect(authDetails(v)).toEqual({ authAdvertised: true, authMethods: ['PLAIN', 'LOGIN'], authAdvertisedIn: 'tls' });
  });

  it('evidence: lists every advertised mechanism, also those nodemailer cannot use (NTLM, SCRAM-SHA-256)', async () => {
    const v = await runCheck(check, params(moreMechanisms));
    expect(v.status).toBe('pass');
    expect(authDetails(v)).toEqual({ authAdvertised: true, authMethods: ['PLAIN', 'LOGIN', 'NTLM', 'SCRAM-SHA-256'], authAdvertisedIn: 'tls' });
  });

  it('evidence: a session that fails at STARTTLS still shows the AUTH its plaintext EHLO advertised', async () => {
    const v = await runCheck(check, params(noStartTls));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('refused STARTTLS');
    expect(authDetails(v)).toEqual({ authAdvertised: true, authMethods: ['PLAIN', 'LOGIN'], authAdvertisedIn: 'plaintext' });
    expect(noStartTls.authAttempts).toHaveLength(0);
  });

  it('evidence: AUTH not advertised when the server offers none', async () => {
    const v = await runCheck(check, params(noAuth, { username: undefined, password: undefined }));
    expect(authDetails(v)).toEqual({ authAdvertised: false, authMethods: [], authAdvertisedIn: 'tls' });
  });

  it('fails on a self-signed certificate before sending credentials', async () => {
    const v = await runCheck(check, params(selfSigned));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the certificate is self-signed');
    expect(selfSigned.authAttempts).toHaveLength(0);
  });

  it('fails on a certificate from an unknown CA when no ca_file is given', async () => {
    const v = await runCheck(check, params(good, { ca_file: undefined }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/not trusted/);
  });

  it('warns instead when certificate verification is turned off', async () => {
    const v = await runCheck(check, params(selfSigned, { verify_certificate: false }));
    expect(v.status).toBe('warn');
    expect(v.message).toContain('verification disabled');
  });

  it('fails with a TLS error when implicit TLS is used against a STARTTLS port', async () => {
    const v = await runCheck(check, params(good, { secure: true }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLS handshake');
  });

  it('reports a greeting timeout as an error (could not check)', async () => {
    const v = await runCheck(check, params(slowGreeting, { greeting_timeout: '500ms' }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('sent no greeting within 500ms');
  });

  it('does not hang on a server that never speaks: ends with error within the check timeout', async () => {
    const started = Date.now();
    const v = await runCheck(check, params(silent), { timeoutMs: 1500 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/no greeting|timed out/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a refused connection as an error', async () => {
    const port = await closedPort();
    const v = await runCheck(check, params({ host: '127.0.0.1', port }));
    expect(v.status).toBe('error');
    expect(v.message).toBe(`connection refused at 127.0.0.1:${port}`);
  });

  it('reports a missing CA file as an error, and a password without user as misconfiguration', async () => {
    expect((await runCheck(check, params(good, { ca_file: path.join(dir, 'missing.pem') }))).message).toMatch(/CA file .* does not exist/);
    const v = await runCheck(check, { host: '127.0.0.1', port: good.port, password: PASSWORD });
    expect(v.status).toBe('error');
    expect(JSON.stringify(v)).not.toContain(PASSWORD);
  });

  it('rejects unknown parameters', () => {
    expect(check.params.safeParse({ host: 'x', pasword: 'typo' }).success).toBe(false);
  });
});
