import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateProtocols, params, type ProtocolFacts, type Probe } from '../../../checks/tls/protocols.js';
import { runCheck } from '../../support/run-check.js';
import { makeCert, type Issued } from '../../support/certs.js';
import { startTlsServer, startSilentServer, startTls10OnlyServer, startNonTlsServer, MODERN_CIPHERS, type Running } from '../../support/tls-servers.js';


const off: Probe = { state: 'not-offered', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' };
const on = (cipher = 'TLS_AES_128_GCM_SHA256'): Probe => ({ state: 'offered', cipher });
const defaults = params.parse({ host: 'h' });
const facts = (versions: Partial<ProtocolFacts['versions']> = {}, ciphers?: ProtocolFacts['ciphers']): ProtocolFacts => ({
  versions: { TLSv1: off, 'TLSv1.1': off, 'TLSv1.2': on('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), 'TLSv1.3': on(), ...versions },
  ciphers,
});

describe('evaluateProtocols (pure)', () => {
  it('passes TLS 1.2 + 1.3 only', () => {
    const v = evaluateProtocols(facts({}, { RC4: { state: 'unprobeable', code: 'ERR_SSL_NO_CIPHER_MATCH' }, 'CBC-SHA1': off }), defaults);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('offers TLS 1.2 and TLS 1.3 only; no weak cipher suites accepted (RC4 not probeable with this OpenSSL)');
  });
  it('fails TLS 1.0 / 1.1 offered', () => {
    const v = evaluateProtocols(facts({ TLSv1: on('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'), 'TLSv1.1': on('X') }), defaults);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLS 1.0 is offered (negotiated TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA); expected it refused');
    expect(v.message).toContain('TLS 1.1 is offered');
    expect(v.remediation).toContain('ssl_protocols');
  });
  it('treats anything but a protocol-version alert as inconclusive (could not check), not as refused', () => {
    const v = evaluateProtocols(facts({ TLSv1: { state: 'inconclusive', code: 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR', message: 'TLS handshake failed: internal error' } }), defaults);
    expect(v).toMatchObject({ status: 'error', message: 'TLS 1.0 could not be probed conclusively: TLS handshake failed: internal error' });
  });
  it('fails TLS 1.1 offered even when the TLS 1.0 probe was inconclusive, naming that probe as unchecked', () => {
    const v = evaluateProtocols(facts({ TLSv1: { state: 'inconclusive', code: 'ECONNRESET', message: 'connection reset' }, 'TLSv1.1': on('ECDHE-RSA-AES128-SHA') }), defaults);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('TLS 1.1 is offered (negotiated ECDHE-RSA-AES128-SHA); expected it refused');
    expect(v.unchecked).toEqual(['TLS 1.0 could not be probed conclusively: connection reset']);
  });
  it('never passes weak cipher groups whose probe got no clear answer', () => {
    const reset: Probe = { state: 'inconclusive', code: 'ECONNRESET', message: 'connection reset' };
    expect(evaluateProtocols(facts({}, { RC4: reset, '3DES': off }), defaults)).toMatchObject({ status: 'error', message: 'weak cipher group RC4 could not be probed conclusively: connection reset' });
    const v = evaluateProtocols(facts({}, { RC4: reset, 'CBC-SHA1': on('TLS_RSA_WITH_AES_128_CBC_SHA') }), defaults);
    expect(v).toMatchObject({ status: 'fail', unchecked: ['weak cipher group RC4 could not be probed conclusively: connection reset'] });
    expect(evaluateProtocols(facts({}, { RC4: reset }), params.parse({ host: 'h', allow_ciphers: ['RC4'] })).status).toBe('pass');
  });
  it('warns when TLS 1.3 is missing, fails with require_tls13', () => {
    expect(evaluateProtocols(facts({ 'TLSv1.3': off }), defaults)).toMatchObject({ status: 'warn', message: 'TLS 1.3 is not offered (recommended)' });
    expect(evaluateProtocols(facts({ 'TLSv1.3': off }), params.parse({ host: 'h', require_tls13: 'true' })).status).toBe('fail');
  });
  it('warns on TLS 1.3-only, fails with neither 1.2 nor 1.3', () => {
    expect(evaluateProtocols(facts({ 'TLSv1.2': off }), defaults).message).toContain('clients without TLS 1.3 cannot connect');
    expect(evaluateProtocols(facts({ 'TLSv1.2': off, 'TLSv1.3': off }), defaults).status).toBe('fail');
  });
  it('fails accepted weak suites unless allowed; static RSA only warns', () => {
    const ciphers = { 'CBC-SHA1': on('TLS_RSA_WITH_AES_128_CBC_SHA') };
    expect(evaluateProtocols(facts({}, ciphers), defaults)).toMatchObject({ status: 'fail', message: expect.stringContaining('weak cipher suite accepted: TLS_RSA_WITH_AES_128_CBC_SHA (CBC-SHA1') });
    expect(evaluateProtocols(facts({}, ciphers), params.parse({ host: 'h', allow_ciphers: ['CBC-SHA1'] })).status).toBe('pass');
    expect(evaluateProtocols(facts({}, { 'static-RSA': on('TLS_RSA_WITH_AES_128_GCM_SHA256') }), defaults).status).toBe('warn');
  });
  it('is an error when no probe reached the server', () => {
    const u: Probe = { state: 'unreachable', code: 'ECONNREFUSED', message: 'connection refused at h:443' };
    expect(evaluateProtocols(facts({ TLSv1: u, 'TLSv1.1': u, 'TLSv1.2': u, 'TLSv1.3': u }), defaults)).toMatchObject({ status: 'error', message: 'connection refused at h:443' });
  });
});

describe('tls.protocols against real servers', () => {
  let leaf: Issued;
  const servers: Running[] = [];
  const serve = async (opts: object) => {
    const s = await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, ...opts });
    servers.push(s);
    return s.port;
  };
  const run = (port: number, extra: object = {}) => runCheck(check, { host: '127.0.0.1', port, ...extra }, { timeoutMs: 3000 });
  beforeAll(async () => {
    leaf = await makeCert({ commonName: 'localhost' });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('passes a TLS 1.2/1.3 server with AEAD suites only', async () => {
    const v = await run(await serve({ ciphers: MODERN_CIPHERS }));
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toEqual({ offered: ['TLS 1.2', 'TLS 1.3'], weakCiphers: [] });
  });
  it('fails a server offering TLS 1.0/1.1 (served with @SECLEVEL=0) and names the weak suites', async () => {
    const v = await run(await serve({ minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/TLS 1\.0 is offered/);
    expect(v.message).toMatch(/TLS 1\.1 is offered/);
    expect(v.message).toMatch(/weak cipher suite accepted: \S+_CBC_SHA \(CBC-SHA1/);
  });
  it('reports a TLS 1.0 server that only fails at security level 1 as inconclusive (could not check), never as refused', async () => {
    const v = await run(await serve({ minVersion: 'TLSv1', ciphers: MODERN_CIPHERS + ':ECDHE-RSA-AES128-SHA' }), { ciphers: false });
    // Without SECLEVEL=0 on the server, OpenSSL answers TLS 1.0 with an internal-error alert.
    expect(v.status).toBe('error');
    expect(v.message).toContain('TLS 1.0 could not be probed conclusively');
  });
  it('fails a weak cipher suite on a server whose TLS 1.0/1.1 answers are inconclusive, naming those probes as unchecked', async () => {
    const v = await run(await serve({ minVersion: 'TLSv1', ciphers: MODERN_CIPHERS + ':ECDHE-RSA-AES128-SHA' }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^weak cipher suite accepted: \S+_CBC_SHA \(CBC-SHA1/);
    expect(v.unchecked).toHaveLength(2);
    expect(v.unchecked?.[0]).toMatch(/^TLS 1\.0 could not be probed conclusively: /);
    expect(v.unchecked?.[1]).toMatch(/^TLS 1\.1 could not be probed conclusively: /);
  });
  it('fails a TLS 1.0-only server: TLS 1.2 and 1.3 are not offered (a definite finding, not "could not be probed")', async () => {
    const legacy = await startTls10OnlyServer({ key: leaf.keyPem, cert: leaf.certPem });
    servers.push(legacy);
    // The server answers the TLS 1.2 ClientHello with a TLS 1.0 ServerHello (the client reports
    // ERR_SSL_UNSUPPORTED_PROTOCOL) and the TLS 1.3 one with a protocol-version alert.
    const v = await run(legacy.port, { ciphers: false });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLS 1.0 is offered');
    expect(v.message).toContain('TLS 1.2 is not offered and neither is TLS 1.3');
    expect(v.message).toContain('TLS 1.3 is not offered');
    expect(v.message).not.toContain('could not be probed');
    expect(v.unchecked).toBeUndefined();
    const versions = (v.evidence?.details as { versions: Record<string, Probe> }).versions;
    expect(versions['TLS 1.1'].state).toBe('not-offered');
    expect(versions['TLS 1.2']).toEqual({ state: 'not-offered', code: 'ERR_SSL_UNSUPPORTED_PROTOCOL' });
    expect(versions['TLS 1.3'].state).toBe('not-offered');
    expect(v.evidence?.actual).toEqual({ offered: ['TLS 1.0'], weakCiphers: [] });
  });
  it('keeps a non-TLS answer or a reset after the ClientHello inconclusive (error), never "not offered"', async () => {
    for (const mode of ['text', 'reset'] as const) {
      const other = await startNonTlsServer(mode);
      servers.push(other);
      const v = await run(other.port, { ciphers: false });
      expect(v.status).toBe('error');
      expect(v.message).toContain('TLS 1.0 could not be probed conclusively');
      const versions = (v.evidence?.details as { versions: Record<string, Probe> } | undefined)?.versions;
      if (versions) for (const probe of Object.values(versions)) expect(probe.state).toBe('inconclusive');
      expect(v.message).not.toContain('is not offered');
    }
  });
  it('warns on a TLS 1.3-only server', async () => {
    const v = await run(await serve({ minVersion: 'TLSv1.3' }));
    expect(v).toMatchObject({ status: 'warn', message: 'TLS 1.2 is not offered: clients without TLS 1.3 cannot connect' });
  });
  it('warns when TLS 1.3 is disabled, fails with require_tls13', async () => {
    const port = await serve({ maxVersion: 'TLSv1.2', ciphers: MODERN_CIPHERS });
    expect(await run(port)).toMatchObject({ status: 'warn', message: 'TLS 1.3 is not offered (recommended)' });
    expect((await run(port, { require_tls13: true })).status).toBe('fail');
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    const started = Date.now();
    const v = await runCheck(check, { host: '127.0.0.1', port: hung.port }, { timeoutMs: 700 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(v).toMatchObject({ status: 'error', message: expect.stringContaining(`timed out after 0.7s at 127.0.0.1:${hung.port}`) });
    expect(v.remediation).toContain('firewall');
  });
});
