// The one place that writes to stdout, stderr or files. Everything passes through the redactor here,
// so no reporter, log line or error message can print a secret.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Redactor } from './redact.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Writes a report file, creating its directory. */
  file(path: string, text: string): void;
  setRedactor(redactor: Redactor): void;
}

/**
 * Standard streams whose reader went away (`readiness check | head -1`): EPIPE is not a failure of the command,
 * so nothing more is written to that stream, quietly, and the command ends with its own exit code.
 */
const closedStreams = new WeakSet<NodeJS.WriteStream>();
const guardedStreams = new WeakSet<NodeJS.WriteStream>();
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/** Whether `stream` can no longer be written (its pipe was closed, or it was destroyed). */
export function isClosed(stream: NodeJS.WriteStream): boolean {
  return closedStreams.has(stream) || stream.destroyed || stream.writableEnded;
}

/**
 * Turns an EPIPE on stdout or stderr into "stop writing there" instead of an unhandled 'error' event (a crash
 * with a stack trace). Idempotent; the entry point calls it first thing, so commander's help and version output
 * are covered too. Any other stream error is thrown as before.
 */
export function guardStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (guardedStreams.has(stream)) continue;
    guardedStreams.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!GONE.has(err.code ?? '')) throw err;
      closedStreams.add(stream);
    });
  }
}

function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (!isClosed(stream)) stream.write(text);
}

export function createOutput(redactor?: Redactor): Output {
  guardStdio();
  let current = redactor;
  const clean = (text: string) => (current ? current.redact(text) : text);
  const ensureNewline = (text: string) => (text.endsWith('\n') || text === '' ? text : `${text}\n`);
  return {
    stdout: (text) => writeTo(process.stdout, ensureNewline(clean(text))),
    stderr: (text) => writeTo(process.stderr, ensureNewline(clean(text))),
    file: (path, text) => {
      const absolute = resolve(path);
      mkdirSync(dirname(absolute), { recursive: true });
      writeFileSync(absolute, clean(text));
    },
    setRedactor: (next) => {
      current = next;
    },
  };
}
