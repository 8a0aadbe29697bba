// stripe.webhooks: Stripe has an enabled endpoint for the app's webhook URL that subscribes to every event the app
// needs, the signing secret is configured and shaped right, and recent deliveries are not failing.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish, duration, intish } from '../../src/params.js';
import { apiBaseParam, describeStripeError, listAll, makeStripe, remediationForFailure, withRemediation, withSignal } from '../../src/stripe/client.js';
import { isUsable, secretKeyParam, usableSecretKey, WEBHOOK_SECRET_ENV } from '../../src/stripe/common.js';
import { maskKey, parseKey, type KeyInfo } from '../../src/stripe/keys.js';

/** The events the production-readiness checklist asks for. */
export const CHECKLIST_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'customer.updated',
];

export interface EndpointFacts {
  id: string;
  url: string;
  status: string;
  enabled_events: string[];
  api_version: string | null;
  livemode?: boolean;
}

export type DeliveryFacts =
  | {
      failed: number;
      capped: boolean;
      types: string[];
      /** Events Stripe returned although they are older than the window (its `created[gte]` filter not applied); not counted. */
      ignoredOlder?: number;
    }
  | { error: string };

/**
 * Failed deliveries inside the window, from what GET /v1/events?created[gte]=… returned. The API is not
 * trusted to have applied the filter: an event created before `gte` (seconds) is dropped here.
 */
export function countFailedDeliveries(events: ReadonlyArray<{ created: number; type: string }>, gte: number, truncated: boolean): DeliveryFacts {
  const recent = events.filter((e) => e.created >= gte);
  const ignoredOlder = events.length - recent.length;
  return {
    failed: recent.length,
    // Events come newest first: when an older one was returned, the pages left unread are older still.
    capped: truncated && ignoredOlder === 0,
    types: [...new Set(recent.map((e) => e.type))],
    ...(ignoredOlder ? { ignoredOlder } : {}),
  };
}

export interface WebhooksFacts {
  url: string;
  endpoints: EndpointFacts[];
  /** Set when the endpoints could not be read: the endpoint is then not judged (`endpoints` is ignored). */
  endpointsError?: Verdict;
  requiredEvents: string[];
  apiVersion?: string;
  requireHttps: boolean;
  secret?: { source: string; info: KeyInfo; masked: string };
  secretSource: string;
  requireSecret: boolean;
  /** Undefined when delivery health was not checked. */
  deliveries?: DeliveryFacts;
  since: number;
  warnFailed: number;
  failFailed: number;
}

