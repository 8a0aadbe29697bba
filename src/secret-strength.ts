// Is a secret strong enough for production? Shared by `env.vars` (secrets:) and `secrets.strength`.
//
// The one entry point is assessSecretStrength(value, options): it returns a list of problems, each a
// sentence fragment meant to follow the variable's name ("JWT_SECRET " + problem). An empty list means
// the value is acceptable. A problem NEVER contains the value or any part of it, so callers may show
// problems anywhere (messages, evidence, logs).

export interface SecretStrengthOptions {
  /** Minimum number of characters. Default 32 (e.g. `openssl rand -hex 16`, 32 hex characters). */
  minLength?: number;
  /**
   * Minimum number of distinct characters. Default: min(10, ceil(length / 3)) of the value itself,
   * which random hex/base64 secrets clear easily and `aaaaaaaa…`/`abcabcabc…` do not.
   */
  minDistinct?: number;
  /** Other secrets the value must differ from, by name: `{ CSRF_SECRET: '…' }`. Unset ones are ignored. */
  others?: Readonly<Record<string, string | undefined>>;
}

/**
 * Well-known placeholder and default values, compared after lower-casing and dropping everything that is
 * not a letter or digit (so `Change-Me`, `change_me` and `CHANGEME` are all `changeme`).
 */
export const KNOWN_PLACEHOLDERS: readonly string[] = [
  'changeme', 'changemenow', 'changethis', 'changeit', 'pleasechangeme', 'replaceme', 'replacethis',
  'secret', 'secretkey', 'mysecret', 'mysecretkey', 'supersecret', 'supersecretkey', 'topsecret', 'notasecret',
  'yoursecret', 'yoursecretkey', 'yoursecrethere', 'yoursecretkeyhere', 'yourkeyhere', 'yourapikey',
  'yourapikeyhere', 'yourtokenhere', 'yourpasswordhere', 'insertkeyhere', 'keyhere', 'apikey', 'token',
  'password', 'password1', 'password123', 'passw0rd', 'p4ssw0rd', 'pass', 'pwd', 'admin', 'admin123', 'root',
  'toor', 'letmein', 'qwerty', 'welcome', 'default', 'example', 'sample', 'dummy', 'placeholder', 'test',
  'testing', 'test123', 'dev', 'development', 'local', 'foo', 'bar', 'foobar', 'xxx', 'todo', 'fixme', 'tbd',
  'none', 'null', 'undefined', 'empty', 'key', 'jwtsecret', 'jwtsecretkey', 'sessionsecret', 'appsecret',
  'secretpassword', '123456', '12345678', '123456789', '1234567890', 'abc123', 'abcdef',
  'sktestxxx', 'sklivexxx', 'pktestxxx', 'whsecxxx',
  // Published documentation examples that end up in real configs.
  'sktest4ec39hqlyjwdarjtt1zdp7dc', 'your256bitsecret', 'secretkeybase',
];

const PLACEHOLDER_SET = new Set(KNOWN_PLACEHOLDERS);

/**
 * Shapes that mark a value as a template rather than a real secret, even when it is long:
 * `your-jwt-secret-here`, `<your key>`, `django-insecure-…`, `sk_test_xxxxxxxx`, `changeme-in-production`.
 */
const PLACEHOLDER_SHAPES: readonly RegExp[] = [
  /change[\s_-]?(?:me|this|it)/i,
  /replace[\s_-]?(?:me|this|with)/i,
  /^(?:your|my|insert|put|enter)[\s_-]/i,
  /[\s_-](?:goes[\s_-])?here(?:[\s_-]|$)/i,
  /^<.*>$/,
  /^\{\{.*\}\}$/,
  /^\$\{.*\}$/,
  /^django-insecure-/i,
  /placeholder/i,
  /^(?:sk|pk|rk)_(?:test|live)_x+$/i,
  /^whsec_x+$/i,
  /x{5,}/i,
  /^(?:test|dummy|example|sample|fake|default)[\s_-]/i,
];

/** The normalized form used to compare against KNOWN_PLACEHOLDERS. */
function normalize(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True when the value is (or is shaped like) a known placeholder/default rather than a generated secret. */
export function isKnownPlaceholder(value: string): boolean {
  const norm = normalize(value);
  if (PLACEHOLDER_SET.has(norm)) return true;
  return PLACEHOLDER_SHAPES.some((re) => re.test(value.trim()));
}

/**
 * Problems with a secret's strength, empty when it is fine. Never echoes the value. Checks, in order:
 * empty; leading/trailing whitespace; known placeholder or template shape; minimum length; enough distinct
 * characters; different from each of `others`.
 */
export function assessSecretStrength(value: string, options: SecretStrengthOptions = {}): string[] {
  if (value.length === 0) return ['is empty'];
  const problems: string[] = [];
  const minLength = options.minLength ?? 32;
  if (value !== value.trim()) problems.push('has leading or trailing whitespace');
  if (isKnownPlaceholder(value)) problems.push('is a known placeholder or default value, not a generated secret');
  const length = [...value].length;
  if (length < minLength) problems.push(`is ${length} characters long, shorter than the required ${minLength}`);
  const distinct = new Set(value).size;
  const minDistinct = options.minDistinct ?? Math.min(10, Math.ceil(length / 3));
  if (distinct < minDistinct) {
    problems.push(`uses only ${distinct} distinct characters (at least ${minDistinct} expected from a random secret)`);
  }
  for (const [name, other] of Object.entries(options.others ?? {})) {
    if (other !== undefined && other !== '' && other === value) problems.push(`has the same value as ${name}`);
  }
  return problems;
}
