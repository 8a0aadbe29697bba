// email.sendgrid: the SendGrid API key is valid, may send mail, and the sender address is a verified sender
// or belongs to an authenticated domain. GET-only: /v3/scopes, /v3/verified_senders, /v3/whitelabel/domains.
import { z } from 'zod';
import { defineCheck, error, fail, pass, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { bareAddress, domainOf, maskSecret, scrub } from '../../src/email/redact.js';
import { getJson, HttpCallError, type JsonResponse } from '../../src/email/http.js';

const params = z
  .object({
    api_key: z.string().trim().min(1).describe('SendGrid API key, e.g. `${SENDGRID_API_KEY}`. Never shown (masked to SG.… + last 4).'),
    from: z.string().trim().optional().describe('Sender address the app uses; checked against verified senders and authenticated domains. Default: EMAIL_FROM.'),
    verify_sender: boolish()
      .default(true)
      .describe('Check the sender (needs a key that may read sender verification / domain authentication). Set false for a send-only key.'),
    api_base: z.string().url().default('https://api.sendgrid.com').describe('API base URL (EU: https://api.eu.sendgrid.com; tests: a local server).'),
  })
  .strict();

export interface Call<T> {
  status?: number;
  data?: T;
  /** Network failure or unexpected answer, as a sentence. */
  problem?: string;
}

export interface SendgridFacts {
  scopes: Call<string[]>;
  senders?: Call<Array<{ from_email: string; verified: boolean }>>;
  domains?: Call<Array<{ domain: string; subdomain?: string; valid: boolean }>>;
}

export interface SendgridExpect {
  from?: string;
  verifySender: boolean;
  keyHint: string;
}

const apiError = (body: unknown): string => {
  const errors = (body as { errors?: Array<{ message?: string }> })?.errors;
  return errors?.map((e) => e.message).filter(Boolean).join('; ') || '';
};

/** Pure: the facts SendGrid returned → a verdict. */
export function evaluateSendgrid(f: SendgridFacts, e: SendgridExpect): Verdict {
  const evidence = {
    expected: { scopes: ['mail.send'], sender: e.from ? `${e.from} verified or its domain authenticated` : 'not checked' },
    actual: {
      key: e.keyHint,
      scopes: f.scopes.data,
      verifiedSenders: f.senders?.data?.map((s) => `${s.from_email}${s.verified ? '' : ' (unverified)'}`),
      authenticatedDomains: f.domains?.data?.map((d) => `${d.domain}${d.valid ? '' : ' (not validated)'}`),
    },
  };
  if (f.scopes.problem) {
    return {
      ...error(f.scopes.problem, evidence),
      remediation: 'Check that the SendGrid API (`api_base`, default https://api.sendgrid.com) is reachable from where the check runs (proxy, firewall, DNS), then run the check again.',
    };
  }
  if (f.scopes.status === 401) return fail(`SendGrid rejected the API key ${e.keyHint} (401)`, evidence, 'Create a new API key in SendGrid (Settings → API Keys) and update SENDGRID_API_KEY.');
  if (f.scopes.status !== 200 || !f.scopes.data) return error(`cannot verify the API key ${e.keyHint}: GET /v3/scopes answered ${f.scopes.status}`, evidence);
  if (!f.scopes.data.includes('mail.send')) {
    return fail(`API key ${e.keyHint} lacks the mail.send scope (has ${f.scopes.data.length} other scopes)`, evidence, 'Give the key the "Mail Send" permission (or create a key with it).');
  }
  if (!e.verifySender || !e.from) return pass(`API key ${e.keyHint} is valid with mail.send${e.from ? '' : '; no sender given, sender not checked'}`, evidence);

  const address = bareAddress(e.from);
  const domain = domainOf(address) ?? '';
  const sender = f.senders?.data?.find((s) => s.from_email.toLowerCase() === address);
  const authDomain = f.domains?.data?.find((d) => d.domain.toLowerCase() === domain);
  if (sender?.verified) return pass(`API key ${e.keyHint} has mail.send; ${address} is a verified sender`, evidence);
  if (authDomain?.valid) return pass(`API key ${e.keyHint} has mail.send; ${domain} is an authenticated domain`, evidence);

  const forbidden = [f.senders, f.domains].filter((c) => !c || c.problem || c.status !== 200);
  const found: string[] = [];
  if (sender) found.push(`${address} is registered but not verified`);
  if (authDomain) found.push(`domain authentication for ${domain} is not validated`);
  if (forbidden.length) {
    const why = [f.senders, f.domains]
      .map((c, i) => (c?.problem ? c.problem : c?.status === 403 || c?.status === 401 ? `${i === 0 ? 'verified senders' : 'domain authentication'} not readable (${c.status})` : undefined))
      .filter(Boolean)
      .join('; ');
    return error(
      `cannot verify the sender ${address}: ${why || 'the key may not read sender settings'}${found.length ? ` (${found.join('; ')})` : ''}. The key itself is valid with mail.send; give it read access to sender verification and domain authentication, or set verify_sender: false`,
      evidence,
    );
  }
  return fail(
    `sender ${address} is neither a verified sender nor on an authenticated domain${found.length ? ` (${found.join('; ')})` : ''}`,
    evidence,
    `Authenticate ${domain} in SendGrid (Settings → Sender Authentication) or verify ${address} as a single sender.`,
  );
}

export default defineCheck({
  meta: {
    type: 'email.sendgrid',
    title: 'SendGrid key can send as the configured sender',
    failureTitle: 'SendGrid is not ready to send as the configured sender',
    description:
      'Checks with read-only API calls that the SendGrid API key is valid and has the mail.send scope, and that EMAIL_FROM is a ' +
      'verified sender or on an authenticated domain — otherwise SendGrid refuses or spam-folders the mail.',
    remediation: 'Fix SENDGRID_API_KEY (Mail Send permission) and authenticate the sending domain or verify the sender in SendGrid.',
    docs: 'docs/checks.md#email-sendgrid',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const from = p.from || ctx.env.EMAIL_FROM || undefined;
    const keyHint = maskSecret(p.api_key);
    const base = p.api_base.replace(/\/+$/, '');
    const headers = { authorization: `Bearer ${p.api_key}` };
    const timeoutMs = Math.max(500, ctx.timeoutMs - 250);
    const call = async <T>(path: string, pick: (body: unknown) => T | undefined): Promise<Call<T>> => {
      let res: JsonResponse;
      try {
        res = await getJson(new URL(base + path), headers, ctx.signal, timeoutMs);
      } catch (err) {
        return { problem: err instanceof HttpCallError ? scrub(err.message, [p.api_key]) : 'request failed' };
      }
      ctx.log.debug(`GET ${path} → ${res.status}${res.status >= 400 ? ` ${scrub(apiError(res.body), [p.api_key])}` : ''}`);
      if (res.status !== 200) return { status: res.status };
      const data = pick(res.body);
      return data === undefined ? { status: res.status, problem: `unexpected answer from GET ${path}` } : { status: res.status, data };
    };

    const scopes = await call('/v3/scopes', (b) => {
      const s = (b as { scopes?: unknown })?.scopes;
      return Array.isArray(s) ? s.map(String) : undefined;
    });
    const facts: SendgridFacts = { scopes };
    const needSender = p.verify_sender && from && scopes.status === 200 && scopes.data?.includes('mail.send');
    if (needSender) {
      [facts.senders, facts.domains] = await Promise.all([
        call('/v3/verified_senders?limit=100', (b) => {
          const r = (b as { results?: unknown })?.results;
          return Array.isArray(r) ? r.map((s) => ({ from_email: String(s.from_email ?? ''), verified: s.verified === true })) : undefined;
        }),
        call('/v3/whitelabel/domains?limit=100', (b) =>
          Array.isArray(b) ? b.map((d) => ({ domain: String(d.domain ?? ''), subdomain: d.subdomain, valid: d.valid === true })) : undefined,
        ),
      ]);
    }
    return evaluateSendgrid(facts, { from, verifySender: p.verify_sender, keyHint });
  },
});
