// Sender-domain DNS for email: SPF (with the recursive 10-lookup count), DKIM (following CNAMEs), DMARC
// and MX. Gathering functions take the shared resolver; parsing and judging functions are pure.
import type { Resolver } from 'node:dns/promises';
import { error, fail, failAndUnchecked, pass, warn, type Verdict } from '../check.js';
import { isNoData, resolveTxtJoined } from '../net/resolver.js';

// ---------- parsing (pure) ----------

export interface SpfTerm {
  qualifier: '+' | '-' | '~' | '?';
  /** Lower-case mechanism (`include`, `a`, `mx`, `ip4`, `all`...) or modifier (`redirect`, `exp`). */
  name: string;
  value?: string;
  modifier: boolean;
}

export const isSpf = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
export const isDmarc = (txt: string) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(txt.trim());

export function parseSpf(record: string): SpfTerm[] {
  return record
    .trim()
    .split(/\s+/)
    .slice(1)
    .filter(Boolean)
    .map((raw) => {
      const modifier = /^[a-z][a-z0-9_.-]*=/i.test(raw);
      if (modifier) {
        const eq = raw.indexOf('=');
        return { qualifier: '+', name: raw.slice(0, eq).toLowerCase(), value: raw.slice(eq + 1), modifier: true };
      }
      const qualifier = '+-~?'.includes(raw[0]) ? (raw[0] as SpfTerm['qualifier']) : '+';
      const body = '+-~?'.includes(raw[0]) ? raw.slice(1) : raw;
      const m = /^([a-z0-9]+)(?:[:/](.*))?$/i.exec(body);
      const name = (m?.[1] ?? body).toLowerCase();
      const value = m?.[2] !== undefined && body[name.length] === ':' ? m[2] : undefined;
      return { qualifier, name, value, modifier: false };
    });
}

/** Terms that cost a DNS lookup toward the RFC 7208 limit of 10. */
const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);
export const spfTermLookups = (terms: SpfTerm[]) => terms.filter((t) => LOOKUP_TERMS.has(t.name)).length;

