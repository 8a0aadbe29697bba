// jwt.keys: the JWT signing keys exist, parse, fit the algorithm, are strong enough, are a pair,
// and the private key is neither world-readable nor committed to git.
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, warn, type Verdict } from '../../src/check.js';
import { boolish, intish } from '../../src/params.js';
import {
  algorithmFamily,
  describeKey,
  describeSource,
  isSymmetricAlgorithm,
  keysArePair,
  loadKey,
  pickKeyInput,
  summarizeKey,
  type KeyDescription,
  type KeyLoadProblem,
  type LoadedKey,
} from '../../src/keys/keys.js';
import { trackedByGit } from '../../src/keys/git.js';

const DEFAULT_CURVES = ['P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448'];

const params = z
  .object({
    private_key: z.string().optional().describe('Path of the private signing key (PEM). Relative paths start at the profile directory. Default: $JWT_PRIVATE_KEY_PATH.'),
    private_key_env: z.string().optional().describe('Name of an environment variable holding the private key PEM (used when no private_key path is set). Default: JWT_PRIVATE_KEY.'),
    public_key: z.string().optional().describe('Path of the public verification key (PEM). Default: $JWT_PUBLIC_KEY_PATH.'),
    public_key_env: z.string().optional().describe('Name of an environment variable holding the public key PEM. Default: JWT_PUBLIC_KEY.'),
    passphrase: z.string().optional().describe('Passphrase of an encrypted private key (use ${VAR} interpolation; it is never shown).'),
    algorithm: z.string().trim().default('RS256').describe('JWS algorithm the keys are used with: RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA.'),
    min_bits: intish().default(2048).describe('Smallest acceptable RSA modulus in bits.'),
    allowed_curves: z.array(z.string()).default(DEFAULT_CURVES).describe('Elliptic curves accepted for EC/OKP keys.'),
    check_git: boolish().default(true).describe('Fail when a key file is tracked by git in the repository it lives in.'),
  })
  .strict();

type Params = z.output<typeof params>;

/** What was found about one key. Never material: only its description. */
export interface KeyFacts {
  /** File path or `environment variable NAME`. */
  source: string;
  isFile: boolean;
  problem?: KeyLoadProblem;
  problemMessage?: string;
  description?: KeyDescription;
  /** Permission bits of a key file. */
  mode?: number;
  /** Whether git tracks the key file; undefined when it is not inside a work tree. */
  git?: { repo: string; tracked: boolean };
  /** Why git could not be asked (then tracking is unknown). */
  gitError?: string;
}

export interface KeysFacts {
  algorithm: string;
  minBits: number;
  allowedCurves: string[];
  private?: KeyFacts;
  public?: KeyFacts;
  /** True when no public key was configured and it was derived from the private key. */
  publicDerived?: boolean;
  /** Result of signing with the private key and verifying with the public one; undefined when not tried. */
  pairMatches?: boolean;
}

const modeText = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

/** Problems that mean "could not check" rather than "checked and wrong". */
const ERROR_PROBLEMS: KeyLoadProblem[] = ['unreadable', 'encrypted', 'bad-passphrase'];

function keyVerdicts(role: 'private' | 'public', k: KeyFacts, facts: KeysFacts): Verdict[] {
  const parts: Verdict[] = [];
  if (k.problem) {
    const message = k.problemMessage ?? `${role} key in ${k.source} could not be loaded`;
    if (k.problem === 'encrypted' || k.problem === 'bad-passphrase') {
      parts.push({
        ...error(message),
        remediation: `Give the key's passphrase to the check from the environment, e.g. \`passphrase: \${JWT_KEY_PASSPHRASE}\` (it is never shown), or check the one given; the app needs the same passphrase to sign tokens.`,
      });
    } else if (ERROR_PROBLEMS.includes(k.problem)) {
      parts.push(error(message));
    } else {
      parts.push(fail(message));
    }
  }
  // The key file's mode and git tracking are known without its content: judged even when it did not load.
  const d = k.description;
  if (d) parts.push(...contentVerdicts(role, k, d, facts));
  parts.push(...fileVerdicts(role, k));
  return parts;
}

