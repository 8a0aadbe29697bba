// Shapes of well-known secrets. The redactor masks them in every output; secrets.scan looks for them in files.
export interface SecretPattern {
  name: string;
  /** Global regex matching the whole secret. */
  regex: RegExp;
  /** Characters kept before the mask so a reader still sees what kind of value it was (`sk_live_`). */
  keepPrefix?: RegExp;
}

export const SECRET_PATTERNS: SecretPattern[] = [
  { name: 'PEM private key', regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  { name: 'Stripe secret key', regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g, keepPrefix: /^(?:sk|rk)_(?:live|test)_/ },
  { name: 'Stripe webhook secret', regex: /\bwhsec_[A-Za-z0-9+/=]{8,}\b/g, keepPrefix: /^whsec_/ },
  { name: 'SendGrid API key', regex: /\bSG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, keepPrefix: /^SG\./ },
  { name: 'AWS access key id', regex: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, keepPrefix: /^(?:AKIA|ASIA)/ },
  { name: 'JSON Web Token', regex: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{8,}\b/g },
  { name: 'GitHub token', regex: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, keepPrefix: /^gh[pousr]_/ },
  { name: 'Slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, keepPrefix: /^xox[abposr]-/ },
  // The secret half of an AWS key pair has no prefix: only recognised after its usual name, which is kept.
  {
    name: 'AWS secret access key',
    regex: /\baws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    keepPrefix: /^aws_?secret_?access_?key["']?\s*[:=]\s*["']?/i,
  },
  { name: 'Google API key', regex: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, keepPrefix: /^AIza/ },
  { name: 'npm token', regex: /\bnpm_[A-Za-z0-9]{36}\b/g, keepPrefix: /^npm_/ },
];

/** Password in a URL's userinfo: `postgres://app:PASSWORD@db/app`. Group 1 is what precedes it. */
export const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s@/?#]+)@/gi;

/** Query parameters whose values are secrets (`?token=…`, `&api_key=…`, `&X-Amz-Signature=…`). Group 1: `?name`, group 2: the value. */
export const SECRET_QUERY_PARAMETER =
  /([?&;](?:[A-Za-z0-9]+[_.-])*(?:token|secret|password|passwd|pwd|apikey|api[_-]key|access[_-]key|auth|signature|sig|session|sessionid|credential|credentials|client[_-]secret|private[_-]key|key|code)(?:[_.-][A-Za-z0-9]+)*)=([^&#\s"'<>]+)/gi;

/** Variable names whose values are secrets. */
export const SECRET_NAME = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|_KEY$|^KEY$|PRIVATE|CREDENTIAL|API_?KEY|DSN|^DATABASE_URL$|^REDIS_URL$|_URL_WITH_AUTH|CONNECTION_STRING)/i;

/** Names that look secret but hold settings about a secret (a key's path, a token's lifetime). */
export const SETTING_NAME = /(_PATH|_FILE|_DIR|_TTL|_EXPIRE|_EXPIRES|_EXPIRY|_EXPIRE_[A-Z]+|_EXPIRATION|_MINUTES|_HOURS|_DAYS|_SECONDS|_ALGORITHM|_ALG|_LENGTH|_ID)$/i;

/** True for variables whose values are secrets and must never be shown. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !SETTING_NAME.test(name);
}