const shortList = (items: string[], max = 4) => (items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`);

/** URL without query or fragment, for listing other endpoints (a query may carry a token). */
function bareUrl(u: string): string {
  try {
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return u.replace(/[?#].*$/, '');
  }
}

/** Missing events for an endpoint: `*` subscribes to everything. */
export function missingEvents(enabled: string[], required: string[]): string[] {
  if (enabled.includes('*')) return [];
  return required.filter((e) => !enabled.includes(e));
}

/** Pure decision: endpoints, secret and delivery facts in, verdict out. */
export function decideWebhooks(f: WebhooksFacts): Verdict {
  const parts: Verdict[] = [];
  let scheme = '';
  try {
    scheme = new URL(f.url).protocol;
  } catch {
    /* validated by the schema */
  }
  if (f.requireHttps && scheme !== 'https:') {
    parts.push(fail(`webhook url ${bareUrl(f.url)} is not https: Stripe sends live events only to HTTPS endpoints`));
  }

  const matches = f.endpointsError ? [] : f.endpoints.filter((e) => e.url === f.url);
  const rank = (e: EndpointFacts) => (e.status === 'enabled' ? 1000 : 0) - missingEvents(e.enabled_events, f.requiredEvents).length;
  const ep = [...matches].sort((a, b) => rank(b) - rank(a))[0];
  let missing: string[] = [];
  if (f.endpointsError) {
    // What the profile and the environment show (https, the secret) is still judged below.
    parts.push(f.endpointsError);
  } else if (!ep) {
    const others = f.endpoints.map((e) => bareUrl(e.url));
    parts.push(
      fail(
        `no Stripe webhook endpoint for ${bareUrl(f.url)}${others.length ? `; Stripe has: ${shortList(others, 3)}` : '; Stripe has none'}`,
        undefined,
        `Create the endpoint in the Stripe dashboard (Developers → Webhooks → Add endpoint) with URL ${bareUrl(f.url)} and the events ${f.requiredEvents.join(', ')}, then put its signing secret in ${WEBHOOK_SECRET_ENV}.`,
      ),
    );
  } else {
    if (ep.status !== 'enabled') parts.push(fail(`webhook endpoint ${ep.id} is ${ep.status || 'not enabled'}: Stripe sends it nothing`));
    missing = missingEvents(ep.enabled_events, f.requiredEvents);
    if (missing.length) parts.push(fail(`webhook endpoint ${ep.id} does not subscribe to ${missing.length} required event${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`));
    if (f.apiVersion && ep.api_version !== f.apiVersion) {
      parts.push(
        ep.api_version === null
          ? warn(`webhook endpoint ${ep.id} uses the account's default API version, app expects ${f.apiVersion}`)
          : fail(`webhook endpoint ${ep.id} sends API version ${ep.api_version}, app expects ${f.apiVersion}`),
      );
    }
  }

  const s = f.secret;
  if (!s) {
    if (f.requireSecret) parts.push(fail(`${f.secretSource} is not set: the app cannot verify webhook signatures`));
  } else if (s.info.kind !== 'webhook_secret') {
    parts.push(fail(`${s.source} is not a webhook signing secret (${s.masked}): expected whsec_…`));
  } else if (!s.info.wellFormed) {
    parts.push(fail(`${s.source} (${s.masked}) ${s.info.problems.join(' and ')}`));
  }

  const d = f.deliveries;
  const window = formatDuration(f.since);
  if (d && 'error' in d) {
    parts.push({ ...error(`could not check failed deliveries: ${d.error}`), remediation: 'Give the key read access to Events (or set check_deliveries: false to skip the delivery count), and check that Stripe is reachable from here.' });
  }
  else if (d) {
    const n = `${d.failed}${d.capped ? '+' : ''}`;
    const text = `${n} event${d.failed === 1 ? '' : 's'} with failed webhook deliveries in the last ${window}${d.types.length ? ` (${shortList(d.types)})` : ''}`;
    if (f.failFailed > 0 && d.failed >= f.failFailed) parts.push(fail(text));
    else if (f.warnFailed > 0 && d.failed >= f.warnFailed) parts.push(warn(text));
  }

  const evidence = {
    expected: {
      url: bareUrl(f.url),
      status: 'enabled',
      events: f.requiredEvents,
      ...(f.apiVersion ? { api_version: f.apiVersion } : {}),
      webhook_secret: 'whsec_…',
    },
    actual: f.endpointsError
      ? { endpoint: 'not checked (the endpoints could not be read)', webhook_secret: s?.masked ?? null }
      : ep
      ? { endpoint: ep.id, url: bareUrl(ep.url), status: ep.status, events: ep.enabled_events, missing_events: missing, api_version: ep.api_version, webhook_secret: s?.masked ?? null }
      : { endpoint: null, other_endpoints: f.endpoints.map((e) => ({ id: e.id, url: bareUrl(e.url), status: e.status })), webhook_secret: s?.masked ?? null },
    details: d
      ? 'error' in d
        ? { failed_deliveries: d.error }
        : { failed_deliveries: d.failed, capped: d.capped, window, event_types: d.types, ...(d.ignoredOlder ? { ignored_older_events: d.ignoredOlder } : {}) }
      : { failed_deliveries: 'not checked' },
  };
  const deliveryText = d && !('error' in d) ? `; ${d.failed}${d.capped ? '+' : ''} failed deliveries in the last ${window}` : '';
  return combine(
    parts,
    `webhook endpoint ${ep?.id ?? ''} for ${bareUrl(f.url)} is enabled with all ${f.requiredEvents.length} required events${s ? `; ${s.source} is set (${s.masked})` : ''}${deliveryText}`,
    evidence,
  );
}

