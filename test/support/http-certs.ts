// Test certificates made in-process with @peculiar/x509 (no openssl needed): a private CA, leaves it
// signs (valid, expired, wrong host name) and a self-signed leaf. ECDSA P-256 keeps generation fast.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

export interface Pem {
  /** Certificate, PEM. */
  cert: string;
  /** PKCS#8 private key, PEM. */
  key: string;
}

interface Issuer {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface TestCa extends Pem {
  issue(options: LeafOptions): Promise<Pem>;
}

export interface LeafOptions {
  /** DNS names and IP addresses for subjectAltName. Default localhost + 127.0.0.1. */
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function sanExtension(hosts: string[]): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(
    hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
  );
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(4, '0');

async function leaf(issuer: Issuer | undefined, options: LeafOptions): Promise<Pem> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const keys = await newKeys();
  const common = {
    serialNumber: nextSerial(),
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: ALG,
    extensions: [
      sanExtension(hosts),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  };
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({
        ...common,
        subject: `CN=${hosts[0]}`,
        issuer: issuer.cert.subject,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${hosts[0]}`, keys });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}

/** A private CA valid for a year. */
export async function makeCa(name = 'readiness test CA'): Promise<TestCa> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const issuer = { cert, keys };
  return { cert: cert.toString('pem'), key: await keyPem(keys), issue: (options) => leaf(issuer, options) };
}

/** A self-signed leaf certificate for localhost/127.0.0.1 (what a dev server typically has). */
export function makeSelfSigned(options: LeafOptions = {}): Promise<Pem> {
  return leaf(undefined, options);
}

export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);