/** `k=v; k2=v2` tag lists (DKIM, DMARC). Keys lower-cased, values trimmed. */
export function parseTags(record: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    tags[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return tags;
}

// ---------- gathering (I/O) ----------

/** DNS failure other than "no such record", as a sentence. */
export function dnsFailure(err: unknown, type: string, name: string): string {
  const code = (err as { code?: string })?.code ?? 'error';
  const words: Record<string, string> = {
    ETIMEOUT: 'timed out',
    ECONNREFUSED: 'failed: no DNS server answers at the configured address (connection refused)',
    ESERVFAIL: 'failed at the DNS server (SERVFAIL)',
    EREFUSED: 'was refused by the DNS server (REFUSED)',
    ECANCELLED: 'was cancelled',
    EBADRESP: 'got a malformed answer',
  };
  return `DNS query for ${type} ${name} ${words[code] ?? `failed (${code})`}`;
}

export class DnsLookupError extends Error {}

async function txt(resolver: Resolver, name: string): Promise<string[]> {
  try {
    return await resolveTxtJoined(resolver, name);
  } catch (err) {
    throw new DnsLookupError(dnsFailure(err, 'TXT', name));
  }
}

export interface SpfFacts {
  domain: string;
  /** The `v=spf1` TXT records at the domain itself. */
  records: string[];
  /** DNS lookups the whole record tree costs. */
  lookups: number;
  /** Every domain reached through include: and redirect=, in order. */
  includes: string[];
  /** Problems found in included records (missing, duplicated, loops). */
  nested: string[];
  /** Included records whose lookup failed (timeout, SERVFAIL): their part of the tree is unknown. */
  unresolved?: string[];
}

export async function gatherSpf(resolver: Resolver, domain: string, maxLookups: number): Promise<SpfFacts> {
  const facts: SpfFacts = { domain, records: [], lookups: 0, includes: [], nested: [] };
  const visiting = new Set<string>();
  const walk = async (name: string, depth: number): Promise<void> => {
    let found: string[];
    try {
      found = await txt(resolver, name);
    } catch (err) {
      // The domain's own record is the check; an include that does not resolve leaves only its branch unknown.
      if (depth === 0 || !(err instanceof DnsLookupError)) throw err;
      (facts.unresolved ??= []).push(err.message);
      return;
    }
    const records = found.filter(isSpf);
    if (depth === 0) facts.records = records;
    else if (records.length !== 1) {
      facts.nested.push(records.length === 0 ? `${name} (included) has no SPF record` : `${name} (included) has ${records.length} SPF records`);
    }
    if (records.length !== 1) return;
    const terms = parseSpf(records[0]);
    facts.lookups += spfTermLookups(terms);
    for (const t of terms) {
      if ((t.name !== 'include' && t.name !== 'redirect') || !t.value) continue;
      const target = t.value.toLowerCase().replace(/\.$/, '');
      facts.includes.push(target);
      if (target.includes('%{')) continue; // macros expand per message: counted, not followed
      if (visiting.has(target)) {
        facts.nested.push(`${target} is included in a loop`);
        continue;
      }
      // past the limit the verdict is already a failure: stop walking, keep the count honest enough
      if (facts.lookups > maxLookups + 10 || depth > 10) continue;
      if (t.name === 'redirect' && terms.some((x) => x.name === 'all')) continue; // redirect is ignored when all is present
      visiting.add(target);
      await walk(target, depth + 1);
      visiting.delete(target);
    }
  };
  visiting.add(domain);
  await walk(domain, 0);
  return facts;
}

export interface DkimFacts {
  selector: string;
  name: string;
  /** CNAME hops followed from `name`. */
  cnames: string[];
  /** TXT records at the end of the chain. */
  records: string[];
}

export async function gatherDkim(resolver: Resolver, domain: string, selector: string): Promise<DkimFacts> {
  const name = `${selector}._domainkey.${domain}`;
  const cnames: string[] = [];
  let current = name;
  // a CNAME answer makes resolveTxt return nothing: follow the chain first
  for (let hop = 0; hop < 8; hop++) {
    let target: string | undefined;
    try {
      target = (await resolver.resolveCname(current))[0];
    } catch (err) {
      if (!isNoData(err)) throw new DnsLookupError(dnsFailure(err, 'CNAME', current));
    }
    if (!target) break;
    current = target.toLowerCase().replace(/\.$/, '');
    cnames.push(current);
  }
  return { selector, name, cnames, records: await txt(resolver, current) };
}

export interface DmarcFacts {
  /** Where the record was looked for first: `_dmarc.<domain>`. */
  name: string;
  records: string[];
  /** Set when the record came from the organizational domain (then `sp=` applies). */
  inheritedFrom?: string;
}

export async function gatherDmarc(resolver: Resolver, domain: string): Promise<DmarcFacts> {
  const name = `_dmarc.${domain}`;
  const records = (await txt(resolver, name)).filter(isDmarc);
  if (records.length) return { name, records };
  const labels = domain.split('.');
  if (labels.length > 2) {
    const org = labels.slice(-2).join('.');
    const orgRecords = (await txt(resolver, `_dmarc.${org}`)).filter(isDmarc);
    if (orgRecords.length) return { name, records: orgRecords, inheritedFrom: org };
  }
  return { name, records };
}

export interface MxFacts {
  hosts: Array<{ exchange: string; priority: number }>;
}

export async function gatherMx(resolver: Resolver, domain: string): Promise<MxFacts> {
  try {
    return { hosts: (await resolver.resolveMx(domain)).sort((a, b) => a.priority - b.priority) };
  } catch (err) {
    if (isNoData(err)) return { hosts: [] };
    throw new DnsLookupError(dnsFailure(err, 'MX', domain));
  }
}

// ---------- judging (pure) ----------

/** True when `domain` is `expected` or a subdomain of it (u123.wl.sendgrid.net matches sendgrid.net). */
const coveredBy = (domain: string, expected: string) => domain === expected || domain.endsWith(`.${expected}`);

export function evaluateSpf(f: SpfFacts, expect: { includes: string[]; maxLookups: number }): Verdict {
  const ev = { expected: { records: 1, all: '-all or ~all', maxLookups: expect.maxLookups, includes: expect.includes }, actual: { records: f.records, lookups: f.lookups, includes: f.includes }, details: { nested: f.nested } };
  if (f.records.length === 0) return fail(`no SPF record (v=spf1) at ${f.domain}`, ev, `Publish one TXT record at ${f.domain}: "v=spf1 ${expect.includes.map((i) => `include:${i} `).join('')}~all".`);
  if (f.records.length > 1) return fail(`${f.records.length} SPF records at ${f.domain}; exactly one is allowed (receivers treat this as a permanent error)`, ev, 'Merge the SPF records into one v=spf1 TXT record.');
  const terms = parseSpf(f.records[0]);
  const all = terms.find((t) => t.name === 'all');
  const redirect = terms.find((t) => t.name === 'redirect');
  const problems: string[] = [];
  if (all && all.qualifier === '+') problems.push(`SPF ends with ${/\+all/i.test(f.records[0]) ? '+all' : 'all'}, which lets any server send as ${f.domain}`);
  else if (all && all.qualifier === '?') problems.push('SPF ends with ?all (neutral), expected -all or ~all');
  else if (!all && !redirect) problems.push('SPF has no final -all or ~all');
  if (f.lookups > expect.maxLookups) problems.push(`SPF needs ${f.lookups} DNS lookups, over the limit of ${expect.maxLookups}`);
  const missing = expect.includes.filter((inc) => !f.includes.some((d) => coveredBy(d, inc)));
  const unresolved = f.unresolved ?? [];
  // A provider include may sit inside an include that did not resolve: then its absence is not known.
  if (missing.length && !unresolved.length) problems.push(`SPF does not include ${missing.map((m) => `include:${m}`).join(', ')} (found: ${f.includes.join(', ') || 'no includes'})`);
  problems.push(...f.nested.map((n) => `SPF ${n}`));
  const unknown = unresolved.length
    ? [`included SPF record${unresolved.length === 1 ? '' : 's'} could not be read (${unresolved.join('; ')})${missing.length ? `, so whether SPF includes ${missing.map((m) => `include:${m}`).join(', ')} is unknown` : ''}`]
    : [];
  if (problems.length) {
    return failAndUnchecked(fail(problems.join('; '), ev, 'Fix the SPF record: one v=spf1 record, the provider\'s include, at most 10 lookups (flatten nested includes), ending in ~all or -all.'), unknown);
  }
  if (unknown.length) return error(unknown[0], ev);
  const ending = all ? `${all.qualifier === '+' ? '' : all.qualifier}all` : `redirect=${redirect!.value}`;
  return pass(`SPF ${ending}, ${f.lookups} DNS lookup${f.lookups === 1 ? '' : 's'}${expect.includes.length ? `, includes ${expect.includes.join(', ')}` : ''}`, ev);
}

/** `unresolved`: lookups of other selectors that failed (could not check those), as sentences. */
export function evaluateDkim(list: DkimFacts[], unresolved: string[] = []): Verdict {
  const ev = { expected: 'a DKIM record with a non-empty p= for every selector', actual: list.map((d) => ({ name: d.name, cnames: d.cnames, records: d.records.map((r) => (r.length > 80 ? `${r.slice(0, 77)}...` : r)) })) };
  if (list.length === 0 && unresolved.length === 0) return warn('DKIM not checked: no dkim_selectors given (selectors cannot be discovered from DNS)', ev);
  const problems: string[] = [];
  for (const d of list) {
    const end = d.cnames.length ? `${d.name} → ${d.cnames.join(' → ')}` : d.name;
    const keys = d.records.filter((r) => /(^|;)\s*p\s*=/i.test(r));
    if (keys.length === 0) {
      problems.push(`no DKIM record at ${end}`);
      continue;
    }
    if (keys.length > 1) problems.push(`${keys.length} DKIM records at ${end}`);
    const tags = parseTags(keys[0]);
    if (!tags.p) problems.push(`DKIM key at ${end} is revoked (empty p=)`);
    else if (!/^[A-Za-z0-9+/=\s]+$/.test(tags.p)) problems.push(`DKIM key at ${end} is not base64`);
  }
  if (problems.length) return failAndUnchecked(fail(problems.join('; '), ev, 'Publish the DKIM records (often CNAMEs) exactly as the provider shows them, for each selector.'), unresolved);
  if (unresolved.length) return error(unresolved.join('; '), ev);
  return pass(`DKIM ${list.map((d) => d.selector).join(', ')} ok`, ev);
}

export function evaluateDmarc(f: DmarcFacts): Verdict {
  const ev = { expected: { records: 1, p: 'quarantine or reject', rua: 'present' }, actual: { name: f.name, records: f.records, inheritedFrom: f.inheritedFrom } };
  if (f.records.length === 0) return fail(`no DMARC record at ${f.name}`, ev, `Publish a TXT record at ${f.name}: "v=DMARC1; p=quarantine; rua=mailto:dmarc@<your domain>".`);
  if (f.records.length > 1) return fail(`${f.records.length} DMARC records at ${f.name}; exactly one is allowed`, ev, 'Keep a single v=DMARC1 record.');
  const tags = parseTags(f.records[0]);
  const policy = (f.inheritedFrom ? tags.sp ?? tags.p : tags.p)?.toLowerCase();
  const source = f.inheritedFrom ? ` (inherited from _dmarc.${f.inheritedFrom})` : '';
  if (!policy || !['none', 'quarantine', 'reject'].includes(policy)) {
    return fail(`DMARC record${source} has ${policy ? `an invalid policy p=${policy}` : 'no p= policy'}`, ev, 'Set p=quarantine or p=reject.');
  }
  const concerns: string[] = [];
  if (policy === 'none') concerns.push(`DMARC policy is p=none${source}: spoofed mail is only reported, not stopped (expected quarantine or reject)`);
  if (!tags.rua) concerns.push(`DMARC record${source} has no rua= address, so no aggregate reports arrive`);
  if (tags.pct && Number(tags.pct) < 100) concerns.push(`DMARC applies to pct=${tags.pct}% of mail only`);
  if (concerns.length) return warn(concerns.join('; '), ev);
  return pass(`DMARC p=${policy}${source} with rua`, ev);
}

export function evaluateMx(f: MxFacts, domain: string, receivesMail: boolean): Verdict {
  const isNull = (h: { exchange: string }) => h.exchange === '' || h.exchange === '.';
  const ev = { expected: receivesMail ? 'at least one MX host' : 'not required', actual: f.hosts };
  const real = f.hosts.filter((h) => !isNull(h));
  if (!receivesMail) return pass(real.length ? `MX ${real.length} host(s)` : 'no MX (not required)', ev);
  if (real.length === 0) {
    const why = f.hosts.length ? 'a null MX ("0 .") says the domain accepts no mail' : 'no MX record';
    return fail(`${domain} receives mail but has ${why}`, ev, `Publish MX records for ${domain}, or set receives_mail: false if it never receives mail (bounces and replies go elsewhere).`);
  }
  return pass(`MX ${real.map((h) => h.exchange).join(', ')}`, ev);
}

/** A verdict for a lookup that failed for a reason other than "no such record". */
export function lookupError(err: unknown): Verdict {
  return error(err instanceof DnsLookupError ? err.message : `DNS lookup failed: ${(err as Error)?.message ?? String(err)}`);
}
