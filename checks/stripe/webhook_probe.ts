// stripe.webhook_probe (ACTIVE, opt-in): POSTs a harmless, correctly signed event to the app's own webhook URL to
// prove the URL is reachable and STRIPE_WEBHOOK_SECRET is the endpoint's real signing secret. Talks to the app only,
// never to Stripe.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, notOptedIn, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish } from '../../src/params.js';
import { loadStripe } from '../../src/sdk.js';
import { WEBHOOK_SECRET_ENV } from '../../src/stripe/common.js';
import { maskKey, parseKey, scrub } from '../../src/stripe/keys.js';

export const PROBE_EVENT_TYPE = 'readiness.probe';

export type ProbeOutcome =
  | { status: number; body: string; location?: string }
  | { failure: 'timeout' | 'unreachable'; message: string };

export interface ProbeFacts {
  url: string;
  eventId: string;
  signed: ProbeOutcome;
  /** Present when a badly signed event was also sent. */
  badlySigned?: ProbeOutcome;
  secretSource: string;
}

const excerpt = (body: string) => {
  const one = body.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 157)}…` : one;
};
const withBody = (o: { body: string }) => (o.body.trim() ? `: "${excerpt(o.body)}"` : '');

/** Pure decision: what the app answered to the signed (and optionally the badly signed) probe, in; verdict out. */
export function decideProbe(f: ProbeFacts): Verdict {
  const parts: Verdict[] = [];
  const s = f.signed;
  const target = `POST ${f.url}`;
  if ('failure' in s) {
    return error(`webhook URL unreachable: ${s.message} (${target}, a signed ${PROBE_EVENT_TYPE} event)`, { expected: '2xx', actual: s.message, details: { event_id: f.eventId, active: 'tried to send a signed test event (send_signed_event: true)' } });
  }
  if (s.status >= 200 && s.status < 300) {
    parts.push(pass(`accepted`));
  } else if (s.status === 400 && /signature/i.test(s.body)) {
    parts.push(
      fail(
        `webhook secret does not match: the app rejected a correctly signed event with 400${withBody(s)}`,
        undefined,
        `Copy the signing secret of the endpoint for ${f.url} (Stripe dashboard → Developers → Webhooks → the endpoint → Signing secret) into ${f.secretSource}; each endpoint and each mode has its own secret.`,
      ),
    );
  } else if (s.status === 404 || s.status === 405) {
    parts.push(fail(`wrong webhook path: ${target} answered ${s.status}${s.status === 405 ? ' (method not allowed)' : ' (not found)'}`, undefined, 'Point the url parameter and the Stripe endpoint at the route the app really serves for Stripe webhooks.'));
  } else if (s.status >= 300 && s.status < 400) {
    parts.push(fail(`webhook URL redirects (${s.status}${s.location ? ` to ${s.location}` : ''}): Stripe does not follow redirects`, undefined, 'Register the final URL (after redirects) as the Stripe webhook endpoint.'));
  } else if (s.status === 401 || s.status === 403) {
    parts.push(fail(`the app answered ${s.status} to a signed event: authentication or a firewall in front of the webhook route blocks Stripe${withBody(s)}`));
  } else if (s.status >= 500) {
    parts.push(fail(`the app failed with ${s.status} handling a signed ${PROBE_EVENT_TYPE} event${withBody(s)}`));
  } else {
    parts.push(fail(`the app rejected a correctly signed event with ${s.status}${withBody(s)}`));
  }

  const b = f.badlySigned;
  if (b) {
    if ('failure' in b) parts.push(error(`the badly signed probe got no answer (${b.message}): whether the app rejects wrong signatures is unknown`));
    else if (b.status >= 200 && b.status < 300) {
      parts.push(fail(`the app accepted an event with a wrong signature (${b.status}): it does not verify Stripe signatures`, undefined, 'Verify every webhook with stripe.webhooks.constructEvent(rawBody, signatureHeader, secret) and answer 400 when it throws.'));
    } else if (b.status < 400 || b.status >= 500) parts.push(warn(`the app answered ${b.status} to a badly signed event (expected 400)`));
  }

  const evidence = {
    expected: { signed: '2xx', ...(b ? { badly_signed: '4xx' } : {}) },
    actual: {
      signed: s.status,
      ...(b ? { badly_signed: 'failure' in b ? b.message : b.status } : {}),
    },
    details: { url: f.url, event_type: PROBE_EVENT_TYPE, event_id: f.eventId, active: 'sent a signed test event (send_signed_event: true)' },
  };
  const badText = b && !('failure' in b) ? ` and rejected a badly signed one with ${b.status}` : '';
  return combine(parts, `app accepted a signed ${PROBE_EVENT_TYPE} event with ${s.status}${badText}: ${f.secretSource} matches (active check, opted in with send_signed_event)`, evidence);
}

/** The URL as shown in reports: no user info, no query (either may carry a secret). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The probe event: an Event-shaped body whose id and type say what it is. */
export function probePayload(eventId: string, now: number): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    type: PROBE_EVENT_TYPE,
    api_version: null,
    created: now,
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: 'readiness_probe',
        object: 'readiness_probe',
        description: 'Harmless test event sent by the readiness CLI (stripe.webhook_probe) to check the webhook URL and signing secret. Ignore it.',
      },
    },
  });
}

async function post(url: string, body: string, signature: string, signal: AbortSignal, timeoutMs: number, secrets: string[]): Promise<ProbeOutcome> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: both,
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'readiness (stripe.webhook_probe)' },
    });
    const text = scrub(await res.text(), secrets);
    const location = res.headers.get('location') ?? undefined;
    let shown: string | undefined;
    if (location) {
      try {
        shown = displayUrl(new URL(location, url).href);
      } catch {
        shown = '(invalid Location header)';
      }
    }
    return { status: res.status, body: text.slice(0, 2000), location: shown };
  } catch (err) {
    if (both.aborted) return { failure: 'timeout', message: `timed out after ${formatDuration(timeoutMs)}` };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const u = new URL(url);
    const where = `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
    if (cause?.code === 'ECONNREFUSED') return { failure: 'unreachable', message: `connection refused at ${where}` };
    if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return { failure: 'unreachable', message: `cannot resolve ${u.hostname}` };
    if (cause?.message === 'bad port') return { failure: 'unreachable', message: `port ${u.port} is on the fetch standard's blocked-port list; serve the webhook on another port` };
    return { failure: 'unreachable', message: scrub(cause?.message ?? (err as Error).message ?? 'request failed', secrets) };
  }
}