/** What the loaded key itself shows: type and curve for the algorithm, size. */
function contentVerdicts(role: 'private' | 'public', k: KeyFacts, d: KeyDescription, facts: KeysFacts): Verdict[] {
  const parts: Verdict[] = [];
  const family = algorithmFamily(facts.algorithm);
  const keyFix = () =>
    `Either set \`algorithm\` to the one the app really signs with, or generate a ${facts.algorithm} key pair (${generateCommand(facts.algorithm, facts.minBits)}; then openssl pkey -in jwt_private.pem -pubout -out jwt_public.pem).`;
  if (family && !family.keyTypes.includes(d.keyType)) {
    parts.push(
      fail(
        `${role} key ${k.source} is ${summarizeKey(d)} but ${facts.algorithm} needs ${family.keyTypes.includes('rsa') ? 'an RSA' : family.keyTypes.includes('ec') ? `an EC ${family.curve}` : 'an Ed25519/Ed448'} key`,
        undefined,
        keyFix(),
      ),
    );
  } else if (family?.curve && d.curve !== family.curve) {
    parts.push(fail(`${role} key ${k.source} is on curve ${d.curve ?? '?'} but ${facts.algorithm} needs ${family.curve}`, undefined, keyFix()));
  }
  if ((d.keyType === 'rsa' || d.keyType === 'rsa-pss') && (d.bits ?? 0) < facts.minBits) {
    parts.push(
      fail(
        `${role} key ${k.source} is RSA ${d.bits}-bit, below the required ${facts.minBits} bits`,
        undefined,
        `Generate a new pair of at least ${facts.minBits} bits (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${Math.max(2048, facts.minBits)} -out jwt_private.pem; openssl pkey -in jwt_private.pem -pubout -out jwt_public.pem), deploy both and publish the new public key; tokens signed with the old key stop verifying once it is removed.`,
      ),
    );
  }
  if (d.curve && !facts.allowedCurves.includes(d.curve)) {
    parts.push(fail(`${role} key ${k.source} uses curve ${d.curve}, not one of the allowed ${facts.allowedCurves.join(', ')}`));
  }
  return parts;
}

/** What the key file shows: its mode and whether git tracks it. */
function fileVerdicts(role: 'private' | 'public', k: KeyFacts): Verdict[] {
  const parts: Verdict[] = [];
  if (role === 'private' && k.isFile && k.mode !== undefined && (k.mode & 0o077) !== 0) {
    parts.push(
      fail(
        `private key ${k.source} has mode ${modeText(k.mode)} (readable by ${k.mode & 0o070 ? 'group' : ''}${k.mode & 0o070 && k.mode & 0o007 ? ' and ' : ''}${k.mode & 0o007 ? 'others' : ''}); expected 0600 or stricter`,
        undefined,
        `Restrict the key file to its owner: chmod 600 ${k.source} (and chown it to the user the app runs as).`,
      ),
    );
  }
  if (k.git?.tracked) {
    if (role === 'private') {
      parts.push(
        fail(
          `private key ${k.source} is tracked by git in ${k.git.repo}`,
          undefined,
          `Remove the key from the repository (git rm --cached), add it to .gitignore, and rotate it: anyone with the repository has it, including its history.`,
        ),
      );
    } else {
      parts.push(warn(`public key ${k.source} is tracked by git in ${k.git.repo}; keep key files out of the repository and load them from the deployment's secret store`));
    }
  }
  if (k.gitError) parts.push(error(`could not check whether ${role} key ${k.source} is tracked by git: ${k.gitError}`));
  return parts;
}

