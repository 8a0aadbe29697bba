import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/profile/interpolate.js';

describe('interpolate', () => {
  const env = { HOST: 'db.internal', EMPTY: '', PORT: '5432' };

  it('replaces ${VAR} anywhere in strings, deeply, and records where the environment was used', () => {
    const { value, problems, fromEnv } = interpolate({ url: 'postgres://${HOST}:${PORT}/app', list: ['${HOST}', 3], nested: { a: 'x${PORT}' } }, env);
    expect(value).toEqual({ url: 'postgres://db.internal:5432/app', list: ['db.internal', 3], nested: { a: 'x5432' } });
    expect(problems).toEqual([]);
    expect(fromEnv.get('with.url')).toEqual(['HOST', 'PORT']);
    expect(fromEnv.get('with.list.0')).toEqual(['HOST']);
    expect(fromEnv.has('with.list.1')).toBe(false);
  });

  it('reports an unset or empty ${VAR} as a problem naming the variable and the parameter path', () => {
    const { problems } = interpolate({ url: '${DATABASE_URL}', other: '${EMPTY}' }, env);
    expect(problems).toEqual([
      { path: 'with.url', variable: 'DATABASE_URL', message: 'DATABASE_URL is not set' },
      { path: 'with.other', variable: 'EMPTY', message: 'EMPTY is empty' },
    ]);
  });

  it('uses the default of ${VAR:-default} when unset or empty, and of ${VAR-default} only when unset', () => {
    const { value, problems } = interpolate({ a: '${NOPE:-http://localhost:8000}', b: '${EMPTY:-fallback}', c: '${EMPTY-fallback}', d: '${HOST:-x}' }, env);
    expect(value).toEqual({ a: 'http://localhost:8000', b: 'fallback', c: '', d: 'db.internal' });
    expect(problems).toEqual([]);
  });

  it('records each default it used, with the variable, the value and the parameter path', () => {
    const { defaults } = interpolate({ a: '${NOPE:-http://localhost:8000}/health', b: '${EMPTY:-fallback}', c: '${EMPTY-fallback}', d: '${HOST:-x}', e: ['${GONE-y}'] }, env);
    expect(defaults).toEqual([
      { variable: 'NOPE', value: 'http://localhost:8000', path: 'with.a' },
      { variable: 'EMPTY', value: 'fallback', path: 'with.b' },
      { variable: 'GONE', value: 'y', path: 'with.e.0' },
    ]);
  });

  it('uses the message of ${VAR:?message} when unset', () => {
    const { problems } = interpolate({ key: '${STRIPE_SECRET_KEY:?set the live Stripe key}' }, env);
    expect(problems).toEqual([{ path: 'with.key', variable: 'STRIPE_SECRET_KEY', message: 'set the live Stripe key' }]);
  });

  it('keeps $$ as a literal dollar and leaves non-strings alone', () => {
    const { value } = interpolate({ price: '$$29', n: 5, b: true, nil: null }, env);
    expect(value).toEqual({ price: '$29', n: 5, b: true, nil: null });
  });
});
