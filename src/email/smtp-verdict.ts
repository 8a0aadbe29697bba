// Decides what an SMTP session's facts mean. Pure: facts in, verdict out (tested without a server).
import { error, fail, pass, warn, type Evidence, type Verdict } from '../check.js';
import { describeCertError, type SmtpFailureKind, type SmtpSessionFacts } from './smtp.js';

export interface SmtpExpectations {
  /** Implicit TLS was asked for. */
  secure: boolean;
  requireStartTls: boolean;
  verifyCertificate: boolean;
  /** A username was configured, so AUTH had to succeed. */
  credentials: boolean;
  username?: string;
  /** Warn when the certificate expires within this many days. */
  certWarnDays: number;
}

/** Could not check (network, server not speaking SMTP) vs checked and not ready. */
const COULD_NOT_CHECK: SmtpFailureKind[] = ['refused', 'dns', 'timeout', 'greeting-timeout', 'closed', 'protocol'];

const REMEDIATION: Partial<Record<SmtpFailureKind, string>> = {
  refused: 'Check SMTP_HOST/SMTP_PORT and that the mail server (or the firewall in front of it) accepts connections from this network.',
  dns: 'Check the SMTP host name: it does not resolve from this machine.',
  timeout: 'The server did not answer in time: check host, port and firewall rules (outbound 587/465 is often blocked).',
  'greeting-timeout':
    'The server accepted the TCP connection but never sent "220": check that this port runs SMTP (not implicit TLS: use secure: true on 465) and that the server is not overloaded.',
  tls: 'The TLS handshake failed: use secure: true only on an implicit-TLS port (465) and check the server\'s TLS configuration.',
  certificate: 'Install a certificate from a trusted CA that covers the SMTP host name, or give the private CA with ca_file.',
  'no-starttls': 'Enable STARTTLS on the server, or use its implicit-TLS port (465, secure: true). Do not send credentials in plaintext.',
  plaintext: 'Enable STARTTLS on the server, or use its implicit-TLS port (465, secure: true).',
  'auth-rejected': 'Check SMTP_USER/SMTP_PASSWORD (or the provider API key used as SMTP password) and that the account may send.',
  'auth-unavailable': 'The server does not accept AUTH on this port: use the provider\'s submission port (587 or 465) or the right host.',
  'send-rejected': 'The server refused the sender or recipient: use a sender address/domain the account is allowed to send from.',
};

export function smtpRemediation(kind: SmtpFailureKind): string | undefined {
  return REMEDIATION[kind];
}

export function smtpEvidence(facts: SmtpSessionFacts, expect: SmtpExpectations): Evidence {
  return {
    expected: {
      tls: expect.secure ? 'implicit TLS' : expect.requireStartTls ? 'STARTTLS' : 'STARTTLS when offered',
      certificate: expect.verifyCertificate ? 'trusted' : 'not verified',
      auth: expect.credentials ? `accepted for "${expect.username}"` : 'not configured',
    },
    actual: {
      tls: facts.tlsMode,
      certificate: facts.tls ? (facts.tls.authorized ? 'trusted' : facts.tls.authorizationError ?? 'not trusted') : undefined,
      auth: facts.authenticated === undefined ? 'not attempted' : facts.authenticated ? 'accepted' : 'rejected',
      failure: facts.failure?.kind,
    },
    details: {
      server: `${facts.host}:${facts.port}`,
      tls: facts.tls,
      authAdvertised: facts.authAdvertised,
      authMethods: facts.authMethods,
      authAdvertisedIn: facts.authAdvertisedIn,
      serverResponse: facts.failure?.response,
      durationMs: facts.durationMs,
    },
  };
}

/** The verdict for a session that stopped on a failure. */
export function smtpFailureVerdict(facts: SmtpSessionFacts, evidence: Evidence): Verdict {
  const f = facts.failure!;
  if (COULD_NOT_CHECK.includes(f.kind)) return error(f.message, evidence);
  return fail(f.message, evidence, REMEDIATION[f.kind]);
}

export function evaluateSmtp(facts: SmtpSessionFacts, expect: SmtpExpectations): Verdict {
  const evidence = smtpEvidence(facts, expect);
  if (facts.failure) return smtpFailureVerdict(facts, evidence);

  const where = `${facts.host}:${facts.port}`;
  const tlsWords =
    facts.tlsMode === 'none'
      ? 'no TLS'
      : `${facts.tlsMode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}${facts.tls?.protocol ? ` (${facts.tls.protocol})` : ''}`;
  const authWords = facts.authenticated
    ? `AUTH as "${expect.username}" accepted${facts.authAdvertised ? '' : ' (AUTH was not advertised)'}`
    : 'no credentials configured, AUTH not tested';
  const summary = `${where}: ${tlsWords}, ${authWords}`;

  // a secure session that was asked for but did not happen is a failure even if nothing errored
  if (expect.secure && facts.tlsMode !== 'implicit') return fail(`${where} did not use implicit TLS`, evidence, REMEDIATION.tls);
  if (!expect.secure && expect.requireStartTls && facts.tlsMode !== 'starttls') {
    return fail(`${where} offers no STARTTLS`, evidence, REMEDIATION['no-starttls']);
  }
  if (expect.credentials && !facts.authenticated) return fail(`AUTH as "${expect.username}" was not completed at ${where}`, evidence, REMEDIATION['auth-rejected']);

  const concerns: string[] = [];
  if (facts.tlsMode === 'none') concerns.push('the session is not encrypted');
  if (facts.tls && !facts.tls.authorized) concerns.push(`${describeCertError(facts.tls.authorizationError)} (verification disabled)`);
  if (facts.tls?.daysLeft !== undefined && facts.tls.daysLeft < expect.certWarnDays) {
    concerns.push(
      facts.tls.daysLeft < 0
        ? `the certificate expired ${-facts.tls.daysLeft} days ago`
        : `the certificate expires in ${facts.tls.daysLeft} days (warn below ${expect.certWarnDays})`,
    );
  }
  if (concerns.length) return warn(`${summary}; but ${concerns.join('; ')}`, evidence);
  return pass(summary, evidence);
}
