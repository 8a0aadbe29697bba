import { describe, expect, it } from 'vitest';
import { makeRedactor, MASK, scrubSecrets } from '../src/redact.js';

describe('makeRedactor', () => {
  const env = {
    DB_PASSWORD: 'hunter2-very-secret',
    DATABASE_URL: 'postgres://app:p%40ss-w0rd!@db.internal:5432/app',
    APP_ENV: 'production',
    SESSION_TOKEN: 'abc',
    CUSTOM_THING: 'listed-in-profile-secrets',
  };
  const r = makeRedactor(env, ['CUSTOM_THING']);

  it('masks values of secret-looking variables and of the profile secrets list', () => {
    expect(r.redact('password is hunter2-very-secret!')).toBe(`password is ${MASK}!`);
    expect(r.redact('x=listed-in-profile-secrets')).toBe(`x=${MASK}`);
    expect(r.redact('env is production')).toBe('env is production');
  });

  it('masks a URL-valued secret whole, and its password alone, decoded or not', () => {
    expect(r.redact(`connecting to ${env.DATABASE_URL}`)).toBe(`connecting to ${MASK}`);
    expect(r.redact('password p@ss-w0rd! rejected')).toBe(`password ${MASK} rejected`);
    expect(r.redact('raw p%40ss-w0rd!')).toBe(`raw ${MASK}`);
  });

  it('masks passwords inside any URL', () => {
    expect(r.redact('redis://:s3cr3tpass@cache:6379/0 and https://user:pw12345@example.com/x')).toBe(`redis://:${MASK}@cache:6379/0 and https://user:${MASK}@example.com/x`);
  });

  it('masks well-known secret shapes, keeping the prefix that says what it was', () => {
    const text = 'keys sk_live_51Habcdefghijklmnop rk_test_abcdefghijkl whsec_abcdefghijklmnop SG.abcdefghij.klmnopqrstuv AKIAABCDEFGHIJKLMNOP';
    expect(r.redact(text)).toBe(`keys sk_live_${MASK} rk_test_${MASK} whsec_${MASK} SG.${MASK} AKIA${MASK}`);
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----';
    expect(r.redact(`key: ${pem} end`)).toBe(`key: ${MASK} end`);
  });

  it('does not mask very short values (they would garble every line)', () => {
    expect(r.redact('abc')).toBe('abc');
  });

  it('redacts deeply without touching keys or non-strings', () => {
    expect(r.redactDeep({ hunter2: 'hunter2-very-secret', n: 3, list: ['hunter2-very-secret'], nested: { ok: true } })).toEqual({
      hunter2: MASK,
      n: 3,
      list: [MASK],
      nested: { ok: true },
    });
  });

  it('masks JSON-escaped forms of a secret', () => {
    const tricky = makeRedactor({ API_SECRET: 'quote"and\\slash' });
    expect(tricky.redact(JSON.stringify({ v: 'quote"and\\slash' }))).toBe(`{"v":"${MASK}"}`);
  });
});

describe('secret names', () => {
  it('does not treat settings about a secret as secrets (paths, lifetimes, algorithms)', () => {
    const r = makeRedactor({ JWT_PRIVATE_KEY_PATH: '/etc/app/jwt.pem', JWT_ACCESS_TOKEN_TTL: '3600', JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: 'pem-material-here' });
    expect(r.redact('key at /etc/app/jwt.pem, ttl 3600, RS256')).toBe('key at /etc/app/jwt.pem, ttl 3600, RS256');
    expect(r.redact('leaked pem-material-here')).toBe(`leaked ${MASK}`);
  });
});

describe('placeholders', () => {
  it('keeps ${VAR} placeholders in URLs (docs and profiles), masks real passwords', () => {
    const r = makeRedactor({});
    expect(r.redact('postgres://app:${DB_PASSWORD}@db/app')).toBe('postgres://app:${DB_PASSWORD}@db/app');
    expect(r.redact('postgres://app:${DB_PASSWORD:-x}@db/app')).toBe('postgres://app:${DB_PASSWORD:-x}@db/app');
    expect(r.redact('postgres://app:hunter22@db/app')).toBe(`postgres://app:${MASK}@db/app`);
  });
});

describe('help text', () => {
  it('keeps literal placeholder passwords in example URLs', () => {
    const r = makeRedactor({});
    expect(r.redact('expected postgres://user:password@host:5432/db')).toBe('expected postgres://user:password@host:5432/db');
    expect(r.redact('redis://[user:password@]host:6379/0')).toBe('redis://[user:password@]host:6379/0');
  });

  it('still masks a real password equal to a placeholder word through its variable', () => {
    const r = makeRedactor({ DB_PASSWORD: 'password' });
    expect(r.redact('connect as app with password')).toBe(`connect as app with ${MASK}`);
  });
});

describe('the one scrubber: every encoding of a secret', () => {
  const secret = 'Pl@nted Secret/42&x';
  const user = 'app';
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
    'Pl@nted Secret/42&amp;x',
    b64(secret),
    b64(`${user}:${secret}`),
    b64(`\u0000${user}\u0000${secret}`),
  ];

  it('masks each form of a registered secret, in any text', () => {
    const redactor = makeRedactor({});
    redactor.add(secret, user);
    for (const form of forms) {
      const out = redactor.redact(`before ${form} after`);
      expect(out, form).toBe('before [redacted] after');
    }
  });

  it('masks the Basic-auth form of a URL password from the environment (a server echoing the Authorization header)', () => {
    const redactor = makeRedactor({ DATABASE_URL: 'postgres://app:Url-Secret-77@db.internal/app' });
    expect(redactor.redact(`Authorization: Basic ${b64('app:Url-Secret-77')}`)).toBe('Authorization: Basic [redacted]');
    expect(redactor.redact('Location: https://app:Url-Secret-77@elsewhere/')).not.toContain('Url-Secret-77');
  });

  it('masks secret-looking query parameters in any URL, not ordinary ones', () => {
    const redactor = makeRedactor({});
    expect(redactor.redact('GET https://api.example.com/v1?access_token=abc123def&page=2&X-Amz-Signature=deadbeef01&api_key=k-9')).toBe(
      'GET https://api.example.com/v1?access_token=[redacted]&page=2&X-Amz-Signature=[redacted]&api_key=[redacted]',
    );
    expect(redactor.redact('https://example.com/?author=bob&design=x&q=token')).toBe('https://example.com/?author=bob&design=x&q=token');
    // Template placeholders in links are not secrets.
    expect(redactor.redact('/reset?token={{ token }}&sig=<%= sig %>&key=${KEY}')).toBe('/reset?token={{ token }}&sig=<%= sig %>&key=${KEY}');
  });

  it('a short secret (a common word) is masked where it stands alone, not inside other words; a long one everywhere', () => {
    const redactor = makeRedactor({ COOKIE_SECRET: 'short', API_SECRET: 'Long-Secret-Value-99' });
    expect(redactor.redact('COOKIE_SECRET is short, shorter than 32')).toBe('COOKIE_SECRET is [redacted], shorter than 32');
    expect(redactor.redact('x=short&y=1 "short"')).toBe('x=[redacted]&y=1 "[redacted]"');
    expect(redactor.redact('prefixLong-Secret-Value-99suffix')).toBe('prefix[redacted]suffix');
  });

  it('scrubSecrets masks given values once, for code outside a run', () => {
    expect(scrubSecrets(`auth failed for ${b64(`\u0000u\u0000hunter22`)}`, ['hunter22'], 'u')).toBe('auth failed for [redacted]');
    expect(scrubSecrets('short abc stays', ['abc'])).toBe('short abc stays');
  });
});
