// The test certificate factory itself: what it makes is what real TLS servers and clients accept.
import { describe, it, expect } from 'vitest';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { makeCa, makeCert, daysFromNow } from '../../support/certs.js';

async function handshake(server: { key: string; cert: string; ciphers?: string }, client: tls.ConnectionOptions) {
  const srv = tls.createServer({ key: server.key, cert: server.cert, ciphers: server.ciphers }, (s) => s.end());
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  try {
    const socket = tls.connect({ host: '127.0.0.1', port, ...client });
    const result = await new Promise<{ authorized: boolean; error?: string }>((resolve, reject) => {
      socket.once('secureConnect', () => resolve({ authorized: socket.authorized, error: socket.authorizationError?.toString() }));
      socket.once('error', reject);
    });
    socket.destroy();
    return result;
  } finally {
    srv.close();
  }
}

describe('test/support/certs', () => {
  it('makes a root, an intermediate and a leaf that verify as a chain', async () => {
    const root = await makeCa();
    const inter = await makeCa({ issuer: root, commonName: 'Inter' });
    const leaf = await makeCert({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: inter });
    expect(inter.chainPem).toBe(inter.certPem);
    expect(leaf.chainPem).toBe(leaf.certPem + inter.certPem);
    const x = new X509Certificate(leaf.certPem);
    expect(x.subject).toContain('CN=localhost');
    expect(x.issuer).toContain('CN=Inter');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.verify(new X509Certificate(inter.certPem).publicKey)).toBe(true);
    const r = await handshake({ key: leaf.keyPem, cert: leaf.chainPem }, { servername: 'localhost', ca: root.certPem });
    expect(r).toEqual({ authorized: true, error: undefined });
  });

  it('honours validity, key and hash options', async () => {
    const old = await makeCert({ commonName: 'old.test', notBefore: daysFromNow(-30), notAfter: daysFromNow(-1), key: { type: 'ec', curve: 'P-384' }, signatureHash: 'SHA-1' });
    const x = new X509Certificate(old.certPem);
    expect(new Date(x.validTo).getTime()).toBeLessThan(Date.now());
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    const weak = await makeCert({ commonName: 'weak.test', key: { type: 'rsa', bits: 1024 } });
    expect(new X509Certificate(weak.certPem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    // A weak key can only be served at security level 0.
    const r = await handshake({ key: weak.keyPem, cert: weak.certPem, ciphers: 'DEFAULT@SECLEVEL=0' }, { servername: 'weak.test', rejectUnauthorized: false, ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(r.error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
