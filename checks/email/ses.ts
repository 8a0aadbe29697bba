// email.ses: the AWS SES v2 account can send in production: sending enabled, out of the sandbox, enforcement
// healthy, the sender identity (address or its domain) verified for sending and DKIM SUCCESS. Read-only calls
// (GetAccount, GetEmailIdentity); @aws-sdk/client-sesv2 is imported only when the check runs.
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, warn, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { formatDuration } from '../../src/duration.js';
import { bareAddress, domainOf, maskSecret, scrub } from '../../src/email/redact.js';

const params = z
  .object({
    region: z.string().trim().optional().describe('AWS region of the SES account, e.g. `us-east-1`. Default: AWS_REGION / AWS_DEFAULT_REGION.'),
    from: z.string().trim().optional().describe('Sender the app uses: the address or its domain must be a verified identity. Default: EMAIL_FROM.'),
    identity: z.string().trim().optional().describe('Identity to check instead of the sender\'s address/domain (an address or a domain).'),
    production: boolish().default(true).describe('Production requires production access: the SES sandbox is a failure (a warning when false).'),
    access_key_id: z.string().trim().optional().describe('AWS access key id. Default: AWS_ACCESS_KEY_ID, then the SDK\'s default chain (instance role...).'),
    secret_access_key: z.string().optional().describe('AWS secret access key. Default: AWS_SECRET_ACCESS_KEY. Never shown.'),
    session_token: z.string().optional().describe('AWS session token for temporary credentials. Default: AWS_SESSION_TOKEN. Never shown.'),
    endpoint: z.string().url().optional().describe('SES API endpoint override (a VPC endpoint, a proxy, or a local server in tests).'),
  })
  .strict();

export interface SesAccount {
  SendingEnabled?: boolean;
  ProductionAccessEnabled?: boolean;
  EnforcementStatus?: string;
  ReviewStatus?: string;
  CaseId?: string;
  Max24HourSend?: number;
}

export interface SesIdentity {
  id: string;
  found: boolean;
  verified?: boolean;
  dkim?: string;
  type?: string;
}

export interface SesProblem {
  kind: 'credentials' | 'denied' | 'network' | 'other';
  message: string;
}

export interface SesFacts {
  region: string;
  account?: SesAccount;
  accountProblem?: SesProblem;
  /** Address identity first, then its domain (or the one `identity` given). */
  identities: SesIdentity[];
  identityProblem?: SesProblem;
}

/** What to do when the account could not be read ("could not check", not a finding about SES). */
const SES_ERROR_FIX: Record<SesProblem['kind'], string | undefined> = {
  credentials: undefined,
  denied: 'Allow the credentials the read-only calls ses:GetAccount and ses:GetEmailIdentity, so the check can verify the account.',
  network: 'Check that the SES endpoint (region, or `endpoint`) is reachable from where the check runs (proxy, firewall, DNS, VPC endpoint), then run the check again.',
  other: undefined,
};

