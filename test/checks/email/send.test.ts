import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateSend } from '../../../checks/email/send.js';
import type { SmtpSessionFacts } from '../../../src/email/smtp.js';
import { runCheck } from '../../support/run-check.js';
import { startSmtpServer, testPki, type TestSmtpServer } from '../../support/email-smtp.js';

const PASSWORD = 'send-check-Pa55word-never-shown';
const USER = 'mailer';

describe('email.send decision', () => {
  const facts: SmtpSessionFacts = { host: 'mx', port: 587, tlsMode: 'starttls', authAdvertised: true, authMethods: ['PLAIN'], authenticated: true, durationMs: 1 };
  const expect_ = { secure: false, requireStartTls: true, verifyCertificate: true, credentials: true, username: USER, certWarnDays: 0, to: 'ops@example.com' };

  it('passes with the server response and the message id', () => {
    const v = evaluateSend(facts, { accepted: ['ops@example.com'], rejected: [], response: '250 Ok: queued as X1', messageId: '<a@b>', sizeBytes: 400 }, expect_);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('test message to ops@example.com accepted by mx:587: "250 Ok: queued as X1", message id <a@b>');
  });

  it('prefers the id the server assigned (SES, Microsoft 365)', () => {
    const v = evaluateSend(facts, { accepted: ['ops@example.com'], rejected: [], response: '250 Ok 0100abc', messageId: '<a@b>', serverMessageId: '<0100abc@email.amazonses.com>', sizeBytes: 1 }, expect_);
    expect(v.message).toContain('<0100abc@email.amazonses.com>');
  });

  it('fails when the recipient was rejected', () => {
    const v = evaluateSend(facts, { accepted: [], rejected: ['ops@example.com'], response: '550 no such user', messageId: '<a@b>', sizeBytes: 1 }, expect_);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('rejected recipient ops@example.com');
  });

  it('reports a session failure as the SMTP check would', () => {
    const v = evaluateSend({ ...facts, failure: { kind: 'send-rejected', message: 'server refused the message at MAIL FROM (550 nope)' } }, undefined, expect_);
    expect(v.status).toBe('fail');
    expect(evaluateSend({ ...facts, failure: { kind: 'refused', message: 'connection refused at mx:587' } }, undefined, expect_).status).toBe('error');
  });
});

describe('email.send against a real SMTP server', () => {
  let server: TestSmtpServer;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    const pki = await testPki();
    dir = mkdtempSync(path.join(tmpdir(), 'readiness-email-send-'));
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, pki.ca.certPem);
    server = await startSmtpServer({ tls: pki.leaf, auth: { user: USER, pass: PASSWORD }, rejectSender: 'blocked@example.com' });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const params = (extra: Record<string, unknown> = {}) => ({
    host: server.host,
    port: server.port,
    servername: 'localhost',
    ca_file: caFile,
    username: USER,
    password: PASSWORD,
    from: 'App <noreply@example.com>',
    to: 'ops@example.com',
    ...extra,
  });

  it('is declared active and sends nothing without the opt-in', async () => {
    expect(check.meta.active).toBe(true);
    const v = await runCheck(check, params());
    expect(v.status).toBe('skip');
    expect(v.message).toContain('allow_send: true');
    expect(server.received).toHaveLength(0);
  });

  it('sends one message marked as a readiness test and reports acceptance and id', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, params({ allow_send: 'true' }), { logs });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('Ok: queued as READINESS-TEST-1');
    expect(server.received).toHaveLength(1);
    const msg = server.received[0];
    expect(msg.from).toBe('noreply@example.com');
    expect(msg.to).toEqual(['ops@example.com']);
    expect(msg.user).toBe(USER);
    expect(msg.data).toMatch(/^Subject: \[readiness test\] delivery check/m);
    const messageId = /^Message-ID: (<[^>]+>)/im.exec(msg.data)?.[1];
    expect(messageId).toBeTruthy();
    expect(v.message).toContain(messageId!);
    const all = JSON.stringify(v) + logs.join('\n');
    expect(all).not.toContain(PASSWORD);
  });

  it('fails with the server reply when the sender is not allowed', async () => {
    const before = server.received.length;
    const v = await runCheck(check, params({ allow_send: true, from: 'blocked@example.com' }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/refused the message at MAIL FROM \(550 .*not allowed\)/);
    expect(server.received).toHaveLength(before);
  });

  it('fails on wrong credentials without sending', async () => {
    const before = server.received.length;
    const v = await runCheck(check, params({ allow_send: true, password: 'wrong-password-1234' }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('535');
    expect(JSON.stringify(v)).not.toContain('wrong-password-1234');
    expect(server.received).toHaveLength(before);
  });
});
