import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import dns2 from 'dns2';
import type { Verdict } from '../../../src/check.js';
import check, { decideDomain, evaluateDkim, evaluateDmarc, evaluateMx, evaluateSpf } from '../../../checks/email/domain.js';
import { parseSpf, parseTags, spfTermLookups } from '../../../src/email/dns-auth.js';
import { runCheck } from '../../support/run-check.js';
import { startDnsServer, type TestDnsServer, type Zone } from '../../support/email-dns.js';

const KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' + 'x'.repeat(300) + 'IDAQAB';

describe('SPF parsing and judging', () => {
  it('parses qualifiers, mechanisms and modifiers', () => {
    const terms = parseSpf('v=spf1 ip4:192.0.2.0/24 include:sendgrid.net -a mx ~all redirect=_spf.example.com');
    expect(terms.map((t) => `${t.qualifier}${t.name}${t.value ? `:${t.value}` : ''}`)).toEqual([
      '+ip4:192.0.2.0/24',
      '+include:sendgrid.net',
      '-a',
      '+mx',
      '~all',
      '+redirect:_spf.example.com',
    ]);
    expect(spfTermLookups(terms)).toBe(4); // include, a, mx, redirect; ip4 and all are free
  });

  const facts = (record: string, over: Record<string, unknown> = {}) => ({ domain: 'example.com', records: [record], lookups: 1, includes: ['sendgrid.net'], nested: [], ...over });
  const expect_ = { includes: ['sendgrid.net'], maxLookups: 10 };

  it('passes one record ending in ~all that includes the provider', () => {
    const v = evaluateSpf(facts('v=spf1 include:sendgrid.net ~all'), expect_);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('SPF ~all, 1 DNS lookup, includes sendgrid.net');
  });
  it('accepts a provider include reached through a subdomain', () => {
    expect(evaluateSpf(facts('v=spf1 include:u123.wl.sendgrid.net -all', { includes: ['u123.wl.sendgrid.net'] }), expect_).status).toBe('pass');
  });
  it('fails +all, bare all and ?all', () => {
    expect(evaluateSpf(facts('v=spf1 include:sendgrid.net +all'), expect_).message).toContain('ends with +all, which lets any server send');
    expect(evaluateSpf(facts('v=spf1 include:sendgrid.net all'), expect_).message).toContain('ends with all,');
    expect(evaluateSpf(facts('v=spf1 include:sendgrid.net ?all'), expect_).message).toContain('?all (neutral)');
  });
  it('fails a record without an all', () => {
    expect(evaluateSpf(facts('v=spf1 include:sendgrid.net'), expect_).message).toContain('no final -all or ~all');
  });
  it('fails zero or several records', () => {
    expect(evaluateSpf(facts('', { records: [] }), expect_).message).toBe('no SPF record (v=spf1) at example.com');
    expect(evaluateSpf(facts('', { records: ['v=spf1 -all', 'v=spf1 ~all'] }), expect_).message).toContain('2 SPF records');
  });
  it('fails +all even when an included record could not be read, and names that part as unchecked', () => {
    const v = evaluateSpf(facts('v=spf1 include:_spf.example.com +all', { includes: ['_spf.example.com'], unresolved: ['DNS query for TXT _spf.example.com failed at the DNS server (SERVFAIL)'] }), expect_);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('SPF ends with +all, which lets any server send as example.com');
    expect(v.unchecked).toEqual([
      'included SPF record could not be read (DNS query for TXT _spf.example.com failed at the DNS server (SERVFAIL)), so whether SPF includes include:sendgrid.net is unknown',
    ]);
  });
  it('is an error, not a pass, when an included record could not be read and nothing else is wrong', () => {
    const v = evaluateSpf(facts('v=spf1 include:sendgrid.net include:_spf.example.com ~all', { includes: ['sendgrid.net', '_spf.example.com'], unresolved: ['DNS query for TXT _spf.example.com timed out'] }), expect_);
    expect(v.status).toBe('error');
    expect(v.message).toBe('included SPF record could not be read (DNS query for TXT _spf.example.com timed out)');
  });
  it('fails over 10 lookups with the count, and a missing provider with what was found', () => {
    expect(evaluateSpf(facts('v=spf1 include:sendgrid.net ~all', { lookups: 12 }), expect_).message).toContain('needs 12 DNS lookups, over the limit of 10');
    const v = evaluateSpf(facts('v=spf1 include:mailgun.org ~all', { includes: ['mailgun.org'] }), expect_);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('does not include include:sendgrid.net (found: mailgun.org)');
  });
});