/** Pure: SES facts → verdict. */
export function evaluateSes(f: SesFacts, e: { production: boolean; sender?: string }): Verdict {
  const evidence = {
    expected: { SendingEnabled: true, ProductionAccessEnabled: e.production ? true : 'optional', EnforcementStatus: 'HEALTHY', identity: e.sender ? 'verified for sending' : 'not checked', dkim: 'SUCCESS' },
    actual: { region: f.region, ...f.account, identities: f.identities },
  };
  if (f.accountProblem?.kind === 'credentials') {
    return fail(f.accountProblem.message, evidence, 'Fix AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the role) used for SES.');
  }
  const parts: Verdict[] = [];
  // The account could not be read: the sender identity (read separately) is still judged.
  if (f.accountProblem) parts.push({ ...error(f.accountProblem.message, evidence), remediation: SES_ERROR_FIX[f.accountProblem.kind] });
  const a = f.account ?? {};
  if (a.SendingEnabled === false) parts.push(fail(`sending is disabled for the SES account in ${f.region}`, evidence, 'Re-enable sending in the SES console (or ask AWS Support if it was paused).'));
  if (a.ProductionAccessEnabled === false) {
    const review = a.ReviewStatus ? ` (production access request ${a.ReviewStatus}${a.CaseId ? `, case ${a.CaseId}` : ''})` : ' (no production access request found)';
    const msg = `SES account in ${f.region} is in the sandbox: it can only send to verified addresses, ${a.Max24HourSend ?? 200} per day${review}`;
    parts.push(e.production ? fail(msg, evidence, 'Request production access in the SES console (Account dashboard → Request production access).') : warn(msg, evidence));
  }
  if (a.EnforcementStatus && a.EnforcementStatus !== 'HEALTHY') {
    const msg = `SES enforcement status is ${a.EnforcementStatus} (expected HEALTHY)`;
    parts.push(a.EnforcementStatus === 'SHUTDOWN' ? fail(`${msg}: sending is shut down`, evidence) : warn(`${msg}: bounce or complaint rates are under review`, evidence));
  }

  if (e.sender) {
    if (f.identityProblem) {
      parts.push(f.identityProblem.kind === 'credentials' ? fail(f.identityProblem.message, evidence) : error(f.identityProblem.message, evidence));
    } else {
      const verified = f.identities.find((i) => i.found && i.verified);
      if (!verified) {
        const seen = f.identities.map((i) => `${i.id}: ${i.found ? 'not verified' : 'not an identity'}`).join(', ');
        parts.push(fail(`sender ${e.sender} is not verified in SES ${f.region} (${seen})`, evidence, `Verify the domain (preferred) or the address in SES ${f.region}.`));
      }
      // DKIM signs with the domain identity when there is one
      const dkimFrom = f.identities.find((i) => i.found && i.type === 'DOMAIN') ?? verified ?? f.identities.find((i) => i.found);
      if (dkimFrom && dkimFrom.dkim !== 'SUCCESS') {
        parts.push(fail(`DKIM for ${dkimFrom.id} is ${dkimFrom.dkim ?? 'not set up'} (expected SUCCESS)`, evidence, `Publish the three DKIM CNAME records SES shows for ${dkimFrom.id}.`));
      }
    }
  }
  const identityWords = e.sender ? `; ${f.identities.find((i) => i.found && i.verified)?.id} verified, DKIM SUCCESS` : '';
  return combine(parts, `SES ${f.region}: sending enabled, production access, enforcement HEALTHY${identityWords}`, evidence);
}

type AwsError = Error & { name: string; code?: string; $metadata?: { httpStatusCode?: number } };

function classifyAwsError(err: unknown, what: string, endpoint: string, timeoutMs: number, aborted: boolean, secrets: Array<string | undefined>): SesProblem {
  const e = err as AwsError;
  const name = e?.name ?? 'Error';
  const msg = scrub(String(e?.message ?? err).split('\n')[0], secrets);
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredTokenException', 'InvalidSignatureException'].includes(name)) {
    return { kind: 'credentials', message: `AWS rejected the credentials for ${what} (${name}: ${msg})` };
  }
  if (name === 'AccessDeniedException' || e?.$metadata?.httpStatusCode === 403) {
    return { kind: 'denied', message: `cannot verify: the credentials may not call ${what} (${name}: ${msg})` };
  }
  if (name === 'CredentialsProviderError') return { kind: 'other', message: 'no AWS credentials found (set access_key_id/secret_access_key or AWS_* variables, or run with a role)' };
  const code = e?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (aborted || name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT') return { kind: 'network', message: `${what} at ${endpoint} did not answer within ${formatDuration(timeoutMs)}` };
  if (code === 'ECONNREFUSED') return { kind: 'network', message: `connection refused at ${endpoint}` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'network', message: `cannot resolve ${endpoint}` };
  return { kind: 'other', message: `${what} failed: ${name}${msg && msg !== name ? `: ${msg}` : ''}` };
}