export default defineCheck({
  meta: {
    type: 'stripe.webhook_probe',
    title: 'Stripe webhook URL accepts correctly signed events',
    failureTitle: 'Stripe webhook URL does not accept correctly signed events',
    description:
      'ACTIVE, opt-in: with send_signed_event: true it POSTs one harmless event (type readiness.probe, id evt_readiness_probe_…) signed with STRIPE_WEBHOOK_SECRET to the app\'s webhook URL, the way Stripe does. A 2xx proves the URL is reachable and the secret is the endpoint\'s real one — the one thing the Stripe API cannot tell. Optionally also sends a badly signed event that the app must reject. Sends nothing to Stripe.',
    remediation:
      'Make the webhook route reachable at the configured URL, verify events with stripe.webhooks.constructEvent using the endpoint\'s signing secret, and ignore (2xx) event types it does not handle.',
    docs: 'docs/checks.md#stripe-webhook_probe',
    active: true,
  },
  params: z
    .object({
      url: z.string().url().describe('The app\'s webhook URL (e.g. "${BACKEND_URL}/api/webhooks/stripe")'),
      send_signed_event: boolish().default(false).describe('Opt-in: must be true for this check to POST a signed readiness.probe event to the app'),
      send_bad_signature: boolish().default(false).describe('Also POST an event with a wrong signature and require the app to reject it (4xx)'),
      webhook_secret: z.string().optional().describe(`Webhook signing secret; defaults to the ${WEBHOOK_SECRET_ENV} environment variable`),
    })
    .strict(),
  async run(ctx) {
    const { params, env } = ctx;
    if (!params.send_signed_event) {
      return notOptedIn(`active check not opted in: set send_signed_event: true to POST a signed ${PROBE_EVENT_TYPE} event to the webhook URL`);
    }
    const raw = params.webhook_secret !== undefined ? params.webhook_secret : env[WEBHOOK_SECRET_ENV];
    const source = params.webhook_secret !== undefined ? 'webhook_secret' : WEBHOOK_SECRET_ENV;
    if (!raw || raw.trim() === '') return fail(`${source} is ${raw === undefined ? 'not set' : 'empty'}: no webhook signing secret to sign the probe with`);
    const info = parseKey(raw);
    if (info.kind !== 'webhook_secret') return fail(`${source} is not a webhook signing secret (${maskKey(raw)}): expected whsec_…`);
    const secret = raw.trim();

    const now = Math.floor(Date.now() / 1000);
    const eventId = `evt_readiness_probe_${randomBytes(6).toString('hex')}`;
    const body = probePayload(eventId, now);
    const { webhooks } = await loadStripe();
    const signature = webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now });
    ctx.log.debug(`POST ${displayUrl(params.url)} (signed ${PROBE_EVENT_TYPE} ${eventId}, secret ${maskKey(secret)})`);
    const signed = await post(params.url, body, signature, ctx.signal, ctx.timeoutMs, [raw]);
    ctx.log.debug(`signed probe: ${'failure' in signed ? signed.message : signed.status}`);

    let badlySigned: ProbeOutcome | undefined;
    if (params.send_bad_signature && !('failure' in signed)) {
      const badId = `${eventId}_bad_signature`;
      const badBody = probePayload(badId, now);
      const wrongSecret = `whsec_${randomBytes(24).toString('base64')}`;
      const badSignature = webhooks.generateTestHeaderString({ payload: badBody, secret: wrongSecret, timestamp: now });
      ctx.log.debug(`POST ${displayUrl(params.url)} (badly signed ${PROBE_EVENT_TYPE} ${badId})`);
      badlySigned = await post(params.url, badBody, badSignature, ctx.signal, ctx.timeoutMs, [raw]);
    }
    return decideProbe({ url: displayUrl(params.url), eventId, signed, badlySigned, secretSource: source });
  },
});