describe('DKIM, DMARC and MX judging', () => {
  it('DKIM: passes a key, fails a revoked key or a missing record, warns when no selector is given', () => {
    expect(evaluateDkim([{ selector: 's1', name: 's1._domainkey.example.com', cnames: [], records: [`v=DKIM1; k=rsa; p=${KEY}`] }]).status).toBe('pass');
    const revoked = evaluateDkim([{ selector: 's1', name: 's1._domainkey.example.com', cnames: [], records: ['v=DKIM1; p='] }]);
    expect(revoked.status).toBe('fail');
    expect(revoked.message).toContain('revoked (empty p=)');
    const missing = evaluateDkim([{ selector: 's2', name: 's2._domainkey.example.com', cnames: ['s2.domainkey.u1.wl.sendgrid.net'], records: [] }]);
    expect(missing.message).toBe('no DKIM record at s2._domainkey.example.com → s2.domainkey.u1.wl.sendgrid.net');
    expect(evaluateDkim([]).status).toBe('warn');
  });

  it('DKIM: fails a revoked selector even when another selector could not be looked up, naming it as unchecked', () => {
    const v = evaluateDkim([{ selector: 's1', name: 's1._domainkey.example.com', cnames: [], records: ['v=DKIM1; p='] }], ['DNS query for CNAME s2._domainkey.example.com timed out']);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('DKIM key at s1._domainkey.example.com is revoked (empty p=)');
    expect(v.unchecked).toEqual(['DNS query for CNAME s2._domainkey.example.com timed out']);
    const unknown = evaluateDkim([{ selector: 's1', name: 's1._domainkey.example.com', cnames: [], records: [`v=DKIM1; p=${KEY}`] }], ['DNS query for CNAME s2._domainkey.example.com timed out']);
    expect(unknown).toMatchObject({ status: 'error', message: 'DNS query for CNAME s2._domainkey.example.com timed out' });
  });
  it('DMARC: quarantine/reject pass, none warns, rua missing warns, no policy fails', () => {
    expect(evaluateDmarc({ name: '_dmarc.x.com', records: ['v=DMARC1; p=reject; rua=mailto:d@x.com'] }).status).toBe('pass');
    const none = evaluateDmarc({ name: '_dmarc.x.com', records: ['v=DMARC1; p=none; rua=mailto:d@x.com'] });
    expect(none.status).toBe('warn');
    expect(none.message).toContain('p=none');
    expect(evaluateDmarc({ name: '_dmarc.x.com', records: ['v=DMARC1; p=quarantine'] }).message).toContain('no rua=');
    expect(evaluateDmarc({ name: '_dmarc.x.com', records: ['v=DMARC1; rua=mailto:d@x.com'] }).status).toBe('fail');
    expect(evaluateDmarc({ name: '_dmarc.x.com', records: [] }).message).toBe('no DMARC record at _dmarc.x.com');
    expect(evaluateDmarc({ name: '_dmarc.x.com', records: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] }).status).toBe('fail');
  });

  it('DMARC: a subdomain inherits the organizational policy through sp=', () => {
    const v = evaluateDmarc({ name: '_dmarc.mail.x.com', records: ['v=DMARC1; p=reject; sp=none; rua=mailto:d@x.com'], inheritedFrom: 'x.com' });
    expect(v.status).toBe('warn');
    expect(v.message).toContain('inherited from _dmarc.x.com');
  });

  it('MX: required only when the domain receives mail; a null MX does not count', () => {
    expect(evaluateMx({ hosts: [{ exchange: 'mx1.x.com', priority: 10 }] }, 'x.com', true).status).toBe('pass');
    expect(evaluateMx({ hosts: [] }, 'x.com', true).status).toBe('fail');
    expect(evaluateMx({ hosts: [{ exchange: '', priority: 0 }] }, 'x.com', true).message).toContain('null MX');
    expect(evaluateMx({ hosts: [] }, 'x.com', false).status).toBe('pass');
  });

  it('parses tag lists with spaces', () => {
    expect(parseTags('v=DMARC1 ; p = reject; rua=mailto:a@b')).toEqual({ v: 'DMARC1', p: 'reject', rua: 'mailto:a@b' });
  });
});

