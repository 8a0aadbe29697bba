// Format names and a lazy loader, so `readiness check` imports only the reporters it was asked for
// (chalk, the HTML template... stay unloaded otherwise). index.ts holds the eager map for tests and tools.
import type { Reporter } from '../model.js';

export const FORMAT_NAMES = ['pretty', 'json', 'junit', 'markdown', 'github', 'tap', 'html'] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

/** Each reporter module exports a const named like its format. */
export async function loadReporter(name: FormatName): Promise<Reporter> {
  const module = (await import(`./${name}.js`)) as Record<string, Reporter>;
  return module[name];
}
