// `readiness check`: load, select, run, gate, report.
import { relative, resolve } from 'node:path';
import { parseDuration, DURATION_HINT } from '../duration.js';
import { gateExitCode } from '../engine/gate.js';
import { runChecks } from '../engine/runner.js';
import { selectChecks, SelectionError, splitPatterns } from '../engine/select.js';
import { toolVersion } from '../paths.js';
import { makeRedactor } from '../redact.js';
import { StoreError } from '../attest/attestations.js';
import { readSignoffs, signoffsFileFor, type RecordedSignoff } from '../attest/signoffs.js';
import { attachSignoffs, buildReport, environmentName } from '../report/build.js';
import type { Severity } from '../report/model.js';
import { FORMAT_NAMES, isFormatName, loadReporter, type FormatName } from '../report/reporters/names.js';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';
import { loadForCommand, type ProfileOptions } from './profile.js';
import { startProgress } from './progress.js';

export interface CheckOptions extends ProfileOptions {
  only?: string[];
  skip?: string[];
  format?: string[];
  concurrency: string;
  timeout?: string;
  deadline?: string;
  failOn: Severity;
  strict?: boolean;
  allowUnverified?: boolean;
  verbose?: boolean;
  color: boolean;
  debug?: boolean;
}

export interface FormatTarget {
  format: FormatName;
  path?: string;
}

/** `-f junit:reports/out.xml` → { format: 'junit', path: 'reports/out.xml' }. */
export function parseFormats(values: string[] | undefined): FormatTarget[] {
  const targets = (values?.length ? values : ['pretty']).map((value) => {
    const colon = value.indexOf(':');
    const format = colon === -1 ? value : value.slice(0, colon);
    const path = colon === -1 ? undefined : value.slice(colon + 1);
    if (!isFormatName(format)) {
      throw new UsageError(`unknown format "${format}" (allowed: ${FORMAT_NAMES.join(', ')})`);
    }
    if (path === '') throw new UsageError(`-f ${value}: missing file path after ":"`);
    return { format, path };
  });
  // A document format shares stdout with nothing (the result would parse as neither); pretty + github may.
  const toStdout = targets.filter((t) => t.path === undefined);
  const documents = toStdout.filter((t) => ['json', 'junit', 'tap', 'html'].includes(t.format));
  if (documents.length && toStdout.length > 1) {
    throw new UsageError(
      `-f ${documents[0].format} writes to stdout together with ${toStdout.filter((t) => t !== documents[0]).map((t) => t.format).join(', ')}: the output would be unreadable; give it a file, e.g. -f ${documents[0].format}:readiness.${documents[0].format === 'junit' ? 'xml' : documents[0].format}`,
    );
  }
  const seen = new Set<string>();
  for (const t of targets) {
    const key = t.path === undefined ? `stdout:${t.format}` : `file:${resolve(t.path)}`;
    if (seen.has(key)) throw new UsageError(t.path === undefined ? `-f ${t.format} is given twice` : `-f …:${t.path}: two formats would write the same file`);
    seen.add(key);
  }
  return targets;
}

function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (!ms) throw new UsageError(`--${name} ${value}: expected ${DURATION_HINT}`);
  return ms;
}

/** --no-color wins, then NO_COLOR, then FORCE_COLOR (0/false turn it off), then whether stdout is a terminal. */
export function useColor(flag: boolean | undefined, env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (flag === false || env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY;
}

export async function checkCommand(options: CheckOptions): Promise<number> {
  const formats = parseFormats(options.format);
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency ${options.concurrency}: expected a whole number ≥ 1`);
  const timeoutMs = durationFlag('timeout', options.timeout);
  const deadlineMs = durationFlag('deadline', options.deadline);

  const out = createOutput();
  const profile = await loadForCommand(options, out);
  if (!profile) return EXIT.usage;

  let selected: Set<string>;
  try {
    selected = selectChecks(profile.checks, splitPatterns(options.only), splitPatterns(options.skip));
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    throw err;
  }

  // Ctrl-C: the first stops new work and aborts running checks (reports are still written); a second exits now.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  // The one scrubber for this run: the runner masks every verdict and log line with it, checks add the
  // secrets they hold, and the writer and the report use the same one.
  const redactor = makeRedactor(profile.env, profile.secretNames);
  out.setRedactor(redactor);
  const progress = await startProgress(selected.size);
  const startedAt = new Date();
  const started = performance.now();
  const outcome = await runChecks(profile.checks, {
    concurrency,
    selected,
    timeoutMs,
    deadlineMs,
    signal: interrupt.signal,
    env: profile.env,
    debug: options.debug,
    redactor,
    onProgress: progress.update,
    log: options.verbose ? (id, message) => progress.log(() => out.stderr(`[${id}] ${message}`)) : undefined,
  });
  progress.stop();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);

  const report = buildReport(outcome, {
    profile: { name: profile.name, path: relative(process.cwd(), profile.path) || profile.path },
    tool: { name: 'readiness', version: toolVersion() },
    startedAt,
    durationMs: performance.now() - started,
    failOn: options.failOn,
    strict: Boolean(options.strict),
    allowUnverified: Boolean(options.allowUnverified),
    notes: profile.notes,
    environment: environmentName(profile.env),
  });
  // Redact the model too, so a secret cannot survive a reporter's escaping (JSON, XML) and slip past the writer.
  const redactedReport = redactor.redactDeep(report);
  // The fingerprint is of the findings as written (redacted), so `readiness signoff` can recompute it from the JSON.
  let recordedSignoffs: RecordedSignoff[] = [];
  try {
    recordedSignoffs = readSignoffs(signoffsFileFor(profile.attestationsFile));
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    redactedReport.notes.push(`${err.message}; sign-offs are not shown`);
  }
  const safeReport = attachSignoffs(redactedReport, { recorded: recordedSignoffs, roles: profile.signoffRoles });

  const colorOnStdout = useColor(options.color, process.env, Boolean(process.stdout.isTTY));
  for (const target of formats) {
    const reporter = await loadReporter(target.format);
    const text = reporter(safeReport, {
      color: target.path ? false : colorOnStdout,
      verbose: Boolean(options.verbose),
    });
    if (target.path) {
      out.file(target.path, text);
      out.stderr(`wrote ${target.format} report to ${target.path}`);
    } else out.stdout(text);
  }

  if (outcome.interrupted === 'signal') return EXIT.interrupted;
  return gateExitCode(report.gate);
}
