// stripe.keys: the secret key is present, shaped right, in the mode the environment expects, matches the
// front end's publishable key, and authenticates.
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { apiBaseParam, describeStripeError, makeStripe, withSignal } from '../../src/stripe/client.js';
import { isUsable, PUBLISHABLE_KEY_ENV, secretKeyParam, usableSecretKey } from '../../src/stripe/common.js';
import { maskKey, modeName, parseKey, type KeyInfo, type KeyMode } from '../../src/stripe/keys.js';

export type AuthOutcome =
  | { outcome: 'ok'; livemode?: boolean }
  /** Authenticated, but this (restricted) key may not read the balance: the key is valid. */
  | { outcome: 'forbidden' }
  | { outcome: 'invalid'; message: string }
  | { outcome: 'error'; message: string };

export interface KeysFacts {
  /** Where the secret key came from (`STRIPE_SECRET_KEY` or `secret_key`). */
  source: string;
  secret: { info: KeyInfo; masked: string };
  publishable?: { source: string; info: KeyInfo; masked: string };
  expectMode?: KeyMode;
  allowRestricted: boolean;
  requirePublishable: boolean;
  /** Undefined when verification was turned off. */
  auth?: AuthOutcome;
}

const kindName = (info: KeyInfo) =>
  info.kind === 'restricted' ? 'restricted key' : info.kind === 'secret' ? 'secret key' : info.kind === 'publishable' ? 'publishable key' : info.kind === 'webhook_secret' ? 'webhook secret' : 'value';

/** Pure decision: key facts in, verdict out. */
export function decideKeys(f: KeysFacts): Verdict {
  const parts: Verdict[] = [];
  const s = f.secret;
  const mode = s.info.mode;

  if (s.info.kind === 'restricted' && !f.allowRestricted) {
    parts.push(fail(`${f.source} is a restricted key (${s.masked}) but allow_restricted is false`));
  }
  if (f.expectMode && mode !== f.expectMode) {
    parts.push(
      fail(
        `${f.source} is a ${modeName(mode)} key (${s.masked}) but this environment expects ${modeName(f.expectMode)}`,
        undefined,
        f.expectMode === 'live'
          ? `Set ${f.source} to the live secret key (sk_live_…) from the Stripe dashboard (Developers → API keys, live mode).`
          : `Set ${f.source} to a test key (sk_test_…): a live key outside production charges real cards.`,
      ),
    );
  }

  const p = f.publishable;
  if (p) {
    if (p.info.kind === 'secret' || p.info.kind === 'restricted') {
      parts.push(
        fail(
          `${p.source} holds a ${kindName(p.info)} (${p.masked}): it would be shipped to browsers`,
          undefined,
          `Rotate that key now in the Stripe dashboard, then put the publishable key (pk_…) in ${p.source}.`,
        ),
      );
    } else if (p.info.kind !== 'publishable' || !p.info.wellFormed) {
      parts.push(fail(`${p.source} is not a publishable key (${p.masked}): it ${p.info.problems.join(' and ') || 'has the wrong prefix'}`));
    } else if (mode && p.info.mode !== mode) {
      parts.push(fail(`${p.source} is a ${modeName(p.info.mode)} publishable key (${p.masked}) but the secret key is ${modeName(mode)} (${s.masked})`));
    }
  } else if (f.requirePublishable) {
    parts.push(fail(`${PUBLISHABLE_KEY_ENV} is not set: the front end has no publishable key`));
  }

  const a = f.auth;
  if (a?.outcome === 'invalid') {
    parts.push(fail(`invalid API key ${s.masked}: ${a.message}`, undefined, `Copy the current ${modeName(mode)} secret key from the Stripe dashboard (Developers → API keys) into ${f.source}; the key may have been rolled or deleted.`));
  } else if (a?.outcome === 'error') {
    parts.push(error(`could not verify the key ${s.masked} with Stripe: ${a.message}`));
  } else if (a?.outcome === 'ok' && a.livemode !== undefined && (a.livemode ? 'live' : 'test') !== mode) {
    parts.push(fail(`Stripe reports livemode=${a.livemode} for the key ${s.masked}, which looks ${modeName(mode)}`));
  }

  const authText =
    a === undefined ? 'not verified with Stripe (verify: false)' : a.outcome === 'ok' ? 'authenticates' : a.outcome === 'forbidden' ? 'authenticates (restricted: may not read the balance)' : a.outcome;
  const evidence = {
    expected: { mode: f.expectMode ?? '(not compared: set expect_mode)', kind: f.allowRestricted ? 'secret or restricted key' : 'secret key', publishable_mode: mode ?? null },
    actual: { key: s.masked, kind: s.info.kind, mode: mode ?? null, publishable: p ? { key: p.masked, kind: p.info.kind, mode: p.info.mode ?? null } : null },
    details: { authentication: authText, ...(a?.outcome === 'ok' && a.livemode !== undefined ? { livemode: a.livemode } : {}) },
  };
  const pubText = p && p.info.kind === 'publishable' ? `; publishable key ${p.masked} is ${modeName(p.info.mode)} too` : '';
  const message = `${modeName(mode)} ${kindName(s.info)} ${s.masked} ${authText}${f.expectMode ? '' : ' (mode not compared: set expect_mode)'}${pubText}`;
  return combine(parts, message, evidence);
}

