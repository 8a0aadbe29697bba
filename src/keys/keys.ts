// Loading and describing asymmetric keys for the jwt.* checks. Key material never leaves this module
// except as KeyObjects; what checks show is `describeKey()`: type, size or curve and a fingerprint.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { loadJose } from '../sdk.js';

/** What a key is, without its material. */
export interface KeyDescription {
  /** node's asymmetricKeyType: `rsa`, `rsa-pss`, `ec`, `ed25519`, `ed448`. */
  keyType: string;
  /** RSA modulus length. */
  bits?: number;
  /** JOSE curve name for EC keys (`P-256`), or the OKP curve (`Ed25519`). */
  curve?: string;
  /** `SHA256:` + hex SHA-256 of the public key's SPKI DER encoding. */
  fingerprint: string;
}

/** Where a key comes from, for messages: a file path or an environment variable name (never the value). */
export type KeySource = { kind: 'file'; path: string } | { kind: 'env'; name: string };

export function describeSource(source: KeySource): string {
  return source.kind === 'file' ? source.path : `environment variable ${source.name}`;
}

/** Why a key could not be loaded. `missing` and `unparseable` are findings; the rest mean "could not check". */
export type KeyLoadProblem =
  | 'missing'
  | 'unreadable'
  | 'encrypted'
  | 'bad-passphrase'
  | 'unparseable'
  | 'not-private'
  | 'private-as-public'
  | 'symmetric';

export interface LoadedKey {
  source: KeySource;
  /** Present when the key parsed. */
  key?: KeyObject;
  problem?: KeyLoadProblem;
  /** One plain sentence about the problem; never contains key material. */
  problemMessage?: string;
  /** File mode bits (mode & 0o777) when the key is a file. */
  mode?: number;
}

/** JOSE curve names by node's OpenSSL names. */
const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
  secp256k1: 'secp256k1',
};

