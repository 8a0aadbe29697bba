// dns.records: A/AAAA/CNAME/CAA/MX/TXT/NS records for the names a site needs (root, www, api) exist and,
// when given, hold the expected values. The resolver is configurable (tests use a local DNS server).
import { z } from 'zod';
import type { Resolver } from 'node:dns/promises';
import { combine, defineCheck, error, fail, failAndUnchecked, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { isNoData, makeResolver, resolveTxtJoined } from '../../src/net/resolver.js';

const TYPES = ['address', 'A', 'AAAA', 'CNAME', 'CAA', 'MX', 'TXT', 'NS'] as const;
export type RecordType = (typeof TYPES)[number];

const record = z
  .object({
    name: z.string().trim().min(1).describe('`@` for the domain itself, a label relative to `domain` (`www`, `api`), or a full name ending in a dot.'),
    type: z.enum(TYPES).default('address').describe('`address` = an A or AAAA record (either); or a record type.'),
    expect: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional()
      .describe('Values that must be present (IP, target name, `10 mx.example.com`, CAA issuer such as letsencrypt.org, TXT text).'),
    exact: boolish().default(false).describe('Require exactly the expected values, nothing else.'),
  })
  .strict();

export const params = z
  .object({
    domain: z.string().trim().min(1).optional().describe('Base domain for relative names (example.com).'),
    records: z
      .array(record)
      .default([
        { name: '@', type: 'address', exact: false },
        { name: 'www', type: 'address', exact: false },
      ])
      .describe("Records to look up, each `{ name, type, expect, exact }` (e.g. `{ name: www, type: CNAME, expect: app.example.net }`); default: an address for the domain and for www."),
    servers: z.array(z.string().min(1)).default([]).describe('DNS servers to ask (`1.1.1.1`, `127.0.0.1:5353`); default: the system resolver.'),
  })
  .strict()
  .refine((v) => v.domain || v.records.every((r) => r.name.includes('.') && r.name !== '@'), 'relative record names (`@`, `www`) need `domain`');
export type Params = z.output<typeof params>;
export type RecordSpec = Params['records'][number];

export interface RecordFacts {
  name: string;
  type: RecordType;
  /** Normalised values found; empty when the name has no such record. */
  values: string[];
  expect?: string[];
  exact: boolean;
  /** Lookup failure that is not "no such record" (timeout, SERVFAIL, refused). */
  error?: string;
}

export const normalize = (v: string) => v.trim().toLowerCase().replace(/\.$/, '');

/** Full name for a spec: `@` → domain, `www` → www.domain, `x.y.` → x.y. */
export function fullName(name: string, domain?: string): string {
  if (name === '@') return normalize(domain ?? '');
  if (name.endsWith('.') || !domain) return normalize(name);
  return normalize(name.endsWith(normalize(domain)) ? name : `${name}.${domain}`);
}

function matches(found: string, expected: string, type: RecordType): boolean {
  const f = normalize(found);
  const e = normalize(expected);
  if (f === e) return true;
  if (type === 'MX') return f.split(' ').pop() === e; // `10 mx.example.com` matches `mx.example.com`
  if (type === 'CAA') return /"([^"]*)"$/.exec(f)?.[1] === e; // `0 issue "letsencrypt.org"` matches `letsencrypt.org`
  return false;
}