export default defineCheck({
  meta: {
    type: 'email.ses',
    title: 'AWS SES can send in production as the configured sender',
    failureTitle: 'AWS SES is not ready to send in production',
    description:
      'A new SES account starts in the sandbox (verified recipients only, 200 mails a day). The check reads the SES v2 account ' +
      '(sending enabled, production access, enforcement status) and the sender identity (verified for sending, DKIM SUCCESS) ' +
      'with GetAccount and GetEmailIdentity. Read-only.',
    remediation: 'Request SES production access, verify the sending domain in the same region, and publish its DKIM records.',
    docs: 'docs/checks.md#email-ses',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const region = p.region || ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION;
    if (!region) return error('misconfigured: no AWS region (set region or AWS_REGION)');
    const accessKeyId = p.access_key_id ?? ctx.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = p.secret_access_key ?? ctx.env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = p.session_token ?? ctx.env.AWS_SESSION_TOKEN;
    if (accessKeyId && !secretAccessKey) return error('misconfigured: an access key id is set without a secret access key');
    const secrets = [secretAccessKey, sessionToken];
    const endpoint = p.endpoint ?? `email.${region}.amazonaws.com`;
    const timeoutMs = Math.max(500, ctx.timeoutMs - 250);

    const { SESv2Client, GetAccountCommand, GetEmailIdentityCommand } = await import('@aws-sdk/client-sesv2');
    const client = new SESv2Client({
      region,
      endpoint: p.endpoint,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken } : undefined,
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
    });
    ctx.log.debug(`SES ${region}${p.endpoint ? ` via ${p.endpoint}` : ''} with key ${accessKeyId ? maskSecret(accessKeyId) : '(default chain)'}`);
    const opts = { abortSignal: ctx.signal as never };
    const facts: SesFacts = { region, identities: [] };
    try {
      try {
        const acc = await client.send(new GetAccountCommand({}), opts);
        facts.account = {
          SendingEnabled: acc.SendingEnabled,
          ProductionAccessEnabled: acc.ProductionAccessEnabled,
          EnforcementStatus: acc.EnforcementStatus,
          ReviewStatus: acc.Details?.ReviewDetails?.Status,
          CaseId: acc.Details?.ReviewDetails?.CaseId,
          Max24HourSend: acc.SendQuota?.Max24HourSend,
        };
      } catch (err) {
        facts.accountProblem = classifyAwsError(err, 'GetAccount', endpoint, timeoutMs, ctx.signal.aborted, secrets);
        // Rejected credentials or an unreachable endpoint: GetEmailIdentity would fail the same way.
        if (facts.accountProblem.kind === 'credentials' || facts.accountProblem.kind === 'network') return evaluateSes(facts, { production: p.production });
      }

      const from = p.from || ctx.env.EMAIL_FROM;
      const sender = p.identity ?? (from ? bareAddress(from) : undefined);
      if (sender) {
        const ids = p.identity ? [p.identity.toLowerCase()] : [sender, domainOf(sender)].filter((x): x is string => !!x);
        for (const id of ids) {
          try {
            const r = await client.send(new GetEmailIdentityCommand({ EmailIdentity: id }), opts);
            facts.identities.push({ id, found: true, verified: r.VerifiedForSendingStatus, dkim: r.DkimAttributes?.Status, type: r.IdentityType });
          } catch (err) {
            if ((err as AwsError)?.name === 'NotFoundException') {
              facts.identities.push({ id, found: false });
              continue;
            }
            facts.identityProblem = classifyAwsError(err, `GetEmailIdentity ${id}`, endpoint, timeoutMs, ctx.signal.aborted, secrets);
            break;
          }
        }
      }
      return evaluateSes(facts, { production: p.production, sender });
    } finally {
      client.destroy();
    }
  },
});
