// GET-only JSON calls for the email provider checks (SendGrid). Network failures become plain sentences.
import { formatDuration } from '../duration.js';
import { loadUndici } from '../sdk.js';

export interface JsonResponse {
  status: number;
  body: unknown;
}

export class HttpCallError extends Error {}

/** Sentence for a failed HTTP call (no URL query, no headers: nothing secret). */
export function describeHttpError(err: unknown, url: URL, timeoutMs: number, aborted: boolean): string {
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  const at = url.host;
  if (aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (err as Error)?.name === 'TimeoutError') {
    return `${at} did not answer within ${formatDuration(timeoutMs)}`;
  }
  if (code === 'ECONNREFUSED') return `connection refused at ${at}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve host "${url.hostname}"`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `${at} closed the connection`;
  if (code && /CERT|SSL|TLS/i.test(code)) return `TLS connection to ${at} failed (${code})`;
  return `request to ${at} failed (${code ?? (err as Error)?.message ?? 'unknown error'})`;
}

export async function getJson(url: URL, headers: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    const { request } = await loadUndici();
    const res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'readiness', ...headers },
      signal: combined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text: an HTML error page from a proxy says something too
    }
    return { status: res.statusCode, body };
  } catch (err) {
    throw new HttpCallError(describeHttpError(err, url, timeoutMs, combined.aborted));
  }
}
