// A local "app" with a Stripe webhook endpoint, for the signed-probe tests. In `verify` mode it checks the
// signature with the SDK's own constructEvent (right secret → 200, wrong → 400 with the SDK's message).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export type WebhookAppMode = 'verify' | 'accept-anything' | 'hang' | 'server-error';

export interface WebhookApp {
  /** Full URL of the webhook endpoint. */
  url: string;
  base: string;
  received: Array<{ path: string; method: string; signature?: string; body: string; status: number }>;
  close(): Promise<void>;
}

export async function startWebhookApp(options: { secret: string; path?: string; mode?: WebhookAppMode }): Promise<WebhookApp> {
  const path = options.path ?? '/api/webhooks/stripe';
  const mode = options.mode ?? 'verify';
  const received: WebhookApp['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers['stripe-signature'] as string | undefined;
      const answer = (status: number, text: string) => {
        received.push({ path: req.url ?? '', method: req.method ?? '', signature, body, status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(text);
      };
      if (mode === 'hang') return; // never answers
      if (req.url !== path) return answer(404, 'Not Found');
      if (req.method !== 'POST') return answer(405, 'Method Not Allowed');
      if (mode === 'server-error') return answer(500, 'Internal Server Error');
      if (mode === 'accept-anything') return answer(200, JSON.stringify({ received: true }));
      try {
        const evt = Stripe.webhooks.constructEvent(body, signature ?? '', options.secret);
        answer(200, JSON.stringify({ received: true, type: evt.type }));
      } catch (err) {
        answer(400, `Webhook Error: ${(err as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}${path}`,
    base,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
