// email.domain: the sending domain's DNS lets receivers trust the mail: SPF, DKIM, DMARC and MX.
import { z } from 'zod';
import { combine, defineCheck, error, type Verdict } from '../../src/check.js';
import { boolish, intish, oneOrMany } from '../../src/params.js';
import { makeResolver } from '../../src/net/resolver.js';
import { bareAddress, domainOf } from '../../src/email/redact.js';
import {
  evaluateDkim,
  evaluateDmarc,
  evaluateMx,
  evaluateSpf,
  gatherDkim,
  gatherDmarc,
  gatherMx,
  gatherSpf,
  lookupError,
} from '../../src/email/dns-auth.js';

export { evaluateDkim, evaluateDmarc, evaluateMx, evaluateSpf } from '../../src/email/dns-auth.js';

/** What each provider needs in SPF, and the DKIM selectors it uses when they are fixed. */
export const PROVIDERS: Record<string, { spf: string[]; dkim: string[] }> = {
  sendgrid: { spf: ['sendgrid.net'], dkim: ['s1', 's2'] },
  ses: { spf: ['amazonses.com'], dkim: [] },
  mailgun: { spf: ['mailgun.org'], dkim: [] },
  postmark: { spf: ['spf.mtasv.net'], dkim: [] },
  google: { spf: ['_spf.google.com'], dkim: ['google'] },
  microsoft: { spf: ['spf.protection.outlook.com'], dkim: ['selector1', 'selector2'] },
  mailchimp: { spf: ['spf.mandrillapp.com'], dkim: ['k1'] },
  brevo: { spf: ['spf.brevo.com'], dkim: [] },
  sparkpost: { spf: ['sparkpostmail.com'], dkim: [] },
  smtp: { spf: [], dkim: [] },
};

/** DNS failures that differ only in the name asked for read as one: `… (and 2 more DNS queries the same way)`. */
function sayOnce(messages: string[]): string[] {
  const tail = (m: string) => m.replace(/^DNS query for \S+ \S+ /, '');
  if (messages.length > 1 && messages.every((m) => tail(m) === tail(messages[0]))) {
    return [`${messages[0]} (and ${messages.length - 1} more DNS ${messages.length === 2 ? 'query' : 'queries'} the same way)`];
  }
  return messages;
}

/**
 * Pure: the four sub-verdicts (SPF, DKIM, DMARC, MX) of one domain → the check's verdict. A definite problem
 * fails even when other lookups failed; those are kept as unchecked (one unreachable DNS server said once).
 */
export function decideDomain(
  domain: string,
  v: { spf: Verdict; dkim: Verdict; dmarc: Verdict; mx: Verdict },
  where: { spfDomain: string; selectors: string[]; servers?: string[] },
): Verdict {
  const all = [v.spf, v.dkim, v.dmarc, v.mx];
  const verdict = combine(all, `${domain}: ${all.map((x) => x.message).join('; ')}`, {
    expected: { spf: v.spf.evidence?.expected, dkim: v.dkim.evidence?.expected, dmarc: v.dmarc.evidence?.expected, mx: v.mx.evidence?.expected },
    actual: { spf: v.spf.evidence?.actual, dkim: v.dkim.evidence?.actual, dmarc: v.dmarc.evidence?.actual, mx: v.mx.evidence?.actual },
    details: { domain, spfDomain: where.spfDomain, selectors: where.selectors, statuses: { spf: v.spf.status, dkim: v.dkim.status, dmarc: v.dmarc.status, mx: v.mx.status } },
  });
  if (verdict.status === 'error') {
    const errors = all.filter((x) => x.status === 'error').map((x) => x.message);
    const once = sayOnce(errors);
    if (once.length < errors.length) verdict.message = once[0]; // one unreachable DNS server: say it once
  }
  if (verdict.unchecked) verdict.unchecked = sayOnce(verdict.unchecked);
  if (verdict.status !== 'pass') verdict.message = `${domain}: ${verdict.message}`;
  if (verdict.status === 'error') {
    const servers = where.servers;
    verdict.remediation = `The DNS lookups failed, so nothing about the records is known yet: check that ${servers ? `the DNS server${servers.length === 1 ? '' : 's'} ${servers.join(', ')} answer${servers.length === 1 ? 's' : ''}` : 'this machine can resolve names (/etc/resolv.conf)'} and run the check again.`;
  }
  return verdict;
}