export default defineCheck({
  meta: {
    type: 'stripe.webhooks',
    title: 'Stripe webhooks are configured',
    failureTitle: 'Stripe webhooks are not configured correctly',
    description:
      'Without an enabled endpoint subscribed to the subscription and invoice events, paid customers never get access and cancelled ones keep it. Reads GET /v1/webhook_endpoints and GET /v1/events?delivery_success=false (read-only); the signing secret cannot be read back from Stripe, so it is checked by shape only (use stripe.webhook_probe to prove it).',
    remediation:
      'In the Stripe dashboard (Developers → Webhooks), create or enable the endpoint for the app\'s webhook URL over HTTPS, subscribe it to the required events, and copy its signing secret (whsec_…) into STRIPE_WEBHOOK_SECRET.',
    docs: 'docs/checks.md#stripe-webhooks',
  },
  params: z
    .object({
      api_base: apiBaseParam(),
      secret_key: secretKeyParam(),
      url: z.string().url().describe('The app\'s webhook URL exactly as registered in Stripe (e.g. "${BACKEND_URL}/api/webhooks/stripe")'),
      events: z.array(z.string().min(1)).min(1).default(CHECKLIST_EVENTS).describe('Events the endpoint must receive (`*` on the endpoint counts as all)'),
      api_version: z.string().optional().describe('API version the app is written against; the endpoint must send the same'),
      require_https: boolish().default(true).describe('Require an https:// webhook URL'),
      webhook_secret: z.string().optional().describe(`Webhook signing secret; defaults to the ${WEBHOOK_SECRET_ENV} environment variable`),
      require_webhook_secret: boolish().default(true).describe('Fail when no webhook signing secret is configured'),
      check_deliveries: boolish().default(true).describe('Count recent events whose webhook delivery failed'),
      deliveries_since: duration().prefault('7d').describe('How far back to count failed deliveries'),
      warn_failed_deliveries: intish().default(1).describe('Warn at this many events with failed deliveries (0 = never)'),
      fail_failed_deliveries: intish().default(10).describe('Fail at this many events with failed deliveries (0 = never)'),
    })
    .strict(),
  async run(ctx) {
    const { params, env } = ctx;
    const usable = usableSecretKey(params.secret_key, env);
    if (!isUsable(usable)) return usable.verdict;
    const secretRaw = params.webhook_secret !== undefined ? params.webhook_secret : env[WEBHOOK_SECRET_ENV];
    const secretSource = params.webhook_secret !== undefined ? 'webhook_secret' : WEBHOOK_SECRET_ENV;
    const secret = secretRaw && secretRaw.trim() !== '' ? { source: secretSource, info: parseKey(secretRaw), masked: maskKey(secretRaw) } : undefined;
    // The SDK gives up at the check's timeout: the runner's grace then still leaves time to report what
    // is already known (the key's mode, the webhook URL) next to what could not be checked.
    const stripe = await makeStripe(usable.key, { apiBase: params.api_base, timeoutMs: ctx.timeoutMs });
    const describe = (err: unknown) => describeStripeError(err, { key: usable.key, apiBase: params.api_base, timeoutMs: ctx.timeoutMs, secrets: [secretRaw ?? ''] });

    // A failed call is a part that could not be checked: the https URL and the secret's shape are still judged.
    let endpoints: EndpointFacts[] = [];
    let endpointsError: Verdict | undefined;
    let stripeDown = false;
    try {
      ctx.log.debug(`GET ${params.api_base}/v1/webhook_endpoints with ${usable.masked}`);
      const { items } = await listAll((startingAfter) =>
        withSignal(stripe.webhookEndpoints.list({ limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }), ctx.signal),
      );
      endpoints = items.map((e) => ({ id: e.id, url: e.url, status: e.status, enabled_events: e.enabled_events ?? [], api_version: e.api_version ?? null, livemode: e.livemode }));
    } catch (err) {
      const e = describe(err);
      ctx.log.debug(`webhook_endpoints: ${e.message}`);
      const fix = remediationForFailure(e.kind, { resource: 'Webhook Endpoints and Events', apiBase: params.api_base });
      // Unreachable, hung or a rejected key: asking for events would fail the same way.
      stripeDown = e.kind !== 'permission' && e.kind !== 'missing' && e.kind !== 'invalid_request';
      endpointsError =
        e.kind === 'permission'
          ? withRemediation(error(`cannot verify webhooks: the key ${usable.masked} may not read webhook endpoints (Stripe answered ${e.status ?? 403} permission_error)`), fix)
          : e.kind === 'authentication'
            ? withRemediation(error(`cannot verify webhooks: invalid API key ${usable.masked} (Stripe answered ${e.status ?? 401})`), fix)
            : withRemediation(error(`cannot verify webhooks: ${e.message}`), fix);
    }

    let deliveries: DeliveryFacts | undefined;
    if (params.check_deliveries && !stripeDown) {
      const gte = Math.floor((Date.now() - params.deliveries_since) / 1000);
      try {
        ctx.log.debug(`GET ${params.api_base}/v1/events?delivery_success=false&created[gte]=${gte}`);
        const { items, truncated } = await listAll(
          (startingAfter) =>
            withSignal(stripe.events.list({ delivery_success: false, created: { gte }, limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }), ctx.signal),
          500,
        );
        deliveries = countFailedDeliveries(items, gte, truncated);
      } catch (err) {
        const e = describe(err);
        ctx.log.debug(`events: ${e.message}`);
        deliveries = { error: e.kind === 'permission' ? `the key ${usable.masked} may not read events` : e.message };
      }
    }

    return decideWebhooks({
      url: params.url,
      endpoints,
      endpointsError,
      requiredEvents: params.events,
      apiVersion: params.api_version,
      requireHttps: params.require_https,
      secret,
      secretSource,
      requireSecret: params.require_webhook_secret,
      deliveries,
      since: params.deliveries_since,
      warnFailed: params.warn_failed_deliveries,
      failFailed: params.fail_failed_deliveries,
    });
  },
});
