// Runs the selected checks concurrently, respecting `needs`, timeouts, retries, the run deadline and Ctrl-C.
// A check that throws, hangs or returns nonsense becomes an `error` result; it never crashes the run.
import { setMaxListeners } from 'node:events';
import type { Status, Verdict } from '../check.js';
import { formatDuration } from '../duration.js';
import type { ResolvedCheck } from '../profile/load.js';
import type { CheckResult, SkipInfo } from '../report/model.js';
import type { Redactor } from '../redact.js';
import { applyWaiver } from './waiver.js';

export type StopReason = 'signal' | 'deadline';

export interface RunOptions {
  concurrency: number;
  /** Ids to run; others are reported as skipped, kind `not-selected`. Defaults to all. */
  selected?: ReadonlySet<string>;
  /** Replaces every check's own timeout (--timeout). */
  timeoutMs?: number;
  /** Whole-run deadline: checks still pending or running then end unverified (skip kind `deadline`). */
  deadlineMs?: number;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  onProgress?: (progress: { done: number; total: number; running: string[] }) => void;
  /** Receives --verbose lines from checks (redacted). */
  log?: (checkId: string, message: string) => void;
  /** The one scrubber: masks every verdict and log line; checks add the secrets they hold to it. */
  redactor?: Redactor;
  /** Keep the stack trace of a check that crashed (in its evidence), for --debug. */
  debug?: boolean;
  /** How long a check whose timeout passed may still return its own verdict (default TIMEOUT_GRACE_MS). */
  timeoutGraceMs?: number;
  /** Backoff between attempts; tests shorten it. */
  retryDelayMs?: (attempt: number) => number;
}

export interface RunOutcome {
  results: CheckResult[];
  interrupted?: StopReason;
}

const NEEDS_MET: ReadonlySet<Status> = new Set(['pass', 'warn']);

export async function runChecks(checks: ResolvedCheck[], options: RunOptions): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const selected = options.selected ?? new Set(checks.map((c) => c.id));
  const results = new Map<string, CheckResult>();
  const toRun = checks.filter((c) => selected.has(c.id));
  const total = toRun.length;
  const running = new Map<string, Promise<void>>();

  // One controller for the whole run: Ctrl-C and the deadline abort it, and every check's signal follows it.
  const run = new AbortController();
  setMaxListeners(0, run.signal); // one listener per running check
  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    run.abort(reason);
  };
  const onSignal = () => stop('signal');
  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) stop('signal');
  const deadline = options.deadlineMs ? setTimeout(() => stop('deadline'), options.deadlineMs) : undefined;

  const progress = () => options.onProgress?.({ done: results.size - (checks.length - total), total, running: [...running.keys()] });

  for (const check of checks) {
    if (!selected.has(check.id)) results.set(check.id, skipped(check, { kind: 'not-selected', detail: 'not selected (--only/--skip)' }, now()));
  }

  let pending = [...toRun];
  let wake: () => void = () => {};
  run.signal.addEventListener('abort', () => wake(), { once: true });
  while (pending.length || running.size) {
    if (stopReason) break;
    const ready: ResolvedCheck[] = [];
    const waiting: ResolvedCheck[] = [];
    for (const check of pending) {
      const needs = check.needs.filter((id) => selected.has(id) || results.has(id));
      const unfinished = needs.filter((id) => !results.has(id));
      if (unfinished.length) {
        waiting.push(check);
        continue;
      }
      const blockers = needs.filter((id) => !NEEDS_MET.has(results.get(id)!.status));
      if (blockers.length) {
        results.set(check.id, skipped(check, blockedBy(blockers.map((id) => results.get(id)!)), now()));
        continue;
      }
      ready.push(check);
    }
    pending = waiting;
    const free = Math.max(1, options.concurrency) - running.size;
    const starting = ready.slice(0, free);
    pending.push(...ready.slice(free));
    for (const check of starting) {
      const task = execute(check, options, run.signal, now).then((result) => {
        results.set(check.id, result);
        running.delete(check.id);
        progress();
        wake();
      });
      running.set(check.id, task);
    }
    if (starting.length) progress();
    if (!running.size) {
      // Nothing running and nothing startable: whatever is left waits on checks that will never finish.
      if (pending.length && !ready.length) break;
      continue;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }

  // Let running checks observe the abort and settle (each ends promptly: execute() races the abort).
  await Promise.all(running.values());
  if (deadline) clearTimeout(deadline);
  options.signal?.removeEventListener('abort', onSignal);

  for (const check of checks) {
    if (results.has(check.id)) continue;
    const info: SkipInfo = stopReason
      ? stoppedInfo(stopReason, 'not started', options.deadlineMs)
      : { kind: 'blocked', detail: `not started: its needs could not be met (${check.needs.filter((id) => !results.has(id)).join(', ') || 'a cycle'})`, blockedBy: check.needs.filter((id) => !results.has(id)) };
    results.set(check.id, skipped(check, info, now()));
  }
  return { results: checks.map((c) => results.get(c.id)!), interrupted: stopReason };
}