const params = z
  .object({
    domain: z.string().trim().toLowerCase().optional().describe('Sending domain, e.g. `example.com`. Default: the domain of `from`.'),
    from: z.string().trim().optional().describe('Sender address; its domain is checked when `domain` is not given. Default: EMAIL_FROM.'),
    provider: z
      .enum(Object.keys(PROVIDERS) as [string, ...string[]])
      .optional()
      .describe('Email provider: adds its SPF include (and its fixed DKIM selectors) to what is expected.'),
    spf_includes: oneOrMany(z.string().trim().toLowerCase()).default([]).describe('Domains SPF must include (directly or nested), e.g. `sendgrid.net`.'),
    spf_domain: z.string().trim().toLowerCase().optional().describe('Domain whose SPF is checked when the envelope sender (Return-Path) differs, e.g. `mail.example.com`.'),
    spf_max_lookups: intish().pipe(z.number().int().min(1)).default(10).describe('DNS lookups SPF may cost, counted recursively (RFC 7208: 10).'),
    dkim_selectors: oneOrMany(z.string().trim().min(1)).default([]).describe('DKIM selectors to check (`<selector>._domainkey.<domain>`; CNAMEs are followed).'),
    receives_mail: boolish().default(true).describe('The domain receives mail (replies, bounces): MX records are required.'),
    servers: oneOrMany(z.string().trim().min(1)).optional().describe('DNS servers (`host` or `host:port`) to ask instead of the system resolver; the same option as dns.records.'),
    dns_servers: oneOrMany(z.string().trim().min(1)).optional().describe('Older name of `servers`.'),
  })
  .strict();

export default defineCheck({
  meta: {
    type: 'email.domain',
    title: 'Sending domain has SPF, DKIM, DMARC and MX in order',
    failureTitle: 'Sending domain DNS is not ready for email',
    description:
      'Receivers decide whether mail is spam from the sending domain\'s DNS: exactly one SPF record ending in -all/~all that ' +
      'includes the provider within 10 DNS lookups, a DKIM key for each selector, a DMARC policy of quarantine or reject with ' +
      'reports (rua), and MX records when the domain receives mail.',
    remediation: 'Publish the SPF, DKIM and DMARC records your email provider shows for this domain, then run the check again (DNS caches may take the record\'s TTL).',
    docs: 'docs/checks.md#email-domain',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const from = p.from || ctx.env.EMAIL_FROM;
    const domain = p.domain || (from ? domainOf(bareAddress(from)) : undefined);
    if (!domain) return error('misconfigured: give `domain` or a `from` address (or set EMAIL_FROM)');
    const servers = p.servers ?? p.dns_servers;
    const resolver = makeResolver({ servers, timeoutMs: Math.min(5000, Math.max(500, ctx.timeoutMs / 4)) });
    const onAbort = () => resolver.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const provider = p.provider ? PROVIDERS[p.provider] : undefined;
    const spfIncludes = [...new Set([...(provider?.spf ?? []), ...p.spf_includes])];
    const selectors = p.dkim_selectors.length ? p.dkim_selectors : provider?.dkim ?? [];
    const spfDomain = p.spf_domain ?? domain;
    ctx.log.debug(`email.domain ${domain}: SPF at ${spfDomain}, DKIM selectors ${selectors.join(', ') || 'none'}${servers ? `, DNS ${servers.join(', ')}` : ''}`);

    const part = async (fn: () => Promise<Verdict>): Promise<Verdict> => {
      try {
        return await fn();
      } catch (err) {
        if (ctx.signal.aborted) return error(`DNS lookups for ${domain} timed out after ${Math.round(ctx.timeoutMs / 1000)}s`);
        return lookupError(err);
      }
    };
    // Each selector on its own: one that does not resolve must not hide what the others show.
    const dkimPart = async (): Promise<Verdict> => {
      const results = await Promise.allSettled(selectors.map((s) => gatherDkim(resolver, domain, s)));
      if (ctx.signal.aborted) throw new Error('aborted');
      const found = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const unresolved = results.flatMap((r) => (r.status === 'rejected' ? [lookupError(r.reason).message] : []));
      return evaluateDkim(found, unresolved);
    };
    try {
      const [spf, dkim, dmarc, mx] = await Promise.all([
        part(async () => evaluateSpf(await gatherSpf(resolver, spfDomain, p.spf_max_lookups), { includes: spfIncludes, maxLookups: p.spf_max_lookups })),
        part(dkimPart),
        part(async () => evaluateDmarc(await gatherDmarc(resolver, domain))),
        part(async () => evaluateMx(await gatherMx(resolver, domain), domain, p.receives_mail)),
      ]);
      return decideDomain(domain, { spf, dkim, dmarc, mx }, { spfDomain, selectors, servers });
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});
