// `readiness diff <old.json> <new.json>`: what changed between two runs, and exit 1 when a check got
// worse at or above --fail-on ("block this deploy if anything regressed since the last release").
import { readFileSync } from 'node:fs';
import { DIFF_FORMATS, ReportInputError, diffReports, gatingRegressions, parseReport, type DiffFormat } from '../report/diff.js';
import type { Report, Severity } from '../report/model.js';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';

export interface DiffOptions {
  format: DiffFormat;
  failOn: Severity;
  strict?: boolean;
  color: boolean;
}

function readReport(path: string, which: 'old' | 'new'): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new UsageError(`cannot read the ${which} report ${path}: ${why}`);
  }
  try {
    return parseReport(text, path);
  } catch (err) {
    if (err instanceof ReportInputError) throw new UsageError(err.message);
    throw err;
  }
}

export async function diffCommand(oldPath: string, newPath: string, options: DiffOptions): Promise<number> {
  if (!Object.hasOwn(DIFF_FORMATS, options.format)) throw new UsageError(`unknown diff format "${options.format}" (allowed: ${Object.keys(DIFF_FORMATS).join(', ')})`);
  const oldReport = readReport(oldPath, 'old');
  const newReport = readReport(newPath, 'new');
  const diff = diffReports(oldReport, newReport, { strict: Boolean(options.strict) });
  const color = options.format === 'pretty' && options.color !== false && !process.env.NO_COLOR && (Boolean(process.env.FORCE_COLOR) || Boolean(process.stdout.isTTY));
  createOutput().stdout(DIFF_FORMATS[options.format](diff, { failOn: options.failOn, color }));
  return gatingRegressions(diff, options.failOn).length > 0 ? EXIT.gateFailed : EXIT.ok;
}
