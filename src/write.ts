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

export function createOutput(redactor?: Redactor): Output {
  let current = redactor;
  const clean = (text: string) => (current ? current.redact(text) : text);
  const ensureNewline = (text: string) => (text.endsWith('\n') || text === '' ? text : `${text}\n`);
  return {
    stdout: (text) => process.stdout.write(ensureNewline(clean(text))),
    stderr: (text) => process.stderr.write(ensureNewline(clean(text))),
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
