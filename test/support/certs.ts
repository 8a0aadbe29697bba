// Certificates made by the tests themselves: a CA, intermediates and leaves with any validity window,
// key type or signature hash, so TLS checks can be tested against real servers without fixtures on disk.
// Pure JS (@peculiar/x509 + node's webcrypto); no openssl binary needed.
import 'reflect-metadata';
import { createPrivateKey, webcrypto, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A certificate with its private key, PEM encoded. */
export interface Issued {
  /** PKCS#8 private key. */
  keyPem: string;
  /** This certificate only. */
  certPem: string;
  /**
   * What a server sends: this certificate followed by its issuer's chain, without the self-signed
   * root (leaf + intermediates). For a self-signed certificate it equals certPem.
   */
  chainPem: string;
}

export type KeySpec = { type: 'rsa'; bits?: number } | { type: 'ec'; curve?: 'P-256' | 'P-384' };

export interface CertOptions {
  commonName: string;
  /** DNS names or IP addresses; defaults to [commonName]. Pass [] for a certificate without SANs. */
  altNames?: string[];
  /** Default: one day ago. */
  notBefore?: Date;
  /** Default: 90 days from now. */
  notAfter?: Date;
  /** Default: RSA 2048. */
  key?: KeySpec;
  /** Hash the issuer signs with. Default SHA-256. */
  signatureHash?: 'SHA-256' | 'SHA-1';
  /** Self-signed when absent. */
  issuer?: Issued;
}

export interface CaOptions {
  commonName?: string;
  /** Makes an intermediate CA signed by this issuer; a self-signed root when absent. */
  issuer?: Issued;
  notBefore?: Date;
  notAfter?: Date;
  key?: KeySpec;
  signatureHash?: 'SHA-256' | 'SHA-1';
}

const DAY = 86_400_000;

function keyAlgorithm(spec: KeySpec, hash: string): RsaHashedKeyGenParams | EcKeyGenParams {
  if (spec.type === 'rsa') {
    return { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits ?? 2048, publicExponent: new Uint8Array([1, 0, 1]), hash } as RsaHashedKeyGenParams;
  }
  return { name: 'ECDSA', namedCurve: spec.curve ?? 'P-256' };
}

async function generateKeys(spec: KeySpec): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyAlgorithm(spec, 'SHA-256') as never, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Re-imports an issuer's PEM key as a CryptoKey able to sign with the wanted hash. */
async function importSigningKey(keyPem: string, hash: string): Promise<{ key: CryptoKey; algorithm: Algorithm | EcdsaParams }> {
  const keyObject = createPrivateKey(keyPem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  if (keyObject.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash };
    const key = await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign']);
    return { key: key as unknown as CryptoKey, algorithm: alg };
  }
  const curve = keyObject.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
  const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
  return { key: key as unknown as CryptoKey, algorithm: { name: 'ECDSA', hash } as EcdsaParams };
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function isSelfSigned(certPem: string): boolean {
  const cert = new x509.X509Certificate(certPem);
  return cert.subject === cert.issuer;
}

function serial(): string {
  const bytes = randomBytes(12);
  bytes[0] &= 0x7f; // positive
  return bytes.toString('hex');
}

async function issue(opts: {
  subject: string;
  ca: boolean;
  altNames: string[];
  notBefore: Date;
  notAfter: Date;
  key: KeySpec;
  signatureHash: 'SHA-256' | 'SHA-1';
  issuer?: Issued;
}): Promise<Issued> {
  const keys = await generateKeys(opts.key);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.ca, undefined, true),
    new x509.KeyUsagesExtension(
      opts.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (!opts.ca) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]));
  if (opts.altNames.length) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(opts.altNames.map((name) => (isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name }))),
    );
  }

  let cert: x509.X509Certificate;
  if (!opts.issuer) {
    const signing = opts.key.type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: opts.signatureHash } : { name: 'ECDSA', hash: opts.signatureHash };
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: opts.subject,
      notBefore: opts.notBefore,
      notAfter: opts.notAfter,
      keys,
      signingAlgorithm: signing,
      extensions,
    });
  } else {
    const issuerCert = new x509.X509Certificate(opts.issuer.certPem);
    const { key, algorithm } = await importSigningKey(opts.issuer.keyPem, opts.signatureHash);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: opts.subject,
      issuer: issuerCert.subject,
      notBefore: opts.notBefore,
      notAfter: opts.notAfter,
      publicKey: keys.publicKey,
      signingKey: key,
      signingAlgorithm: algorithm,
      extensions,
    });
  }

  const keyPem = toPem((await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never)) as ArrayBuffer, 'PRIVATE KEY');
  const certPem = cert.toString('pem') + '\n';
  const chainPem = opts.issuer && !isSelfSigned(opts.issuer.certPem) ? certPem + opts.issuer.chainPem : certPem;
  return { keyPem, certPem, chainPem };
}

const cnName = (cn: string) => `CN=${cn.replace(/([,+="\\<>;])/g, '\\$1')}`;

/** A CA certificate: a self-signed root, or an intermediate when `issuer` is given. Valid 10 years. */
export async function makeCa(opts: CaOptions = {}): Promise<Issued> {
  const now = Date.now();
  return issue({
    subject: cnName(opts.commonName ?? (opts.issuer ? 'readiness test intermediate CA' : 'readiness test root CA')),
    ca: true,
    altNames: [],
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 3650 * DAY),
    key: opts.key ?? { type: 'rsa', bits: 2048 },
    signatureHash: opts.signatureHash ?? 'SHA-256',
    issuer: opts.issuer,
  });
}

/** A server (leaf) certificate, self-signed unless `issuer` is given. */
export async function makeCert(opts: CertOptions): Promise<Issued> {
  const now = Date.now();
  return issue({
    subject: cnName(opts.commonName),
    ca: false,
    altNames: opts.altNames ?? [opts.commonName],
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 90 * DAY),
    key: opts.key ?? { type: 'rsa', bits: 2048 },
    signatureHash: opts.signatureHash ?? 'SHA-256',
    issuer: opts.issuer,
  });
}

/** Days from now as a Date (negative for the past): `daysFromNow(-1)`. */
export const daysFromNow = (days: number): Date => new Date(Date.now() + days * DAY);
