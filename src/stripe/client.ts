// The one place a Stripe SDK client is built: pointed at `api_base` (Stripe, a proxy, or a local test server),
// no automatic retries, the check's timeout, no telemetry. Plus error translation and paging helpers.
import type Stripe from 'stripe';
import { z } from 'zod';
import { formatDuration } from '../duration.js';
import { loadStripe } from '../sdk.js';
import { maskKey, scrub } from './keys.js';

export const DEFAULT_API_BASE = 'https://api.stripe.com';

/** The `api_base` parameter every Stripe check takes. */
export const apiBaseParam = () =>
  z
    .string()
    .url()
    .refine((v) => /^https?:\/\//i.test(v), 'expected an http:// or https:// URL')
    .refine((v) => {
      const u = new URL(v);
      return (u.pathname === '/' || u.pathname === '') && !u.search && !u.username;
    }, 'expected only scheme, host and port (the Stripe SDK cannot use a path, query or credentials)')
    .default(DEFAULT_API_BASE)
    .describe('Base URL of the Stripe API; point it at a proxy or a local Stripe-compatible server (default https://api.stripe.com)');

export interface ApiBase {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export function parseApiBase(apiBase: string): ApiBase {
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

export async function makeStripe(key: string, options: { apiBase?: string; timeoutMs: number }): Promise<Stripe> {
  const { host, port, protocol } = parseApiBase(options.apiBase ?? DEFAULT_API_BASE);
  const Stripe = await loadStripe();
  return new Stripe(key, { host, port, protocol, timeout: Math.max(1, Math.round(options.timeoutMs)), maxNetworkRetries: 0, telemetry: false });
}

/** Settles with the promise, or rejects as soon as the signal aborts (the SDK takes no AbortSignal). */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

export type StripeFailureKind = 'authentication' | 'permission' | 'missing' | 'timeout' | 'connection' | 'rate_limit' | 'invalid_request' | 'other';

export interface StripeFailure {
  kind: StripeFailureKind;
  /** HTTP status when Stripe answered. */
  status?: number;
  /** Stripe's error code (`resource_missing`...) when there is one. */
  code?: string;
  /** One plain sentence, secrets removed. */
  message: string;
}

/** Turns anything the SDK throws into a plain, secret-free sentence and a kind the checks decide on. */
export function describeStripeError(err: unknown, ctx: { key?: string; apiBase?: string; timeoutMs: number; secrets?: string[] }): StripeFailure {
  const secrets = [ctx.key, ...(ctx.secrets ?? [])];
  const clean = (s: string) => scrub(s, secrets).replace(/\s+/g, ' ').trim();
  const where = ctx.apiBase ? (() => { const b = parseApiBase(ctx.apiBase); return `${b.host}:${b.port}`; })() : 'the Stripe API';
  if (err instanceof AbortedError) return { kind: 'timeout', message: `timed out after ${formatDuration(ctx.timeoutMs)} waiting for ${where}` };
  const e = err as { type?: string; rawType?: string; statusCode?: number; code?: string; message?: string; detail?: { code?: string; message?: string } };
  const status = e?.statusCode;
  const code = e?.code;
  const stripeMessage = e?.message ? clean(e.message) : '';
  switch (e?.type) {
    case 'StripeAuthenticationError':
      return { kind: 'authentication', status, code, message: `invalid API key ${ctx.key ? maskKey(ctx.key) : ''}: Stripe answered ${status ?? 401} (${stripeMessage || 'authentication failed'})`.replace('  ', ' ') };
    case 'StripePermissionError':
      return { kind: 'permission', status, code, message: `the key ${ctx.key ? maskKey(ctx.key) + ' ' : ''}is not allowed to do this (${status ?? 403} permission_error: ${stripeMessage || 'permission denied'})` };
    case 'StripeRateLimitError':
      return { kind: 'rate_limit', status, code, message: `Stripe rate-limited the request (${status ?? 429})` };
    case 'StripeInvalidRequestError':
      if (status === 404 || code === 'resource_missing') return { kind: 'missing', status, code, message: stripeMessage || 'not found' };
      return { kind: 'invalid_request', status, code, message: `Stripe rejected the request (${status ?? 400}): ${stripeMessage}` };
    case 'StripeConnectionError': {
      const detailCode = e.detail?.code;
      if (/timeout/i.test(stripeMessage) || detailCode === 'ETIMEDOUT') return { kind: 'timeout', message: `timed out after ${formatDuration(ctx.timeoutMs)} waiting for ${where}` };
      if (detailCode === 'ECONNREFUSED') return { kind: 'connection', message: `connection refused at ${where}` };
      if (detailCode === 'ENOTFOUND' || detailCode === 'EAI_AGAIN') return { kind: 'connection', message: `cannot resolve ${where.replace(/:\d+$/, '')}` };
      const detail = e.detail?.message ? clean(e.detail.message) : detailCode ?? '';
      return { kind: 'connection', message: `cannot connect to ${where}${detail ? `: ${detail}` : ''}` };
    }
    case 'StripeAPIError':
      return { kind: 'other', status, code, message: `Stripe answered ${status ?? 500}: ${stripeMessage || 'API error'}` };
    default:
      if (e?.type && stripeMessage) return { kind: 'other', status, code, message: `Stripe error (${e.type}${status ? `, ${status}` : ''}): ${stripeMessage}` };
      return { kind: 'other', message: clean(err instanceof Error ? err.message : String(err)) || 'unknown error' };
  }
}

/** One page of a Stripe list. */
export interface ListPage<T> {
  data: T[];
  has_more: boolean;
}

/**
 * Reads every page of a list by `starting_after`, up to `maxItems`; says whether it stopped early.
 */
export async function listAll<T extends { id: string }>(
  fetchPage: (startingAfter: string | undefined) => Promise<ListPage<T>>,
  maxItems = 1000,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await fetchPage(startingAfter);
    items.push(...page.data);
    if (!page.has_more || page.data.length === 0) return { items, truncated: false };
    if (items.length >= maxItems) return { items, truncated: true };
    startingAfter = page.data[page.data.length - 1].id;
  }
}

/** The key to use: the parameter when given, else the named environment variable. */
export function pickValue(
  param: string | undefined,
  paramName: string,
  env: Readonly<Record<string, string | undefined>>,
  envName: string,
): { value?: string; source: string } {
  if (param !== undefined) return { value: param, source: `parameter ${paramName}` };
  return { value: env[envName], source: envName };
}

/**
 * What to do when a Stripe check could not get an answer: the type's remediation (fix the account,
 * the prices…) is the wrong advice when the key may not read the resource or Stripe was unreachable.
 */
export function remediationForFailure(kind: StripeFailureKind, opts: { resource: string; apiBase: string }): string | undefined {
  switch (kind) {
    case 'permission':
      return `Give the restricted key Read access to ${opts.resource} (Stripe dashboard → Developers → API keys → the key → Edit), or run this check with a key that may read it.`;
    case 'authentication':
      return 'Copy the current secret key from the Stripe dashboard (Developers → API keys, same mode) into STRIPE_SECRET_KEY; the key may have been rolled or deleted.';
    case 'timeout':
    case 'connection':
      return `Check that this host can reach ${opts.apiBase} (DNS, proxy, firewall or egress rules), then run the check again.`;
    case 'rate_limit':
      return 'Stripe rate-limited the key: run the check again in a minute, or with fewer checks in parallel.';
    default:
      return undefined;
  }
}

/** Attaches a remediation to a verdict when there is one. */
export function withRemediation<V extends { remediation?: string }>(verdict: V, remediation: string | undefined): V {
  return remediation ? { ...verdict, remediation } : verdict;
}
