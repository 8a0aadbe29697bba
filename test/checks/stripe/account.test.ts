import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { decideAccount, type AccountExpectations, type AccountFacts } from '../../../checks/stripe/account.js';
import { runCheck } from '../../support/run-check.js';
import { account, startStripeServer, type FakeStripe } from '../../support/stripe-server.js';

const LIVE = 'sk_live_51AccountLiveKeyAbCdEfGhIjKlMnOp1a2B';
const RESTRICTED = 'rk_live_51AccountRestrictedAbCdEfGhIjKl3c4D';
const BAD = 'sk_live_51NotKnownToStripeAbCdEfGhIjKl5e6F';

const ok: AccountFacts = {
  id: 'acct_1',
  charges_enabled: true,
  payouts_enabled: true,
  details_submitted: true,
  currently_due: [],
  past_due: [],
  eventually_due: [],
  pending_verification: [],
  disabled_reason: null,
};
const x: AccountExpectations = { require_charges: true, require_payouts: true, require_details: true, warn_eventually_due: false };

describe('decideAccount', () => {
  it('passes a complete account', () => {
    const v = decideAccount(ok, x);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('acct_1 can take payments');
  });
  it('fails when charges are disabled', () => {
    const v = decideAccount({ ...ok, charges_enabled: false }, x);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('charges_enabled is false: the account cannot take payments');
  });
  it('fails when payouts are disabled unless not required', () => {
    expect(decideAccount({ ...ok, payouts_enabled: false }, x).message).toContain('payouts_enabled is false');
    expect(decideAccount({ ...ok, payouts_enabled: false }, { ...x, require_payouts: false }).status).toBe('pass');
  });
  it('fails when details are not submitted', () => {
    expect(decideAccount({ ...ok, details_submitted: false }, x).message).toContain('details_submitted is false');
  });
  it('lists what Stripe still wants, with the deadline', () => {
    const v = decideAccount({ ...ok, currently_due: ['external_account', 'tos_acceptance.date'], current_deadline: 1893456000 }, x);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Stripe requirements currently due: external_account, tos_acceptance.date (due by 2030-01-01)');
    expect(v.evidence?.actual).toMatchObject({ currently_due: ['external_account', 'tos_acceptance.date'] });
  });
  it('fails past-due requirements and a disabled reason, worst first', () => {
    const v = decideAccount({ ...ok, charges_enabled: false, past_due: ['individual.id_number'], disabled_reason: 'requirements.past_due' }, x);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('disabled_reason: requirements.past_due');
    expect(v.message).toContain('past due: individual.id_number');
  });
  it('shortens long requirement lists', () => {
    const v = decideAccount({ ...ok, currently_due: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, x);
    expect(v.message).toContain('a, b, c, d, e and 2 more');
  });
  it('warns about eventually_due only when asked', () => {
    const facts = { ...ok, eventually_due: ['company.tax_id'] };
    expect(decideAccount(facts, x).status).toBe('pass');
    expect(decideAccount(facts, { ...x, warn_eventually_due: true }).status).toBe('warn');
  });
});

describe('stripe.account against a local Stripe', () => {
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await startStripeServer();
  });
  afterAll(async () => {
    await stripe?.close();
  });
  const keys = { [LIVE]: { livemode: true }, [RESTRICTED]: { livemode: true, deny: ['/v1/account'] } };

  it('passes a ready account with one GET', async () => {
    stripe.set({ keys, account: account() });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase }, { env: { STRIPE_SECRET_KEY: LIVE }, logs });
    expect(v.status).toBe('pass');
    expect(stripe.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/account']);
    expect(JSON.stringify(v) + logs.join()).not.toContain(LIVE);
  });

  it('fails an account with requirements due and lists them in evidence', async () => {
    stripe.set({ keys, account: account({ payouts_enabled: false, requirements: { currently_due: ['external_account'], past_due: ['external_account'] } }) });
    const v = await runCheck(check, { api_base: stripe.apiBase }, { env: { STRIPE_SECRET_KEY: LIVE } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('payouts_enabled is false');
    expect(v.message).toContain('currently due: external_account');
    expect((v.evidence?.actual as { past_due: string[] }).past_due).toEqual(['external_account']);
  });

  it('says "cannot verify" (error) for a restricted key without account access', async () => {
    stripe.set({ keys, account: account() });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase, secret_key: RESTRICTED }, { logs });
    expect(v.status).toBe('error');
    expect(v.message).toBe('cannot verify the account: the restricted key rk_live_…3c4D may not read it (Stripe answered 403 permission_error)');
    expect(v.remediation).toMatch(/^Give the restricted key Read access to the account/);
    expect(JSON.stringify(v) + logs.join()).not.toContain(RESTRICTED);
  });

  it('errors on an invalid key without showing it', async () => {
    stripe.set({ keys, account: account() });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase, secret_key: BAD }, { logs });
    expect(v.status).toBe('error');
    expect(v.message).toContain('invalid API key sk_live_…5e6F');
    expect(v.remediation).toMatch(/STRIPE_SECRET_KEY; the key may have been rolled/);
    expect(JSON.stringify(v) + logs.join()).not.toContain(BAD);
  });

  it('errors, not hangs, when Stripe is slow', async () => {
    stripe.set({ keys, account: account(), delayMs: 5000 });
    const v = await runCheck(check, { api_base: stripe.apiBase }, { env: { STRIPE_SECRET_KEY: LIVE }, timeoutMs: 300 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/cannot verify the account: timed out after/);
    expect(v.remediation).toBe(`Check that this host can reach ${stripe.apiBase} (DNS, proxy, firewall or egress rules), then run the check again.`);
  });
});
