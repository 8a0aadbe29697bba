// Sending one message over an SMTP session opened by smtpSession(): used by email.send and by
// email.templates' opt-in delivery. The subject always says it is a readiness test.
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { loadMailComposer } from '../sdk.js';
import type { SmtpAction } from './smtp.js';

export const TEST_SUBJECT_PREFIX = '[readiness test]';

export interface TestMessage {
  from: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
}

export interface SendOutcome {
  accepted: string[];
  rejected: string[];
  /** The server's final reply, e.g. `250 2.0.0 Ok: queued as 4F2A1`. */
  response: string;
  /** Message-ID we set; `serverMessageId` when the server replaced it (SES, Microsoft 365). */
  messageId: string;
  serverMessageId?: string;
  sizeBytes: number;
}

/** Marks a subject as a readiness test (once). */
export function testSubject(subject: string): string {
  return subject.startsWith(TEST_SUBJECT_PREFIX) ? subject : `${TEST_SUBJECT_PREFIX} ${subject}`;
}

interface SmtpSendInfo {
  accepted: string[];
  rejected: string[];
  response: string;
  serverMessageId?: string;
}

export function sendAction(message: TestMessage): SmtpAction<SendOutcome> {
  return async (conn: SMTPConnection) => {
    const MailComposer = await loadMailComposer();
    const node = new MailComposer({
      from: message.from,
      to: message.to,
      subject: testSubject(message.subject),
      text: message.text,
      html: message.html,
      headers: { 'X-Readiness-Test': 'true', 'Auto-Submitted': 'auto-generated' },
    }).compile();
    const raw = await node.build();
    const envelope = node.getEnvelope();
    const info = await new Promise<SmtpSendInfo>((resolve, reject) => {
      conn.send({ from: envelope.from, to: envelope.to }, raw, (err, result) => (err ? reject(err) : resolve(result!)));
    });
    return {
      accepted: info.accepted,
      rejected: info.rejected,
      response: info.response,
      messageId: node.messageId(),
      serverMessageId: info.serverMessageId,
      sizeBytes: raw.length,
    };
  };
}
