// email.send (ACTIVE, opt-in): sends one test message through the SMTP server to a given address and
// reports the server's acceptance and the message id. Nothing is sent unless `allow_send: true`.
import { z } from 'zod';
import { defineCheck, error, fail, pass, notOptedIn, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { smtpSession, type SmtpSessionFacts } from '../../src/email/smtp.js';
import { credentialsIssue, smtpConnectionShape, toSmtpOptions } from '../../src/email/smtp-params.js';
import { smtpEvidence, smtpFailureVerdict, type SmtpExpectations } from '../../src/email/smtp-verdict.js';
import { sendAction, testSubject, type SendOutcome } from '../../src/email/send.js';
import { scrub } from '../../src/email/redact.js';

const params = z
  .object({
    ...smtpConnectionShape,
    allow_send: boolish()
      .default(false)
      .describe('Opt-in: this check sends a real email. Nothing is sent unless this is true.'),
    from: z.string().trim().min(3).describe('Sender address, e.g. `${EMAIL_FROM}` (may include a display name).'),
    to: z.string().trim().min(3).describe('Recipient of the test message: a mailbox you read (or a seed/inbox-test address).'),
    subject: z.string().default('delivery check').describe('Subject; always prefixed with "[readiness test]".'),
  })
  .strict();

/** Pure: what a finished send attempt means. */
export function evaluateSend(facts: SmtpSessionFacts, outcome: SendOutcome | undefined, expect: SmtpExpectations & { to: string }): Verdict {
  const evidence = smtpEvidence(facts, expect);
  evidence.expected = { ...(evidence.expected as object), accepted: [expect.to] };
  if (facts.failure) return smtpFailureVerdict(facts, evidence);
  if (!outcome) return error('the SMTP session ended before the message was sent', evidence);
  evidence.actual = { ...(evidence.actual as object), accepted: outcome.accepted, rejected: outcome.rejected, response: outcome.response };
  evidence.details = { ...evidence.details, messageId: outcome.messageId, serverMessageId: outcome.serverMessageId, sizeBytes: outcome.sizeBytes };
  if (outcome.rejected.length) {
    return fail(`server rejected recipient ${outcome.rejected.join(', ')} (${outcome.response})`, evidence);
  }
  const id = outcome.serverMessageId ?? outcome.messageId;
  return pass(`test message to ${outcome.accepted.join(', ')} accepted by ${facts.host}:${facts.port}: "${outcome.response}", message id ${id}`, evidence);
}

export default defineCheck({
  meta: {
    type: 'email.send',
    title: 'Test email accepted by the mail server',
    failureTitle: 'Test email was not accepted by the mail server',
    description:
      'ACTIVE, opt-in (allow_send: true): sends one message whose subject starts with "[readiness test]" through the ' +
      'configured SMTP server to the given address, and reports the server\'s acceptance and the message id. It proves ' +
      'the sender address is allowed, which a login alone cannot. Check the inbox (not spam) by hand afterwards.',
    remediation:
      'Check the SMTP settings (see email.smtp) and that EMAIL_FROM is a sender the provider allows (verified sender or authenticated domain).',
    docs: 'docs/checks.md#email-send',
    active: true,
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    if (!p.allow_send) return notOptedIn('not sent: email.send sends a real message; set allow_send: true to opt in');
    const issue = credentialsIssue(p);
    if (issue) return error(`misconfigured: ${issue}`);
    let options;
    try {
      options = await toSmtpOptions(p, ctx);
    } catch (err) {
      return error((err as Error).message);
    }
    ctx.log.debug(`sending "${testSubject(p.subject)}" to ${p.to} via ${options.host}:${options.port}`);
    const { facts, result } = await smtpSession(options, sendAction({
      from: p.from,
      to: p.to,
      subject: p.subject,
      text: `This message was sent by the readiness email.send check at ${new Date().toISOString()} to prove that mail from ${p.from} is accepted. No action is needed.`,
    }));
    ctx.log.debug(scrub(`send finished: failure=${facts.failure?.kind ?? 'none'} response=${result?.response ?? '-'}`, [p.password]));
    return evaluateSend(facts, result, {
      secure: options.secure,
      requireStartTls: p.require_starttls,
      verifyCertificate: p.verify_certificate,
      credentials: !!options.username,
      username: options.username,
      certWarnDays: 0,
      to: p.to,
    });
  },
});
