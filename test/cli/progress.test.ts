// The spinner is for people at a terminal: on a TTY without CI it shows progress on stderr; in CI or in a
// pipe there is none, so logs stay clean. `script` (util-linux) gives the CLI a real pseudo-terminal.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

function inTerminal(cwd: string, env: Record<string, string>): string {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error('`script` (Debian package bsdutils/util-linux) is needed to give the CLI a terminal');
  const command = `stty cols 100 rows 30; ${process.execPath} ${BIN} check --no-color 2>&1 >/dev/null`;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', ...env } });
  return result.stdout;
}

describe('progress spinner', () => {
  const profile = 'version: 1\nchecks:\n  slow:\n    type: ./checks/scripted.js\n    with: { delay_ms: 1500 }\n';

  it('shows progress on stderr on a terminal', () => {
    const dir = tempProject({ 'readiness.yaml': profile });
    expect(inTerminal(dir, {})).toMatch(/running slow|0\/1 done/);
  });

  it('stays silent when CI is set', () => {
    const dir = tempProject({ 'readiness.yaml': profile });
    expect(inTerminal(dir, { CI: 'true' })).not.toMatch(/running|done/);
  });
});