/** How a check was cut short by the run stopping (`before` says where it was: "not started", "stopped after 2s"). */
function stoppedInfo(reason: StopReason, before: string, deadlineMs: number | undefined): SkipInfo {
  return reason === 'deadline'
    ? { kind: 'deadline', detail: `${before}: the run deadline (${formatDuration(deadlineMs ?? 0)}) was reached` }
    : { kind: 'interrupted', detail: `${before}: the run was interrupted (Ctrl-C)` };
}

const MAX_CAUSE = 160;

/**
 * `blocked by dns.root (failed: DOMAIN is not set (with.name))`: each needed check that did not pass, with
 * why — so the one line names the root cause, also through a chain of blocked checks.
 */
export function blockedBy(blockers: readonly CheckResult[]): SkipInfo {
  const cause = (r: CheckResult) => {
    const why = r.skip ? r.skip.detail : r.message;
    const text = why.length > MAX_CAUSE ? `${why.slice(0, MAX_CAUSE - 1)}…` : why;
    return `${r.id} (${STATUS_WORD[r.status]}: ${text})`;
  };
  return { kind: 'blocked', detail: `blocked by ${blockers.map(cause).join(', ')}`, blockedBy: blockers.map((r) => r.id) };
}

const STATUS_WORD: Record<Status, string> = { pass: 'passed', warn: 'warning', fail: 'failed', error: 'could not check', skip: 'not run', waived: 'waived' };

async function execute(check: ResolvedCheck, options: RunOptions, runSignal: AbortSignal, now: () => Date): Promise<CheckResult> {
  const started = performance.now();
  if (check.skip) return skipped(check, { kind: 'profile', detail: check.skip }, now());
  if (check.envProblems.length) {
    const verdict: Verdict = {
      status: 'fail',
      message: check.envProblems.map((p) => `${p.message} (${p.path})`).join('; '),
      evidence: { details: { variables: [...new Set(check.envProblems.map((p) => p.variable))] } },
      remediation: `Set ${[...new Set(check.envProblems.map((p) => p.variable))].join(', ')} in the environment or an env file (env_files / --env-file) with a valid value.`,
    };
    // Not the type's failure title ("PostgreSQL is not reachable"): nothing was tried, the variables are missing.
    // Its remediation (which variables to set) is exact, so it also wins over the profile's.
    return finish(check, verdict, performance.now() - started, 0, now(), { failureTitle: `Not checked: environment not ready (${check.check.meta.title})`, verdictAdviceFirst: true });
  }

  const timeoutMs = options.timeoutMs ?? check.timeoutMs;
  const attemptsAllowed = check.retries + 1;
  let verdict: Verdict = { status: 'error', message: 'did not run' };
  let attempt = 0;
  while (attempt < attemptsAllowed) {
    attempt++;
    verdict = await attemptOnce(check, options, runSignal, timeoutMs);
    if (runSignal.aborted) {
      // The run stopped while this check was running: it reached no verdict of its own.
      const reason = runSignal.reason as StopReason;
      return skipped(check, stoppedInfo(reason, `stopped after ${formatDuration(Math.max(1, Math.round(performance.now() - started)))}`, options.deadlineMs), now(), performance.now() - started, attempt);
    }
    if (verdict.status === 'pass' || verdict.status === 'warn' || verdict.status === 'skip') break;
    if (attempt < attemptsAllowed) {
      const delay = options.retryDelayMs?.(attempt) ?? Math.min(250 * 2 ** (attempt - 1), 2000);
      await sleep(delay, runSignal);
      if (runSignal.aborted) break;
    }
  }
  if (attempt > 1 && (verdict.status === 'pass' || verdict.status === 'warn')) {
    verdict = { ...verdict, message: `${verdict.message} (passed on attempt ${attempt} of ${attemptsAllowed})` };
  }
  return finish(check, verdict, performance.now() - started, attempt, now());
}