/** The openssl command that makes a private key for `algorithm`. */
export function generateCommand(algorithm: string, minBits: number): string {
  const family = algorithmFamily(algorithm);
  if (family?.keyTypes.includes('ec')) return `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:${family.curve ?? 'P-256'} -out jwt_private.pem`;
  if (family?.keyTypes.includes('ed25519')) return 'openssl genpkey -algorithm ED25519 -out jwt_private.pem';
  return `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${Math.max(2048, minBits)} -out jwt_private.pem`;
}

/** A configuration error in `algorithm`, if any. */
export function algorithmProblem(algorithm: string): Verdict | undefined {
  if (isSymmetricAlgorithm(algorithm) || algorithm.toLowerCase() === 'none') {
    return error(`algorithm ${algorithm} does not use a key pair; jwt.keys checks RS*, PS*, ES* and EdDSA keys (use jwt.policy to reject ${algorithm})`);
  }
  if (!algorithmFamily(algorithm)) {
    return error(`unknown JWS algorithm ${JSON.stringify(algorithm)}; expected one of RS256/384/512, PS256/384/512, ES256/384/512, EdDSA`);
  }
  return undefined;
}

/** Pure decision: facts about the keys in, verdict out. */
export function evaluateKeys(facts: KeysFacts): Verdict {
  const bad = algorithmProblem(facts.algorithm);
  if (bad) return bad;
  if (!facts.private && !facts.public) {
    return error('no JWT key configured: set private_key (a file path) or private_key_env (a variable holding the PEM), or JWT_PRIVATE_KEY_PATH in the environment');
  }
  const parts: Verdict[] = [];
  if (facts.private) parts.push(...keyVerdicts('private', facts.private, facts));
  if (facts.public && !facts.publicDerived) parts.push(...keyVerdicts('public', facts.public, facts));
  if (facts.pairMatches === false) {
    const a = facts.private?.description?.fingerprint;
    const b = facts.public?.description?.fingerprint;
    parts.push(
      fail(
        `public key ${facts.public?.source} is not the pair of private key ${facts.private?.source}: a token signed with the private key does not verify (fingerprints ${a?.slice(0, 23)}… vs ${b?.slice(0, 23)}…)`,
        undefined,
        'Deploy the public key that belongs to the private key (derive it with `openssl pkey -in private.pem -pubout`), or both keys of the new pair.',
      ),
    );
  }
  const summary = facts.private?.description ?? facts.public?.description;
  const passMessage = summary
    ? `${summarizeKey(summary)} ${facts.private?.description && facts.public?.description && !facts.publicDerived ? 'key pair' : facts.private?.description ? 'private key' : 'public key'} fits ${facts.algorithm}${facts.private?.isFile && facts.private.mode !== undefined ? `, private key mode ${modeText(facts.private.mode)}` : ''}`
    : 'keys are fine';
  const evidence = {
    expected: {
      algorithm: facts.algorithm,
      minRsaBits: facts.minBits,
      allowedCurves: facts.allowedCurves,
      privateKeyMode: '0600 or stricter',
      trackedByGit: false,
    },
    actual: {
      private: facts.private ? keyEvidence(facts.private) : undefined,
      public: facts.public ? withoutUndefined({ ...keyEvidence(facts.public), derivedFromPrivateKey: facts.publicDerived || undefined }) : undefined,
      pairMatches: facts.pairMatches,
    },
  };
  return combine(parts, passMessage, evidence);
}

function keyEvidence(k: KeyFacts): Record<string, unknown> {
  // only what was found: `curve: undefined` on an RSA key is noise in the report
  return withoutUndefined({
    source: k.source,
    problem: k.problem,
    keyType: k.description?.keyType,
    bits: k.description?.bits,
    curve: k.description?.curve,
    fingerprint: k.description?.fingerprint,
    mode: k.mode !== undefined ? modeText(k.mode) : undefined,
    trackedByGit: k.git?.tracked,
  });
}

const withoutUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