export default defineCheck({
  meta: {
    type: 'stripe.keys',
    title: 'Stripe API keys are set for the right mode',
    failureTitle: 'Stripe API keys are wrong for this environment',
    description:
      'A test key in production takes no real payments; a live key in staging charges real cards; a publishable key on the server or a secret key in the front end breaks payments or leaks the account. Reads the key prefixes and makes one read-only call (GET /v1/balance) to prove the secret key authenticates.',
    remediation:
      'Put the secret key (sk_live_… in production, sk_test_… elsewhere) in STRIPE_SECRET_KEY and the publishable key of the same mode in NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY (Stripe dashboard → Developers → API keys).',
    docs: 'docs/checks.md#stripe-keys',
  },
  params: z
    .object({
      api_base: apiBaseParam(),
      secret_key: secretKeyParam(),
      publishable_key: z
        .string()
        .optional()
        .describe(`Publishable key the front end uses; defaults to the ${PUBLISHABLE_KEY_ENV} environment variable (compared when set)`),
      expect_mode: z.enum(['live', 'test']).optional().describe('Mode the keys must be in: `live` in production, `test` everywhere else'),
      allow_restricted: boolish().default(true).describe('Accept a restricted key (rk_…) as the server key'),
      require_publishable_key: boolish().default(false).describe('Fail when no publishable key is configured'),
      verify: boolish().default(true).describe('Make one read-only call (GET /v1/balance) to prove the secret key authenticates'),
    })
    .strict(),
  async run(ctx) {
    const { params, env } = ctx;
    const usable = usableSecretKey(params.secret_key, env);
    if (!isUsable(usable)) return usable.verdict;

    const pubRaw = params.publishable_key !== undefined ? params.publishable_key : env[PUBLISHABLE_KEY_ENV];
    const pubSource = params.publishable_key !== undefined ? 'publishable_key' : PUBLISHABLE_KEY_ENV;
    const publishable = pubRaw && pubRaw.trim() !== '' ? { source: pubSource, info: parseKey(pubRaw), masked: maskKey(pubRaw) } : undefined;

    let auth: AuthOutcome | undefined;
    if (params.verify) {
      // The SDK gives up at the check's timeout: the runner's grace then still leaves time to report the
      // key's mode problems next to the verification that could not be made.
      const stripe = await makeStripe(usable.key, { apiBase: params.api_base, timeoutMs: ctx.timeoutMs });
      ctx.log.debug(`GET ${params.api_base}/v1/balance with ${usable.masked}`);
      try {
        const balance = await withSignal(stripe.balance.retrieve(), ctx.signal);
        auth = { outcome: 'ok', livemode: typeof balance.livemode === 'boolean' ? balance.livemode : undefined };
      } catch (err) {
        const e = describeStripeError(err, { key: usable.key, apiBase: params.api_base, timeoutMs: ctx.timeoutMs, secrets: [pubRaw ?? ''] });
        ctx.log.debug(`balance: ${e.message}`);
        auth =
          e.kind === 'authentication'
            ? { outcome: 'invalid', message: `Stripe answered ${e.status ?? 401}` }
            : e.kind === 'permission'
              ? { outcome: 'forbidden' }
              : { outcome: 'error', message: e.message };
      }
    }
    return decideKeys({
      source: usable.source,
      secret: { info: usable.info, masked: usable.masked },
      publishable,
      expectMode: params.expect_mode,
      allowRestricted: params.allow_restricted,
      requirePublishable: params.require_publishable_key,
      auth,
    });
  },
});
