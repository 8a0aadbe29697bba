// Runs one check module the way the engine does (zod-parsed params, a timeout signal), without the CLI.
import type { CheckType, Verdict } from '../../src/check.js';
import { makeRedactor } from '../../src/redact.js';

export interface RunCheckOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  baseDir?: string;
  /** Collects ctx.log.debug lines, to assert that verbose output leaks nothing. */
  logs?: string[];
  /** The check id the context carries (default: the type name). */
  id?: string;
}

export async function runCheck<P>(check: CheckType<P>, rawParams: unknown, options: RunCheckOptions = {}): Promise<Verdict> {
  const parsed = check.params.safeParse(rawParams ?? {});
  if (!parsed.success) throw new Error(`bad params for ${check.meta.type}: ${parsed.error.message}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  // As the engine does: the check registers the secrets it holds, and its verdict and log lines are scrubbed.
  const redactor = makeRedactor(options.env ?? {});
  const verdict = await check.run({
    id: options.id ?? check.meta.type,
    params: parsed.data,
    env: options.env ?? {},
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    baseDir: options.baseDir ?? process.cwd(),
    log: { debug: (message) => options.logs?.push(redactor.redact(message)) },
    addSecret: (secret, user) => redactor.add(secret, user),
  });
  return redactor.redactDeep(verdict);
}
