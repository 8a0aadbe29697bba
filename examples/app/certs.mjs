// Certificates for the reference app, made in-process with @peculiar/x509 (no openssl needed):
// a private demo CA and a server certificate for localhost/127.0.0.1 that it signs.
// ECDSA P-256 keeps generation fast. The server certificate's lifetime is a parameter: the demo
// uses ~20 days on purpose, so `tls.certificate` shows what an expiry warning looks like.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

async function newKeys() {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
}

async function keyPem(keys) {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function randomSerial() {
  // Positive, 16 bytes: what CAs use (RFC 5280 allows up to 20).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/**
 * Makes a private CA (valid a year) and a server certificate it signs.
 * @param {{ hosts?: string[], serverDays?: number }} [options]
 * @returns {Promise<{ caCert: string, cert: string, key: string, notAfter: Date }>} PEM strings
 */
export async function makeCertificates(options = {}) {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const serverDays = options.serverDays ?? 20;
  const now = Date.now();

  const caKeys = await newKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=readiness demo CA, O=readiness example',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const keys = await newKeys();
  // notBefore an hour back (clock skew); notAfter `serverDays` days plus an hour from now, so the
  // certificate shows as "expires in <serverDays> days" for the whole demo run.
  const notAfter = new Date(now + serverDays * DAY + 3_600_000);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${hosts[0]}`,
    issuer: ca.subject,
    notBefore: new Date(now - 3_600_000),
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip', value: h } : { type: 'dns', value: h })),
      ),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });

  return { caCert: ca.toString('pem'), cert: leaf.toString('pem'), key: await keyPem(keys), notAfter };
}
