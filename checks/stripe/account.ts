// stripe.account: the Stripe account can take payments and receive payouts, and Stripe wants nothing more.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { apiBaseParam, describeStripeError, makeStripe, remediationForFailure, withRemediation, withSignal } from '../../src/stripe/client.js';
import { isUsable, secretKeyParam, usableSecretKey } from '../../src/stripe/common.js';

export interface AccountFacts {
  id?: string;
  charges_enabled?: boolean;
  payouts_enabled?: boolean;
  details_submitted?: boolean;
  currently_due: string[];
  past_due: string[];
  eventually_due: string[];
  pending_verification: string[];
  disabled_reason?: string | null;
  current_deadline?: number | null;
}

export interface AccountExpectations {
  require_charges: boolean;
  require_payouts: boolean;
  require_details: boolean;
  warn_eventually_due: boolean;
}

const list = (items: string[], max = 5) => (items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`);

/** Pure decision: the account object's facts in, verdict out. */
export function decideAccount(a: AccountFacts, x: AccountExpectations): Verdict {
  const parts: Verdict[] = [];
  if (a.disabled_reason) parts.push(fail(`account is disabled by Stripe (disabled_reason: ${a.disabled_reason})`));
  if (x.require_charges && a.charges_enabled !== true) parts.push(fail('charges_enabled is false: the account cannot take payments'));
  if (x.require_payouts && a.payouts_enabled !== true) parts.push(fail('payouts_enabled is false: no bank account or payouts are paused'));
  if (x.require_details && a.details_submitted !== true) parts.push(fail('details_submitted is false: the business profile is not complete'));
  if (a.past_due.length) parts.push(fail(`Stripe requirements past due: ${list(a.past_due)}`));
  if (a.currently_due.length) {
    const by = a.current_deadline ? ` (due by ${new Date(a.current_deadline * 1000).toISOString().slice(0, 10)})` : '';
    parts.push(fail(`Stripe requirements currently due: ${list(a.currently_due)}${by}`));
  }
  if (x.warn_eventually_due && a.eventually_due.length) {
    const later = a.eventually_due.filter((r) => !a.currently_due.includes(r) && !a.past_due.includes(r));
    if (later.length) parts.push(warn(`Stripe will eventually need: ${list(later)}`));
  }
  const evidence = {
    expected: {
      charges_enabled: x.require_charges ? true : '(not required)',
      payouts_enabled: x.require_payouts ? true : '(not required)',
      details_submitted: x.require_details ? true : '(not required)',
      currently_due: [],
      past_due: [],
      disabled_reason: null,
    },
    actual: {
      charges_enabled: a.charges_enabled ?? null,
      payouts_enabled: a.payouts_enabled ?? null,
      details_submitted: a.details_submitted ?? null,
      currently_due: a.currently_due,
      past_due: a.past_due,
      disabled_reason: a.disabled_reason ?? null,
    },
    details: {
      account: a.id,
      eventually_due: a.eventually_due,
      pending_verification: a.pending_verification,
      current_deadline: a.current_deadline ? new Date(a.current_deadline * 1000).toISOString() : null,
    },
  };
  return combine(parts, `account ${a.id ?? ''} can take payments and receive payouts; Stripe wants nothing more`.replace('  ', ' '), evidence);
}

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export default defineCheck({
  meta: {
    type: 'stripe.account',
    title: 'Stripe account can take payments',
    failureTitle: 'Stripe account cannot take payments yet',
    description:
      'An account with charges or payouts disabled, an unfinished business profile or overdue verification requirements fails real customers at checkout or holds their money. Reads GET /v1/account (read-only).',
    remediation:
      'Open the Stripe dashboard (Settings → Business, and the account\'s "Action required" banner), submit what Stripe lists under requirements, and connect a bank account for payouts.',
    docs: 'docs/checks.md#stripe-account',
  },
  params: z
    .object({
      api_base: apiBaseParam(),
      secret_key: secretKeyParam(),
      require_charges_enabled: boolish().default(true).describe('Require charges_enabled'),
      require_payouts_enabled: boolish().default(true).describe('Require payouts_enabled (a bank account is connected and payouts are not paused)'),
      require_details_submitted: boolish().default(true).describe('Require details_submitted (business profile completed)'),
      warn_eventually_due: boolish().default(false).describe('Warn when Stripe lists requirements under eventually_due'),
    })
    .strict(),
  async run(ctx) {
    const { params, env } = ctx;
    const usable = usableSecretKey(params.secret_key, env);
    if (!isUsable(usable)) return usable.verdict;
    const stripe = await makeStripe(usable.key, { apiBase: params.api_base, timeoutMs: ctx.timeoutMs });
    ctx.log.debug(`GET ${params.api_base}/v1/account with ${usable.masked}`);
    let acct: Record<string, unknown>;
    try {
      acct = (await withSignal(stripe.accounts.retrieve(null), ctx.signal)) as unknown as Record<string, unknown>;
    } catch (err) {
      const e = describeStripeError(err, { key: usable.key, apiBase: params.api_base, timeoutMs: ctx.timeoutMs });
      ctx.log.debug(`account: ${e.message}`);
      const fix = remediationForFailure(e.kind, { resource: 'the account (Connect → Accounts, or All core resources)', apiBase: params.api_base });
      if (e.kind === 'permission') {
        return withRemediation(error(`cannot verify the account: the ${usable.info.kind === 'restricted' ? 'restricted ' : ''}key ${usable.masked} may not read it (Stripe answered ${e.status ?? 403} permission_error)`, {
          expected: 'read access to the account (GET /v1/account)',
          actual: `permission_error`,
        }), fix);
      }
      if (e.kind === 'authentication') return withRemediation(error(`cannot verify the account: invalid API key ${usable.masked} (Stripe answered ${e.status ?? 401})`), fix);
      return withRemediation(error(`cannot verify the account: ${e.message}`), fix);
    }
    const req = (acct.requirements ?? {}) as Record<string, unknown>;
    return decideAccount(
      {
        id: typeof acct.id === 'string' ? acct.id : undefined,
        charges_enabled: acct.charges_enabled as boolean | undefined,
        payouts_enabled: acct.payouts_enabled as boolean | undefined,
        details_submitted: acct.details_submitted as boolean | undefined,
        currently_due: arr(req.currently_due),
        past_due: arr(req.past_due),
        eventually_due: arr(req.eventually_due),
        pending_verification: arr(req.pending_verification),
        disabled_reason: (req.disabled_reason as string | null | undefined) ?? null,
        current_deadline: (req.current_deadline as number | null | undefined) ?? null,
      },
      {
        require_charges: params.require_charges_enabled,
        require_payouts: params.require_payouts_enabled,
        require_details: params.require_details_submitted,
        warn_eventually_due: params.warn_eventually_due,
      },
    );
  },
});