describe('decideDomain', () => {
  const where = { spfDomain: 'example.com', selectors: ['s1'], servers: ['127.0.0.1:5353'] };
  const down = (type: string, name: string): Verdict => ({ status: 'error', message: `DNS query for ${type} ${name} timed out` });
  it('fails a missing MX even when the other lookups failed, and says the failed lookups once as unchecked', () => {
    const mx: Verdict = { status: 'fail', message: 'example.com receives mail but has no MX record', remediation: 'Publish MX records.' };
    const v = decideDomain('example.com', { spf: down('TXT', 'example.com'), dkim: down('CNAME', 's1._domainkey.example.com'), dmarc: down('TXT', '_dmarc.example.com'), mx }, where);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('example.com: example.com receives mail but has no MX record');
    expect(v.unchecked).toEqual(['DNS query for TXT example.com timed out (and 2 more DNS queries the same way)']);
    expect(v.remediation).toBe('Publish MX records.');
  });
  it('stays an error when every lookup failed', () => {
    const v = decideDomain('example.com', { spf: down('TXT', 'example.com'), dkim: down('CNAME', 's1._domainkey.example.com'), dmarc: down('TXT', '_dmarc.example.com'), mx: down('MX', 'example.com') }, where);
    expect(v.status).toBe('error');
    expect(v.message).toBe('example.com: DNS query for TXT example.com timed out (and 3 more DNS queries the same way)');
    expect(v.remediation).toContain('127.0.0.1:5353');
  });
});

/** A DNS server that answers SERVFAIL for the names in `broken` and the zone's TXT/MX records for the others. */
async function startFlakyDns(records: Record<string, { TXT?: string[]; MX?: Array<{ exchange: string; priority: number }> }>, broken: string[]) {
  const { Packet } = dns2 as unknown as { Packet: any };
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request: any, send: (r: any) => void) => {
      const response = Packet.createResponseFromRequest(request);
      const [q] = request.questions;
      const name = String(q.name).toLowerCase().replace(/\.$/, '');
      const entry = records[name];
      if (broken.includes(name)) response.header.rcode = Packet.RCODE.SERVFAIL;
      else if (!entry) response.header.rcode = Packet.RCODE.NXDOMAIN;
      else {
        const base = { name: q.name, class: Packet.CLASS.IN, ttl: 60 };
        if (q.type === Packet.TYPE.TXT) for (const t of entry.TXT ?? []) response.answers.push({ ...base, type: Packet.TYPE.TXT, data: [t] });
        if (q.type === Packet.TYPE.MX) for (const m of entry.MX ?? []) response.answers.push({ ...base, type: Packet.TYPE.MX, ...m });
      }
      send(response);
    },
  });
  server.on('requestError', () => undefined);
  await server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } });
  return { server: `127.0.0.1:${port}`, close: () => server.close() };
}

describe('email.domain with a DNS server that fails some queries', () => {
  it('fails +all and a missing MX although the DKIM and DMARC lookups fail, naming them as unchecked', async () => {
    const dns = await startFlakyDns({ 'flaky.test': { TXT: ['v=spf1 +all'] } }, ['s1._domainkey.flaky.test', '_dmarc.flaky.test']);
    try {
      const v = await runCheck(check, { domain: 'flaky.test', dkim_selectors: ['s1'], dns_servers: dns.server }, { timeoutMs: 4000 });
      expect(v.status).toBe('fail');
      expect(v.message).toBe('flaky.test: SPF ends with +all, which lets any server send as flaky.test; flaky.test receives mail but has no MX record');
      expect(v.unchecked).toEqual(['DNS query for CNAME s1._domainkey.flaky.test failed at the DNS server (SERVFAIL) (and 1 more DNS query the same way)']);
    } finally {
      await dns.close();
    }
  });
});