async function gatherKeyFacts(loaded: LoadedKey, checkGit: boolean, signal: AbortSignal): Promise<KeyFacts> {
  const facts: KeyFacts = {
    source: describeSource(loaded.source),
    isFile: loaded.source.kind === 'file',
    problem: loaded.problem,
    problemMessage: loaded.problemMessage,
    mode: loaded.mode,
  };
  if (loaded.key) facts.description = describeKey(loaded.key);
  if (checkGit && loaded.source.kind === 'file' && loaded.problem !== 'missing') {
    try {
      facts.git = await trackedByGit(loaded.source.path, signal);
    } catch (err) {
      facts.gitError = (err as Error).message;
    }
  }
  return facts;
}

export default defineCheck({
  meta: {
    type: 'jwt.keys',
    title: 'JWT signing keys are present and sound',
    failureTitle: 'JWT signing keys are missing or unsafe',
    description:
      'Tokens are only as trustworthy as the key that signs them: a missing or mismatched key breaks logins at deploy time, a short RSA key or a world-readable or committed private key lets others mint valid tokens. Checks that the keys parse, fit the algorithm (RS256 needs an RSA key, ES256 a P-256 key), have at least min_bits, form a pair, and that the private key file has mode 0600 or stricter and is not tracked by git. Shows only key type, size and SHA-256 fingerprints.',
    remediation:
      'Generate a proper key pair (e.g. `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out jwt_private.pem` then `openssl pkey -in jwt_private.pem -pubout -out jwt_public.pem`), store it outside the repository, `chmod 600` the private key, and point JWT_PRIVATE_KEY_PATH/JWT_PUBLIC_KEY_PATH at it.',
    docs: 'docs/checks.md#jwt-keys',
  },
  params,
  async run(ctx) {
    const p: Params = ctx.params;
    const base = { algorithm: p.algorithm, minBits: p.min_bits, allowedCurves: p.allowed_curves };
    const bad = algorithmProblem(p.algorithm);
    if (bad) return bad;

    const opts = { baseDir: ctx.baseDir, env: ctx.env, passphrase: p.passphrase };
    const privInput = pickKeyInput(p.private_key, p.private_key_env, ctx.env, 'JWT_PRIVATE_KEY_PATH', 'JWT_PRIVATE_KEY');
    const pubInput = pickKeyInput(p.public_key, p.public_key_env, ctx.env, 'JWT_PUBLIC_KEY_PATH', 'JWT_PUBLIC_KEY');
    const priv = await loadKey(privInput, 'private', opts);
    const pub = await loadKey(pubInput, 'public', opts);

    const facts: KeysFacts = { ...base };
    if (priv) facts.private = await gatherKeyFacts(priv, p.check_git, ctx.signal);
    if (pub) {
      facts.public = await gatherKeyFacts(pub, p.check_git, ctx.signal);
    } else if (priv?.key) {
      facts.public = { source: `${describeSource(priv.source)} (derived)`, isFile: false, description: describeKey(createPublicKey(priv.key)) };
      facts.publicDerived = true;
    }
    if (priv?.key && pub?.key) {
      const family = algorithmFamily(p.algorithm);
      const fits = (d: KeyDescription) => !!family && family.keyTypes.includes(d.keyType) && (!family.curve || d.curve === family.curve);
      if (fits(describeKey(priv.key)) && fits(describeKey(pub.key))) {
        try {
          facts.pairMatches = await keysArePair(priv.key, pub.key, p.algorithm);
        } catch {
          facts.pairMatches = describeKey(priv.key).fingerprint === describeKey(pub.key).fingerprint;
        }
      } else {
        facts.pairMatches = describeKey(priv.key).fingerprint === describeKey(pub.key).fingerprint;
      }
    }
    ctx.log.debug(`jwt.keys: private ${facts.private?.description?.fingerprint ?? facts.private?.problem ?? 'not configured'}, public ${facts.public?.description?.fingerprint ?? facts.public?.problem ?? 'not configured'}`);
    return evaluateKeys(facts);
  },
});
