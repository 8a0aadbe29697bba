import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import dns2 from 'dns2';
import check, { evaluateRecords, fullName, params } from '../../../checks/dns/records.js';
import { runCheck } from '../../support/run-check.js';
import { startDnsServer, startSilentDns, type RunningDns } from '../../support/dns-server.js';

describe('dns.records (pure)', () => {
  it('builds full names', () => {
    expect(fullName('@', 'Example.com')).toBe('example.com');
    expect(fullName('www', 'example.com')).toBe('www.example.com');
    expect(fullName('api.other.org.', 'example.com')).toBe('api.other.org');
  });
  it('passes found records and expected values (MX and CAA by target)', () => {
    const v = evaluateRecords([
      { name: 'example.com', type: 'A', values: ['192.0.2.1'], expect: ['192.0.2.1'], exact: true },
      { name: 'example.com', type: 'MX', values: ['10 mx.example.com'], expect: ['mx.example.com'], exact: false },
      { name: 'example.com', type: 'CAA', values: ['0 issue "letsencrypt.org"'], expect: ['letsencrypt.org'], exact: false },
    ]);
    expect(v.status).toBe('pass');
  });
  it('fails a missing record and a wrong value with expected vs actual', () => {
    expect(evaluateRecords([{ name: 'api.example.com', type: 'address', values: [], exact: false }]).message).toBe('no A/AAAA record for api.example.com');
    const v = evaluateRecords([{ name: 'example.com', type: 'A', values: ['192.0.2.9'], expect: ['192.0.2.1'], exact: false }]);
    expect(v.message).toBe('A example.com is 192.0.2.9; expected 192.0.2.1');
    expect(evaluateRecords([{ name: 'example.com', type: 'A', values: ['192.0.2.1', '192.0.2.9'], expect: ['192.0.2.1'], exact: true }]).message).toContain('expected exactly 192.0.2.1');
  });
  it('is an error when the lookup itself fails', () => {
    expect(evaluateRecords([{ name: 'example.com', type: 'A', values: [], exact: false, error: 'timed out (no answer from the DNS server)' }])).toMatchObject({
      status: 'error',
      message: 'A lookup for example.com failed: timed out (no answer from the DNS server)',
    });
  });
  it('fails a wrong record even when another lookup failed, naming that lookup as unchecked', () => {
    const v = evaluateRecords([
      { name: 'example.com', type: 'A', values: ['192.0.2.9'], expect: ['192.0.2.1'], exact: false },
      { name: 'www.example.com', type: 'address', values: [], exact: false, error: 'server failure (SERVFAIL)' },
    ]);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('A example.com is 192.0.2.9; expected 192.0.2.1');
    expect(v.unchecked).toEqual(['address lookup for www.example.com failed: server failure (SERVFAIL)']);
    expect(v.remediation).toContain('Update the A record');
  });
  it('needs domain for relative names', () => {
    expect(params.safeParse({ records: [{ name: 'www' }] }).success).toBe(false);
    expect(params.safeParse({ records: [{ name: 'www.example.com.' }] }).success).toBe(true);
  });
});

describe('dns.records against a local DNS server', () => {
  let dns: RunningDns;
  const servers: RunningDns[] = [];
  beforeAll(async () => {
    dns = await startDnsServer({
      'example.test': [
        { type: 'A', address: '192.0.2.10' },
        { type: 'AAAA', address: '2001:db8::10' },
        { type: 'MX', exchange: 'mx.example.test', priority: 10 },
        { type: 'CAA', tag: 'issue', value: 'letsencrypt.org' },
        { type: 'TXT', data: 'v=spf1 -all' },
      ],
      'www.example.test': [{ type: 'CNAME', domain: 'example.test' }],
      'api.example.test': [{ type: 'A', address: '192.0.2.20' }],
    });
    servers.push(dns);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const run = (records: unknown[], extra: object = {}, timeoutMs = 3000) => runCheck(check, { domain: 'example.test', servers: [dns.server], records, ...extra }, { timeoutMs });

  it('passes the default root + www address records', async () => {
    const v = await runCheck(check, { domain: 'example.test', servers: [dns.server] });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toEqual([
      { name: 'example.test', type: 'address', values: ['192.0.2.10', '2001:db8::10'] },
      { name: 'www.example.test', type: 'address', values: ['192.0.2.10', '2001:db8::10'] },
    ]);
  });
  it('checks expected values of A, CNAME, MX, CAA and TXT', async () => {
    const v = await run([
      { name: '@', type: 'A', expect: '192.0.2.10', exact: true },
      { name: 'www', type: 'CNAME', expect: 'example.test.' },
      { name: 'api', type: 'A', expect: ['192.0.2.20'] },
      { name: '@', type: 'MX', expect: '10 mx.example.test' },
      { name: '@', type: 'CAA', expect: 'letsencrypt.org' },
      { name: '@', type: 'TXT', expect: 'v=spf1 -all' },
    ]);
    expect(v.status).toBe('pass');
  });
  it('fails a missing name and a wrong value', async () => {
    const v = await run([{ name: 'api', type: 'A', expect: '192.0.2.99' }, { name: 'admin', type: 'address' }, { name: 'api', type: 'CAA' }]);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('A api.example.test is 192.0.2.20; expected 192.0.2.99');
    expect(v.message).toContain('no A/AAAA record for admin.example.test');
    expect(v.message).toContain('no CAA record for api.example.test');
    expect(v.remediation).toBeTruthy();
  });
  it('fails a wrong value although another name gets SERVFAIL, naming that lookup as unchecked', async () => {
    const { Packet } = dns2 as unknown as { Packet: any };
    const flaky = (dns2 as any).createServer({
      udp: true,
      handle(request: any, send: (r: any) => void) {
        const response = Packet.createResponseFromRequest(request);
        const [q] = request.questions;
        const name = String(q.name).toLowerCase().replace(/\.$/, '');
        if (name === 'broken.example.test') response.header.rcode = Packet.RCODE.SERVFAIL;
        else if (name === 'example.test' && q.type === Packet.TYPE.A) response.answers.push({ name: q.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address: '192.0.2.10' });
        send(response);
      },
    });
    flaky.on('requestError', () => {});
    await flaky.listen({ udp: { port: 0, address: '127.0.0.1', type: 'udp4' } });
    servers.push({ server: '', port: 0, close: () => flaky.close() });
    const port = flaky.addresses().udp.port as number;
    const v = await runCheck(check, { domain: 'example.test', servers: [`127.0.0.1:${port}`], records: [{ name: '@', type: 'A', expect: '192.0.2.99' }, { name: 'broken', type: 'A' }] }, { timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('A example.test is 192.0.2.10; expected 192.0.2.99');
    expect(v.unchecked).toEqual(['A lookup for broken.example.test failed: server failure (SERVFAIL)']);
  });
  it('ends with error when the DNS server does not answer', async () => {
    const silent = await startSilentDns();
    servers.push(silent);
    const started = Date.now();
    const v = await runCheck(check, { domain: 'example.test', servers: [silent.server], records: [{ name: '@', type: 'A' }] }, { timeoutMs: 800 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^A lookup for example.test failed: (timed out|cancelled)/);
  });
});