export function fingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('hex')}`;
}

export function describeKey(key: KeyObject): KeyDescription {
  const keyType = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  const description: KeyDescription = { keyType, fingerprint: fingerprint(key) };
  if (details.modulusLength) description.bits = details.modulusLength;
  if (details.namedCurve) description.curve = CURVE_NAMES[details.namedCurve] ?? details.namedCurve;
  if (keyType === 'ed25519') description.curve = 'Ed25519';
  if (keyType === 'ed448') description.curve = 'Ed448';
  return description;
}

/** Human summary: `RSA 2048-bit`, `EC P-256`, `Ed25519`. */
export function summarizeKey(d: Pick<KeyDescription, 'keyType' | 'bits' | 'curve'>): string {
  if (d.keyType === 'rsa' || d.keyType === 'rsa-pss') return `${d.keyType === 'rsa' ? 'RSA' : 'RSA-PSS'} ${d.bits ?? '?'}-bit`;
  if (d.keyType === 'ec') return `EC ${d.curve ?? '?'}`;
  if (d.curve) return d.curve;
  return d.keyType;
}

/**
 * PEM from an environment variable: deployments often store it on one line with literal `\n`,
 * or base64-encode the whole PEM.
 */
export function normalizePem(value: string): string {
  let text = value.trim();
  if (text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) text = decoded;
  }
  return text.replace(/\\n/g, '\n').replace(/\r\n/g, '\n');
}

function isEncryptedPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /Proc-Type:\s*4,\s*ENCRYPTED/.test(pem);
}

/** Parses PEM (or DER) text as a private or public key. Never echoes the text in errors. */
export function parseKey(
  material: string | Buffer,
  want: 'private' | 'public',
  source: KeySource,
  passphrase?: string,
): LoadedKey {
  const where = describeSource(source);
  const pem = typeof material === 'string' ? material : material.toString('utf8');
  const isPem = pem.includes('-----BEGIN');
  if (isPem && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) === false && want === 'private' && /-----BEGIN (RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(pem)) {
    return { source, problem: 'not-private', problemMessage: `${where} holds a public key or certificate, not a private key` };
  }
  try {
    if (want === 'private') {
      const encrypted = isPem && isEncryptedPem(pem);
      if (encrypted && !passphrase) {
        return {
          source,
          problem: 'encrypted',
          problemMessage: `private key in ${where} is encrypted with a passphrase and no passphrase was given`,
        };
      }
      const key = isPem
        ? createPrivateKey({ key: pem, format: 'pem', passphrase })
        : createPrivateKey({ key: material as Buffer, format: 'der', type: 'pkcs8', passphrase });
      return checkAsymmetric({ source, key });
    }
    // A "public" key file that holds the private key spreads the signing key to every verifier.
    if (isPem && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
      return { source, problem: 'private-as-public', problemMessage: `${where} should hold the public key but contains a PRIVATE key; give verifiers only the public half` };
    }
    // A public key may be given as SPKI/PKCS#1 PEM or a certificate.
    const key = isPem ? createPublicKey({ key: pem, format: 'pem' }) : createPublicKey({ key: material as Buffer, format: 'der', type: 'spki' });
    return checkAsymmetric({ source, key });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (want === 'private' && (code === 'ERR_MISSING_PASSPHRASE' || (isPem && isEncryptedPem(pem) && !passphrase))) {
      return { source, problem: 'encrypted', problemMessage: `private key in ${where} is encrypted with a passphrase and no passphrase was given` };
    }
    if (want === 'private' && isPem && isEncryptedPem(pem)) {
      return { source, problem: 'bad-passphrase', problemMessage: `the given passphrase does not decrypt the private key in ${where}` };
    }
    return {
      source,
      problem: 'unparseable',
      problemMessage: `${where} does not contain a valid ${want} key${isPem ? '' : ' (no PEM header found)'}`,
    };
  }
}

function checkAsymmetric(loaded: LoadedKey): LoadedKey {
  if (loaded.key && loaded.key.type === 'secret') {
    return { source: loaded.source, problem: 'symmetric', problemMessage: `${describeSource(loaded.source)} holds a symmetric secret, not an asymmetric key` };
  }
  return loaded;
}

export interface KeyInput {
  /** File path, resolved against baseDir. */
  path?: string;
  /** Name of an environment variable holding the PEM. */
  envName?: string;
}

/**
 * Where to read a key from: an explicit path, else an explicit variable name, else the conventional
 * `pathVar` (a path in the environment), else the conventional `pemVar` (PEM in the environment).
 */
export function pickKeyInput(
  path: string | undefined,
  envName: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  pathVar: string,
  pemVar: string,
): KeyInput {
  if (path) return { path };
  if (envName) return { envName };
  if (env[pathVar]) return { path: env[pathVar] };
  if (env[pemVar]) return { envName: pemVar };
  return {};
}

/** Reads a key from a file or an environment variable. Returns `undefined` when neither is configured. */
export async function loadKey(
  input: KeyInput,
  want: 'private' | 'public',
  options: { baseDir: string; env: Readonly<Record<string, string | undefined>>; passphrase?: string },
): Promise<LoadedKey | undefined> {
  if (input.path) {
    const path = isAbsolute(input.path) ? input.path : resolve(options.baseDir, input.path);
    const source: KeySource = { kind: 'file', path };
    let mode: number | undefined;
    try {
      const info = await stat(path);
      if (!info.isFile()) return { source, problem: 'missing', problemMessage: `${path} is not a file` };
      mode = info.mode & 0o777;
    } catch (err) {
      return fileProblem(source, err, want);
    }
    let material: Buffer;
    try {
      material = await readFile(path);
    } catch (err) {
      return { ...fileProblem(source, err, want), mode };
    }
    return { ...parseKey(material, want, source, options.passphrase), mode };
  }
  if (input.envName) {
    const source: KeySource = { kind: 'env', name: input.envName };
    const value = options.env[input.envName];
    if (!value || !value.trim()) {
      return { source, problem: 'missing', problemMessage: `environment variable ${input.envName} is not set` };
    }
    return parseKey(normalizePem(value), want, source, options.passphrase);
  }
  return undefined;
}

function fileProblem(source: KeySource & { kind: 'file' }, err: unknown, want: string): LoadedKey {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return { source, problem: 'missing', problemMessage: `${want} key file ${source.path} does not exist` };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return { source, problem: 'unreadable', problemMessage: `no permission to read ${want} key file ${source.path}` };
  }
  return { source, problem: 'unreadable', problemMessage: `could not read ${want} key file ${source.path} (${code ?? 'unknown error'})` };
}

/** Key requirements implied by a JWS algorithm. */
export interface AlgorithmFamily {
  keyTypes: string[];
  /** Exact curve required (ES256 → P-256); absent when any allowed curve will do. */
  curve?: string;
  curves?: string[];
}

export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;

export function algorithmFamily(alg: string): AlgorithmFamily | undefined {
  if (/^RS(256|384|512)$/.test(alg)) return { keyTypes: ['rsa'] };
  if (/^PS(256|384|512)$/.test(alg)) return { keyTypes: ['rsa', 'rsa-pss'] };
  if (alg === 'ES256') return { keyTypes: ['ec'], curve: 'P-256' };
  if (alg === 'ES384') return { keyTypes: ['ec'], curve: 'P-384' };
  if (alg === 'ES512') return { keyTypes: ['ec'], curve: 'P-521' };
  if (alg === 'EdDSA') return { keyTypes: ['ed25519', 'ed448'], curves: ['Ed25519', 'Ed448'] };
  if (alg === 'Ed25519') return { keyTypes: ['ed25519'], curve: 'Ed25519' };
  return undefined;
}

export function isSymmetricAlgorithm(alg: string): boolean {
  return /^HS(256|384|512)$/i.test(alg);
}

/** Public parameters of a JWK (what identifies the key), for comparisons. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Proves that `publicKey` is `privateKey`'s pair by signing a throwaway token with one and verifying it
 * with the other (jose). Returns false on a mismatch; throws only when `alg` does not fit the keys.
 */
export async function keysArePair(privateKey: KeyObject, publicKey: KeyObject, alg: string): Promise<boolean> {
  const { SignJWT, jwtVerify } = await loadJose();
  const token = await new SignJWT({ purpose: 'readiness key pair check' })
    .setProtectedHeader({ alg })
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(privateKey);
  try {
    await jwtVerify(token, publicKey, { algorithms: [alg] });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return false;
    throw err;
  }
}