/** Pure decision over all lookups. */
export function evaluateRecords(all: RecordFacts[]): Verdict {
  const errors = all.filter((r) => r.error);
  const lookupFailed = errors.length ? error(errors.map((r) => `${r.type} lookup for ${r.name} failed: ${r.error}`).join('; '), { actual: all }) : undefined;
  const parts: Verdict[] = [];
  const label = (r: RecordFacts) => (r.type === 'address' ? 'A/AAAA' : r.type);
  // Records whose lookup failed are not judged; the others are, and a wrong one fails with those named as unchecked.
  for (const r of all.filter((x) => !x.error)) {
    if (r.values.length === 0) {
      parts.push(fail(`no ${label(r)} record for ${r.name}${r.expect ? `; expected ${r.expect.join(', ')}` : ''}`, undefined, `Create the ${label(r)} record for ${r.name} at your DNS provider (and check the zone is delegated to it).`));
      continue;
    }
    if (!r.expect) continue;
    const missing = r.expect.filter((e) => !r.values.some((v) => matches(v, e, r.type)));
    const extra = r.exact ? r.values.filter((v) => !r.expect!.some((e) => matches(v, e, r.type))) : [];
    if (missing.length || extra.length) {
      parts.push(fail(`${label(r)} ${r.name} is ${r.values.join(', ')}; expected ${r.exact ? 'exactly ' : ''}${r.expect.join(', ')}`, undefined, `Update the ${label(r)} record for ${r.name}; remember TTLs delay the change.`));
    }
  }
  const verdict = combine(parts, `${all.length} DNS record(s) found${all.some((r) => r.expect) ? ' with the expected values' : ''}: ${all.map((r) => `${r.name} ${label(r)}`).join(', ')}`, {
    expected: all.map((r) => ({ name: r.name, type: r.type, values: r.expect ?? 'any' })),
    actual: all.map((r) => ({ name: r.name, type: r.type, values: r.values, ...(r.error ? { error: r.error } : {}) })),
  });
  if (!lookupFailed) return verdict;
  return verdict.status === 'fail' ? failAndUnchecked(verdict, errors.map((r) => `${r.type} lookup for ${r.name} failed: ${r.error}`)) : lookupFailed;
}

const describeDnsError = (err: unknown) => {
  const code = (err as { code?: string }).code;
  return (
    { ETIMEOUT: 'timed out (no answer from the DNS server)', ECONNREFUSED: 'DNS server refused the connection', ESERVFAIL: 'server failure (SERVFAIL)', EREFUSED: 'query refused', ECANCELLED: 'cancelled (check timeout)' }[code ?? ''] ??
    (err as Error).message
  );
};

async function lookup(resolver: Resolver, name: string, type: RecordType): Promise<string[]> {
  const safe = async <T>(p: Promise<T[]>): Promise<T[]> => {
    try {
      return await p;
    } catch (err) {
      if (isNoData(err)) return [];
      throw err;
    }
  };
  switch (type) {
    case 'A':
      return safe(resolver.resolve4(name));
    case 'AAAA':
      return safe(resolver.resolve6(name));
    case 'address':
      return [...(await safe(resolver.resolve4(name))), ...(await safe(resolver.resolve6(name)))];
    case 'CNAME':
      return (await safe(resolver.resolveCname(name))).map(normalize);
    case 'NS':
      return (await safe(resolver.resolveNs(name))).map(normalize);
    case 'MX':
      return (await safe(resolver.resolveMx(name))).sort((a, b) => a.priority - b.priority).map((m) => `${m.priority} ${normalize(m.exchange)}`);
    case 'CAA':
      return (await safe(resolver.resolveCaa(name))).map((c) => {
        const tag = (['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone'] as const).find((t) => c[t] !== undefined) ?? 'issue';
        return `${c.critical} ${tag} "${c[tag]}"`;
      });
    case 'TXT':
      return resolveTxtJoined(resolver, name);
  }
}

export default defineCheck({
  meta: {
    type: 'dns.records',
    title: 'DNS records exist with the expected values',
    failureTitle: 'DNS records are missing or wrong',
    description:
      'A missing www/api record or one still pointing at the old server takes the site down for part of the users. Looks up each listed record (A/AAAA/CNAME/CAA/MX/TXT/NS) and compares it with the expected values.',
    remediation: 'Create or fix the records at the DNS provider; lower TTLs before a migration.',
    docs: 'docs/checks.md#dns-records',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const resolver = makeResolver({ servers: p.servers, timeoutMs: Math.max(100, Math.floor(ctx.timeoutMs / 2)) });
    const onAbort = () => resolver.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const facts = await Promise.all(
        p.records.map(async (r): Promise<RecordFacts> => {
          const name = fullName(r.name, p.domain);
          try {
            return { name, type: r.type, values: await lookup(resolver, name, r.type), expect: r.expect, exact: r.exact };
          } catch (err) {
            return { name, type: r.type, values: [], expect: r.expect, exact: r.exact, error: describeDnsError(err) };
          }
        }),
      );
      ctx.log.debug(`dns.records: ${facts.map((f) => `${f.name} ${f.type}=${f.values.length}`).join(', ')}`);
      return evaluateRecords(facts);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});