/**
 * After a check's timeout its signal is aborted and it has this long to return its own verdict — the one that
 * names host:port and the stage that hung — before the runner ends it with a bare "timed out". One deadline,
 * enforced here: clients take the signal; no check needs to fire early to beat the runner.
 */
export const TIMEOUT_GRACE_MS = 1000;

async function attemptOnce(check: ResolvedCheck, options: RunOptions, runSignal: AbortSignal, timeoutMs: number): Promise<Verdict> {
  const controller = new AbortController();
  const timeout = `timed out after ${formatDuration(timeoutMs)}`;
  const grace = options.timeoutGraceMs ?? TIMEOUT_GRACE_MS;
  let graceTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => controller.abort(Object.assign(new Error(timeout), { name: 'TimeoutError', code: 'ETIMEDOUT' })), timeoutMs);
  // A stopped run (deadline, Ctrl-C) ends the check at once; the caller reports it as not verified.
  const onRunAbort = () => controller.abort(new Error(runSignal.reason === 'deadline' ? 'stopped: the run deadline was reached' : 'stopped: the run was interrupted'));
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  if (runSignal.aborted) onRunAbort();
  // The hard stop: a check that ignores its signal still ends, `grace` after its timeout (at once when the run stops).
  const stopped = new Promise<Verdict>((resolve) => {
    const giveUp = () => resolve(notFinished(controller.signal, timeoutMs));
    const settle = () => {
      if (runSignal.aborted) giveUp();
      else graceTimer = setTimeout(giveUp, grace);
    };
    if (controller.signal.aborted) settle();
    else controller.signal.addEventListener('abort', settle, { once: true });
  });
  try {
    const running = Promise.resolve().then(() =>
      check.check.run({
        id: check.id,
        params: check.params,
        env: options.env,
        signal: controller.signal,
        timeoutMs,
        baseDir: check.baseDir,
        log: { debug: (message) => options.log?.(check.id, options.redactor ? options.redactor.redact(String(message)) : String(message)) },
        addSecret: (secret, user) => options.redactor?.add(secret, user),
      }),
    );
    running.catch(() => {}); // a late rejection after the race is over must not crash the process
    const verdict = await Promise.race([running.then(checkVerdict, crashed(controller.signal, timeoutMs, options.debug)), stopped]);
    // Every verdict passes the scrubber here, before anything (retries, waivers, reporters) sees it.
    return options.redactor ? options.redactor.redactDeep(verdict) : verdict;
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
}

/** A check that did not return its own verdict by its timeout: could not check, with advice on reaching the system. */
function notFinished(signal: AbortSignal, timeoutMs: number): Verdict {
  return {
    status: 'error',
    message: String((signal.reason as Error)?.message ?? 'aborted'),
    remediation: `The check did not finish within its timeout (${formatDuration(timeoutMs)}): check that this host can reach the system it checks, or give the check a longer timeout: in the profile.`,
  };
}

const crashed = (signal: AbortSignal, timeoutMs: number, debug?: boolean) => (err: unknown): Verdict => {
  if (signal.aborted) return notFinished(signal, timeoutMs);
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'error', message: `check crashed: ${message.split('\n')[0]}`, evidence: debug && err instanceof Error ? { details: { stack: err.stack } } : undefined };
};

