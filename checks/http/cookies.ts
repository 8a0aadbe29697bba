// http.cookies: cookies set by the given URLs carry Secure, session-like ones HttpOnly, and a valid SameSite
// (None only with Secure). Cookie values are never read into the verdict.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { oneOrMany } from '../../src/params.js';
import { displayUrl, fetchEachInTurn, headerList, loadCa, plural, tlsParams, urlParam } from './_common.js';

export const params = z
  .object({
    urls: oneOrMany(urlParam()).describe('Pages or endpoints whose Set-Cookie headers are checked (e.g. the home page and the login page).'),
    session_pattern: z
      .string()
      .default('sess|sid|auth|token|jwt|login|remember|csrf|xsrf|connect\\.|^__host-|^__secure-')
      .describe('Case-insensitive regular expression on cookie names that marks session-like cookies (HttpOnly required).'),
    ignore: z.array(z.string()).default([]).describe('Cookie names to skip (e.g. consent or analytics cookies set on purpose for scripts).'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

/** The attributes of one Set-Cookie header, without its value. */
export interface CookieFacts {
  name: string;
  url: string;
  secure: boolean;
  httpOnly: boolean;
  /** As written, or undefined when absent. */
  sameSite?: string;
}

/** Parses a Set-Cookie header; the value is dropped on purpose (it is usually a secret). */
export function parseSetCookie(header: string, url: string): CookieFacts {
  const [pair, ...attrs] = header.split(';');
  const name = pair.split('=')[0].trim();
  const facts: CookieFacts = { name, url, secure: false, httpOnly: false };
  for (const attr of attrs) {
    const [key, ...rest] = attr.split('=');
    const k = key.trim().toLowerCase();
    if (k === 'secure') facts.secure = true;
    else if (k === 'httponly') facts.httpOnly = true;
    else if (k === 'samesite') facts.sameSite = rest.join('=').trim();
  }
  return facts;
}

/** Pure decision over all cookies seen. `unreachable`: the requests that got no answer (could not check those URLs). */
export function evaluateCookies(cookies: CookieFacts[], p: Params, unreachable: Verdict[] = []): Verdict {
  const sessionLike = new RegExp(p.session_pattern, 'i');
  const parts: Verdict[] = [...unreachable];
  const checked = cookies.filter((c) => !p.ignore.includes(c.name));
  for (const c of checked) {
    const isSession = sessionLike.test(c.name);
    const problems: string[] = [];
    let worst: 'fail' | 'warn' = 'warn';
    if (!c.secure) {
      problems.push('no Secure');
      worst = 'fail';
    }
    if (isSession && !c.httpOnly) {
      problems.push('no HttpOnly on a session-like cookie');
      worst = 'fail';
    }
    const ss = c.sameSite?.toLowerCase();
    if (c.sameSite === undefined) problems.push('no SameSite (browsers assume Lax)');
    else if (!['strict', 'lax', 'none'].includes(ss!)) {
      problems.push(`invalid SameSite=${c.sameSite}`);
      worst = 'fail';
    } else if (ss === 'none' && !c.secure) {
      problems.push('SameSite=None without Secure (browsers drop it)');
      worst = 'fail';
    }
    if (c.name.toLowerCase().startsWith('__host-') && !c.secure) worst = 'fail';
    if (problems.length) {
      const message = `cookie ${c.name} (set by ${displayUrl(c.url)}): ${problems.join(', ')}`;
      parts.push(
        worst === 'fail'
          ? fail(message, undefined, 'Set cookies with `Secure; HttpOnly; SameSite=Lax` (Strict for admin sessions); configure the session middleware (cookie.secure, cookie.httpOnly, cookie.sameSite) behind TLS.')
          : warn(message),
      );
    }
  }
  const evidence = {
    expected: { secure: true, httpOnlyForSessionCookies: true, sameSite: ['Strict', 'Lax', 'None+Secure'] },
    actual: checked.map((c) => ({ name: c.name, url: displayUrl(c.url), secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite ?? null, sessionLike: sessionLike.test(c.name) })),
    details: { ignored: cookies.filter((c) => p.ignore.includes(c.name)).map((c) => c.name) },
  };
  if (checked.length === 0) return combine(parts, `no cookies set by ${plural(p.urls.length, 'URL')} checked`, evidence);
  return combine(parts, `${plural(checked.length, 'cookie')} set with Secure, SameSite${checked.some((c) => sessionLike.test(c.name)) ? ' and HttpOnly on session cookies' : ''}`, evidence);
}

export default defineCheck({
  meta: {
    type: 'http.cookies',
    title: 'Cookies have Secure, HttpOnly and SameSite',
    failureTitle: 'Cookies lack security attributes',
    description:
      'Session cookies without Secure leak over plain HTTP, without HttpOnly they can be stolen by injected scripts, and without SameSite they ride along on cross-site requests (CSRF). Reads the Set-Cookie headers of the given URLs; cookie values are never recorded.',
    remediation: 'Set every cookie with Secure and SameSite=Lax (or Strict), and HttpOnly for session/auth cookies.',
    docs: 'docs/checks.md#http-cookies',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    try {
      new RegExp(p.session_pattern, 'i');
    } catch {
      return error(`session_pattern is not a valid regular expression: ${p.session_pattern}`);
    }
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const cookies: CookieFacts[] = [];
    // A URL that gets no answer is a part that could not be checked: the cookies of the others are still judged.
    const { answered, unreachable } = await fetchEachInTurn(p.urls, { ca: ca.ca, insecure: p.insecure, maxBodyBytes: 0 }, ctx);
    for (const { url, res } of answered) for (const h of headerList(res, 'set-cookie')) cookies.push(parseSetCookie(h, url));
    ctx.log.debug(`http.cookies: ${cookies.length} Set-Cookie header(s) from ${p.urls.length} URL(s), ${unreachable.length} unanswered`);
    return evaluateCookies(cookies, p, unreachable);
  },
});
