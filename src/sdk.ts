// The SDKs of the check types (and the few libraries only a running check needs), each imported the first time
// a check that needs it runs — not when a profile loads: `readiness validate`, `list` and `explain` import the
// check modules (for their metadata and parameter schemas) but run nothing, so they must not pay for stripe, pg,
// ioredis, nodemailer… (dotenv also loads for a profile that names env files). Modules that use one import only
// its types at the top (`import type`, free) and call its loader from here.

/** Runs `load` once, on the first call; later calls get the same promise. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

export const loadPg = once(async () => (await import('pg')).default);
export const loadRedis = once(async () => (await import('ioredis')).Redis);
export const loadSqlite = once(async () => (await import('better-sqlite3')).default);
export const loadStripe = once(async () => (await import('stripe')).default);
export const loadUndici = once(() => import('undici'));
export const loadJose = once(() => import('jose'));
export const loadSmtpConnection = once(async () => (await import('nodemailer/lib/smtp-connection')).default);
export const loadMailComposer = once(async () => (await import('nodemailer/lib/mail-composer')).default);
export const loadDotenv = once(async () => (await import('dotenv')).parse);
export const loadGlob = once(async () => (await import('tinyglobby')).glob);
