// email.smtp: the SMTP server takes a TLS connection with a trusted certificate and accepts the configured
// credentials. Connect, EHLO, STARTTLS (or implicit TLS), AUTH — forced even when the server does not
// advertise AUTH — then QUIT without sending anything.
import { z } from 'zod';
import { defineCheck, error } from '../../src/check.js';
import { intish } from '../../src/params.js';
import { smtpSession } from '../../src/email/smtp.js';
import { credentialsIssue, smtpConnectionShape, toSmtpOptions } from '../../src/email/smtp-params.js';
import { evaluateSmtp } from '../../src/email/smtp-verdict.js';
import { scrub } from '../../src/email/redact.js';

export { evaluateSmtp as evaluate } from '../../src/email/smtp-verdict.js';

const params = z
  .object({
    ...smtpConnectionShape,
    cert_warn_days: intish().pipe(z.number().int().min(0)).default(14).describe('Warn when the server certificate expires within this many days.'),
  })
  .strict();

export default defineCheck({
  meta: {
    type: 'email.smtp',
    title: 'SMTP server accepts a secure, authenticated session',
    failureTitle: 'SMTP server does not accept a secure, authenticated session',
    description:
      'Transactional email (password resets, receipts) goes through this server. The check connects, requires STARTTLS ' +
      '(or implicit TLS on 465) with a trusted certificate, and logs in with the configured credentials — even when the ' +
      'server does not advertise AUTH, where nodemailer\'s verify() would report success without logging in. It sends nothing.',
    remediation:
      'Check SMTP_HOST, SMTP_PORT, SMTP_USER and SMTP_PASSWORD; use port 587 with STARTTLS or 465 with secure: true; ' +
      'make sure the server certificate is valid for the host name.',
    docs: 'docs/checks.md#email-smtp',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const issue = credentialsIssue(p);
    if (issue) return error(`misconfigured: ${issue}`);
    let options;
    try {
      options = await toSmtpOptions(p, ctx);
    } catch (err) {
      return error((err as Error).message);
    }
    ctx.log.debug(`SMTP ${options.host}:${options.port} ${options.secure ? 'implicit TLS' : 'STARTTLS'}${options.username ? ` as ${options.username}` : ''}`);
    const { facts } = await smtpSession(options);
    ctx.log.debug(scrub(`SMTP session: tls=${facts.tlsMode} auth=${facts.authenticated === undefined ? 'not attempted' : facts.authenticated ? 'accepted' : 'rejected'} failure=${facts.failure?.kind ?? 'none'}`, [p.password]));
    return evaluateSmtp(facts, {
      secure: options.secure,
      requireStartTls: p.require_starttls,
      verifyCertificate: p.verify_certificate,
      credentials: !!options.username,
      username: options.username,
      certWarnDays: p.cert_warn_days,
    });
  },
});
