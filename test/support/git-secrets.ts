// Fake secrets with real shapes, built at run time so no secret-shaped literal sits in this repository
// (and so this repository's own secrets.scan stays clean). Each call gives a fresh random value.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function randomString(length: number, alphabet = ALNUM): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export const fake = {
  stripeLive: () => ['sk', 'live', randomString(24)].join('_'),
  stripeTest: () => ['sk', 'test', randomString(24)].join('_'),
  stripeRestrictedLive: () => ['rk', 'live', randomString(24)].join('_'),
  webhookSecret: () => ['whsec', randomString(32)].join('_'),
  awsKeyId: () => 'AK' + 'IA' + randomString(16, UPPER),
  awsSecret: () => randomString(40, ALNUM + '/+'),
  sendgrid: () => ['S' + 'G', randomString(22), randomString(43)].join('.'),
  githubToken: () => 'gh' + 'p_' + randomString(36),
  privateKeyPem: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  publicKeyPem: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string,
  jwt: async () => new SignJWT({ sub: randomString(8) }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(randomBytes(32)),
  dbPassword: () => randomString(20),
};
