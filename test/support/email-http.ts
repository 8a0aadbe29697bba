// Local node:http servers answering in the documented shapes of the SendGrid v3 and AWS SES v2 APIs, so the
// checks' real clients (undici, @aws-sdk/client-sesv2) can be pointed at them. Each test decides the data.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeout tests). */
  hang?: boolean;
}

export interface TestHttpServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startJsonServer(route: (req: SeenRequest) => Reply): Promise<TestHttpServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const seen = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    requests.push(seen);
    req.resume();
    req.on('end', () => {
      const reply = route(seen);
      if (reply.hang) return;
      const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------- SendGrid v3 ----------

export interface SendgridAccount {
  apiKey: string;
  scopes: string[];
  senders?: Array<{ from_email: string; verified: boolean }>;
  domains?: Array<{ domain: string; valid: boolean }>;
}

/** Documented shapes: GET /v3/scopes, /v3/verified_senders, /v3/whitelabel/domains; 401/403 `{errors:[{message}]}`. */
export function sendgridRoutes(accounts: SendgridAccount[]): (req: SeenRequest) => Reply {
  return (req) => {
    if (req.method !== 'GET') return { status: 405, body: { errors: [{ field: null, message: 'method not allowed' }] } };
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const account = accounts.find((a) => a.apiKey === token);
    if (!account) return { status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } };
    const path = req.path.split('?')[0];
    const forbidden = { status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } };
    if (path === '/v3/scopes') return { status: 200, body: { scopes: account.scopes } };
    if (path === '/v3/verified_senders') {
      if (!account.scopes.includes('verified_senders.read')) return forbidden;
      return {
        status: 200,
        body: {
          results: (account.senders ?? []).map((s, i) => ({
            id: i + 1,
            nickname: s.from_email,
            from_email: s.from_email,
            from_name: 'App',
            reply_to: s.from_email,
            reply_to_name: 'App',
            address: '1 Main St',
            city: 'Denver',
            country: 'USA',
            verified: s.verified,
            locked: false,
          })),
        },
      };
    }
    if (path === '/v3/whitelabel/domains') {
      if (!account.scopes.includes('whitelabel.read')) return forbidden;
      return {
        status: 200,
        body: (account.domains ?? []).map((d, i) => ({
          id: i + 1,
          user_id: 7,
          subdomain: 'em1234',
          domain: d.domain,
          username: 'app',
          ips: [],
          custom_spf: false,
          default: true,
          legacy: false,
          automatic_security: true,
          valid: d.valid,
          dns: {
            mail_cname: { valid: d.valid, type: 'cname', host: `em1234.${d.domain}`, data: 'u7.wl.sendgrid.net' },
            dkim1: { valid: d.valid, type: 'cname', host: `s1._domainkey.${d.domain}`, data: 's1.domainkey.u7.wl.sendgrid.net' },
            dkim2: { valid: d.valid, type: 'cname', host: `s2._domainkey.${d.domain}`, data: 's2.domainkey.u7.wl.sendgrid.net' },
          },
        })),
      };
    }
    return { status: 404, body: { errors: [{ field: null, message: 'resource not found' }] } };
  };
}

// ---------- AWS SES v2 (REST JSON) ----------

export interface SesAccountState {
  accessKeyId: string;
  SendingEnabled: boolean;
  ProductionAccessEnabled: boolean;
  EnforcementStatus: string;
  ReviewStatus?: string;
  identities: Record<
    string,
    { VerifiedForSendingStatus: boolean; DkimStatus: string; IdentityType?: 'EMAIL_ADDRESS' | 'DOMAIN' }
  >;
  /** Answer GetAccount with 403 AccessDeniedException (the credentials lack ses:GetAccount). */
  denyGetAccount?: boolean;
}

const sesError = (status: number, type: string, message: string): Reply => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` },
  body: { message },
});

/** Documented shapes: GET /v2/email/account (GetAccount), GET /v2/email/identities/{id} (GetEmailIdentity). */
export function sesRoutes(state: SesAccountState): (req: SeenRequest) => Reply {
  return (req) => {
    const auth = String(req.headers.authorization ?? '');
    const keyId = /Credential=([^/]+)\//.exec(auth)?.[1];
    if (keyId !== state.accessKeyId) return sesError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const path = decodeURIComponent(req.path.split('?')[0]);
    if (req.method === 'GET' && path === '/v2/email/account') {
      if (state.denyGetAccount) return sesError(403, 'AccessDeniedException', 'User is not authorized to perform: ses:GetAccount');
      return {
        status: 200,
        body: {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: state.EnforcementStatus,
          ProductionAccessEnabled: state.ProductionAccessEnabled,
          SendingEnabled: state.SendingEnabled,
          SendQuota: { Max24HourSend: state.ProductionAccessEnabled ? 50000 : 200, MaxSendRate: state.ProductionAccessEnabled ? 14 : 1, SentLast24Hours: 3 },
          SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
          Details: state.ReviewStatus
            ? { MailType: 'TRANSACTIONAL', WebsiteURL: 'https://example.com', ReviewDetails: { Status: state.ReviewStatus, CaseId: '1234567890' } }
            : undefined,
        },
      };
    }
    const m = /^\/v2\/email\/identities\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const id = m[1].toLowerCase();
      const identity = state.identities[id];
      if (!identity) return sesError(404, 'NotFoundException', `Email identity ${id} does not exist.`);
      return {
        status: 200,
        body: {
          IdentityType: identity.IdentityType ?? (id.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN'),
          FeedbackForwardingStatus: true,
          VerifiedForSendingStatus: identity.VerifiedForSendingStatus,
          VerificationStatus: identity.VerifiedForSendingStatus ? 'SUCCESS' : 'PENDING',
          DkimAttributes: {
            SigningEnabled: identity.DkimStatus === 'SUCCESS',
            Status: identity.DkimStatus,
            Tokens: ['abc123', 'def456', 'ghi789'],
            SigningAttributesOrigin: 'AWS_SES',
          },
          MailFromAttributes: { MailFromDomain: '', MailFromDomainStatus: 'PENDING', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
          Policies: {},
          Tags: [],
        },
      };
    }
    return sesError(404, 'NotFoundException', 'Not found');
  };
}