const VERDICT_STATUSES = new Set(['pass', 'warn', 'fail', 'error', 'skip']);

/**
 * Whose advice is shown. A profile's `remediation:` is written for its own system and the "not ready" case,
 * so it wins over the check's generic fix for a `fail`; for an `error` (could not check) the check's own
 * advice on making the check possible (reachability, permissions) comes first.
 */
function remediationFor(status: string, fromVerdict: string | undefined, fromProfile: string | undefined, fromType: string): string {
  if (status === 'error') return fromVerdict ?? fromProfile ?? fromType;
  return fromProfile ?? fromVerdict ?? fromType;
}

/** A custom module may return anything: anything that is not a verdict is an error, not a pass. */
function checkVerdict(value: unknown): Verdict {
  const verdict = value as Verdict;
  if (!verdict || typeof verdict !== 'object' || !VERDICT_STATUSES.has(verdict.status)) {
    return { status: 'error', message: 'check returned no valid verdict (expected { status, message })' };
  }
  return { ...verdict, message: typeof verdict.message === 'string' && verdict.message ? verdict.message : `(${verdict.status}, no message)` };
}

/** A check that reached no verdict of pass/warn/fail/error: its skip kind travels as data. */
function skipped(check: ResolvedCheck, info: SkipInfo, today: Date, durationMs = 0, attempts = 0): CheckResult {
  return finish(check, { status: 'skip', message: info.detail }, durationMs, attempts, today, { skip: info });
}

function finish(
  check: ResolvedCheck,
  verdict: Verdict,
  durationMs: number,
  attempts: number,
  today: Date,
  { failureTitle, verdictAdviceFirst = false, skip }: { failureTitle?: string; verdictAdviceFirst?: boolean; skip?: SkipInfo } = {},
): CheckResult {
  const meta = check.check.meta;
  const unchecked = verdict.status === 'fail' && verdict.unchecked?.length ? verdict.unchecked : undefined;
  const message = unchecked ? `${verdict.message}; also could not check: ${unchecked.join('; ')}` : verdict.message;
  const waived = applyWaiver({ status: verdict.status, message, primary: verdict.message, unchecked }, check.waiver, today);
  const { status } = waived;
  const notPassed = status !== 'pass' && status !== 'skip';
  const skipInfo: SkipInfo | undefined = status === 'skip' ? (skip ?? { kind: verdict.skipKind ?? 'not-applicable', detail: verdict.message }) : undefined;
  const defaultsUsed = check.defaultsUsed ?? [];
  const evidence = defaultsUsed.length
    ? { ...verdict.evidence, details: { ...verdict.evidence?.details, 'defaults used': defaultsUsed.map((d) => `${d.variable} not set: ${d.path} = ${JSON.stringify(d.value)} (the profile's default)`) } }
    : verdict.evidence;
  return {
    id: check.id,
    type: check.type,
    // The same name whether it passes or fails: CI test history and `readiness diff` key on it.
    title: check.title ?? meta.title,
    ...(notPassed && status !== 'warn' && !check.title ? { failureTitle: failureTitle ?? meta.failureTitle } : {}),
    section: check.section,
    severity: check.severity,
    tags: check.tags,
    status,
    message: waived.message,
    ...(skipInfo ? { skip: skipInfo } : {}),
    ...(waived.unchecked ? { unchecked: waived.unchecked } : {}),
    ...(defaultsUsed.length ? { defaultsUsed } : {}),
    ...(evidence ? { evidence } : {}),
    ...(notPassed ? { remediation: remediationFor(verdictAdviceFirst ? 'error' : status, verdict.remediation, check.remediation, meta.remediation) } : {}),
    description: check.description ?? meta.description,
    docs: meta.docs,
    durationMs: Math.round(durationMs),
    attempts,
    ...(waived.waiver ? { waiver: waived.waiver } : {}),
    gating: false,
    ...(meta.active ? { active: true } : {}),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
