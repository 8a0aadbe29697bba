// Real headless Chromium (Debian's `chromium` package) driven by playwright-core, for tests that
// must see a page as a browser renders it. Missing Chromium is a test failure with the fix, not a skip.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.READINESS_CHROMIUM ?? '/usr/bin/chromium';

export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install chromium: apt-get install -y chromium (or set READINESS_CHROMIUM to its path)`);
  }
  return chromium.launch({ executablePath, args: ARGS, headless: true, timeout: 30_000 });
}

/** An absolute path under test-artifacts/ (git-ignored), creating its directory. */
export function artifactPath(name: string): string {
  const path = resolve(ARTIFACTS, name);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
