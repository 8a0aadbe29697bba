// The SMTP connection parameters email.smtp, email.send and email.templates share, spelled once.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { CheckContext } from '../check.js';
import { boolish, duration, intish } from '../params.js';
import type { SmtpOptions } from './smtp.js';

export const smtpConnectionShape = {
  host: z.string().trim().min(1).describe('SMTP server host name or IP address, e.g. `${SMTP_HOST}`.'),
  port: intish().pipe(z.number().int().min(1).max(65535)).default(587).describe('SMTP port: 587 (STARTTLS), 465 (implicit TLS) or 25.'),
  secure: boolish()
    .optional()
    .describe('Implicit TLS from the first byte. Default: true on port 465, false otherwise (STARTTLS).'),
  require_starttls: boolish()
    .default(true)
    .describe('Without implicit TLS, fail when the server does not offer STARTTLS. Credentials are never sent unencrypted.'),
  username: z.string().optional().describe('SMTP AUTH user, e.g. `${SMTP_USER}`. When set, AUTH is always attempted.'),
  password: z.string().optional().describe('SMTP AUTH password, e.g. `${SMTP_PASSWORD}`. Never shown in any output.'),
  ca_file: z.string().optional().describe('PEM file with the CA certificate(s) to trust instead of the system CAs, for a private CA (relative to the profile).'),
  verify_certificate: boolish().default(true).describe('Refuse a certificate that does not verify (and send no credentials).'),
  servername: z.string().optional().describe('Name the certificate must cover (SNI), when `host` is an IP address or an alias.'),
  greeting_timeout: duration().default(10_000).describe('How long the server may take to send its 220 greeting.'),
  client_name: z.string().optional().describe('Name sent with EHLO. Default: this machine\'s host name.'),
};

export interface SmtpConnectionParams {
  host: string;
  port: number;
  secure?: boolean;
  require_starttls: boolean;
  username?: string;
  password?: string;
  ca_file?: string;
  verify_certificate: boolean;
  servername?: string;
  greeting_timeout: number;
  client_name?: string;
}

/** Checks the shared parameters refer to: a password without a user is a profile mistake. */
export function credentialsIssue(p: { username?: string; password?: string }): string | undefined {
  if (p.password && !p.username) return 'password is set but username is empty';
  return undefined;
}

/** Builds the session options; throws a plain sentence when the CA file cannot be read. */
export async function toSmtpOptions(p: SmtpConnectionParams, ctx: CheckContext<unknown>): Promise<SmtpOptions> {
  let ca: string | undefined;
  if (p.ca_file) {
    const file = path.resolve(ctx.baseDir, p.ca_file);
    try {
      ca = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new Error(code === 'ENOENT' ? `CA file ${file} does not exist` : `cannot read CA file ${file} (${code ?? 'error'})`);
    }
  }
  // keep a margin so the session reports its own, more precise timeout before the check's signal fires
  const budget = Math.max(500, ctx.timeoutMs - 250);
  return {
    host: p.host,
    port: p.port,
    secure: p.secure ?? p.port === 465,
    requireStartTls: p.require_starttls,
    verifyCertificate: p.verify_certificate,
    ca,
    servername: p.servername,
    username: p.username || undefined,
    password: p.password,
    clientName: p.client_name,
    timeoutMs: budget,
    greetingTimeoutMs: Math.min(p.greeting_timeout, budget),
    signal: ctx.signal,
  };
}