describe('email.domain against a real DNS server', () => {
  let dns: TestDnsServer;

  // 10 includes of 1 lookup each + the root's own include = 11
  const deep: Zone = {};
  for (let i = 0; i < 10; i++) deep[`spf${i}.deep.test`] = { TXT: [`v=spf1 ${i < 9 ? `include:spf${i + 1}.deep.test` : 'ip4:192.0.2.1'} ~all`] };

  const zone: Zone = {
    // good: SPF split in two chunks, DKIM via CNAME to the provider with a >255-byte key, DMARC reject, MX
    'good.test': { TXT: [['v=spf1 include:_spf.good.test ', 'include:sendgrid.net ~all'], 'google-site-verification=abc'], MX: [{ exchange: 'mx.good.test', priority: 10 }] },
    '_spf.good.test': { TXT: ['v=spf1 ip4:192.0.2.0/24 -all'] },
    'sendgrid.net': { TXT: ['v=spf1 ip4:167.89.0.0/17 ~all'] },
    's1._domainkey.good.test': { CNAME: 's1.domainkey.u1.wl.sendgrid.net' },
    's1.domainkey.u1.wl.sendgrid.net': { TXT: [`v=DKIM1; k=rsa; p=${KEY}`] },
    's2._domainkey.good.test': { TXT: [`v=DKIM1; k=rsa; p=${KEY}`] },
    '_dmarc.good.test': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@good.test'] },
    // broken: two SPF records, one +all; DKIM CNAME to nowhere; DMARC none without rua; no MX
    'broken.test': { TXT: ['v=spf1 +all', 'v=spf1 include:mailgun.org -all'] },
    's1._domainkey.broken.test': { CNAME: 's1.domainkey.gone.example' },
    '_dmarc.broken.test': { TXT: ['v=DMARC1; p=none'] },
    // plusall: a single record with +all and no provider
    'plusall.test': { TXT: ['v=spf1 a mx +all'], MX: [{ exchange: 'mx.plusall.test', priority: 5 }] },
    '_dmarc.plusall.test': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:d@plusall.test'] },
    // deep: 11 lookups
    'deep.test': { TXT: ['v=spf1 include:spf0.deep.test include:sendgrid.net ~all'], MX: [{ exchange: 'mx.deep.test', priority: 5 }] },
    '_dmarc.deep.test': { TXT: ['v=DMARC1; p=reject; rua=mailto:d@deep.test'] },
    ...deep,
  };

  beforeAll(async () => {
    dns = await startDnsServer(zone);
  });
  afterAll(async () => {
    await dns?.close();
  });

  it('passes a good domain: chunked SPF joined, DKIM CNAME followed, DMARC reject, MX present', async () => {
    const v = await runCheck(check, { from: 'App <noreply@good.test>', provider: 'sendgrid', dns_servers: dns.server });
    expect(v.status, v.message).toBe('pass');
    expect(v.message).toContain('good.test: SPF ~all, 2 DNS lookups, includes sendgrid.net');
    expect(v.message).toContain('DKIM s1, s2 ok');
    expect(v.message).toContain('DMARC p=reject with rua');
    expect(dns.queries).toContainEqual({ name: 's1.domainkey.u1.wl.sendgrid.net', type: 'TXT' });
  });

  it('fails a broken domain and names every problem', async () => {
    // `servers`, as in dns.records (dns_servers is its older name)
    const v = await runCheck(check, { domain: 'broken.test', provider: 'sendgrid', dkim_selectors: ['s1'], servers: [dns.server] });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('2 SPF records at broken.test');
    expect(v.message).toContain('no DKIM record at s1._domainkey.broken.test → s1.domainkey.gone.example');
    expect(v.message).toContain('broken.test receives mail but has no MX record');
    expect(v.message).toContain('DMARC policy is p=none');
    const details = v.evidence?.details as { statuses: Record<string, string> };
    expect(details.statuses).toEqual({ spf: 'fail', dkim: 'fail', dmarc: 'warn', mx: 'fail' });
  });

  it('fails +all and a missing provider include', async () => {
    const v = await runCheck(check, { domain: 'plusall.test', spf_includes: 'amazonses.com', dkim_selectors: 'default', dns_servers: dns.server });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('SPF ends with +all');
    expect(v.message).toContain('does not include include:amazonses.com');
  });

  it('counts lookups recursively through nested includes', async () => {
    const v = await runCheck(check, { domain: 'deep.test', provider: 'sendgrid', dkim_selectors: [], dns_servers: dns.server });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('SPF needs 11 DNS lookups, over the limit of 10');
  });

  it('is an error, not a failure, when the DNS server does not answer', async () => {
    const { closedPort } = await import('../../support/email-smtp.js');
    const port = await closedPort();
    const started = Date.now();
    const v = await runCheck(check, { domain: 'good.test', dns_servers: `127.0.0.1:${port}` }, { timeoutMs: 4000 });
    expect(v.status).toBe('error');
    expect(v.message).toBe('good.test: DNS query for TXT good.test failed: no DNS server answers at the configured address (connection refused) (and 2 more DNS queries the same way)');
    expect(v.remediation).toBe(`The DNS lookups failed, so nothing about the records is known yet: check that the DNS server 127.0.0.1:${port} answers and run the check again.`);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('takes the domain from EMAIL_FROM when neither domain nor from is given', async () => {
    const v = await runCheck(check, { provider: 'sendgrid', dns_servers: dns.server }, { env: { EMAIL_FROM: 'App <hello@good.test>' } });
    expect(v.status, v.message).toBe('pass');
    expect(v.message).toMatch(/^good\.test: /);
  });

  it('needs a domain somewhere, and rejects unknown parameters', async () => {
    expect(await runCheck(check, { dns_servers: dns.server })).toMatchObject({ status: 'error', message: 'misconfigured: give `domain` or a `from` address (or set EMAIL_FROM)' });
    expect(check.params.safeParse({ domain: 'x.test', selector: 's1' }).success).toBe(false);
  });
});
