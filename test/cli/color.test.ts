import { describe, expect, it } from 'vitest';
import { useColor } from '../../src/commands/check.js';
import { runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

describe('colour', () => {
  it('follows --no-color, NO_COLOR, FORCE_COLOR and the terminal, in that order', () => {
    expect(useColor(undefined, {}, true)).toBe(true);
    expect(useColor(undefined, {}, false)).toBe(false);
    expect(useColor(false, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(useColor(undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(useColor(undefined, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(useColor(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(useColor(undefined, { FORCE_COLOR: 'false' }, true)).toBe(false);
  });

  it('FORCE_COLOR colours piped output; --no-color and report files stay plain', async () => {
    const dir = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: ./checks/scripted.js\n    with: { status: fail }\n' });
    const forced = await runCli(['check', '-f', 'pretty', '-f', 'pretty:out.txt'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${dir}/out.txt`, 'utf8')).not.toMatch(/\u001b\[/);
    const plain = await runCli(['check', '--no-color'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(/\u001b\[/);
  });

  it('--debug keeps the stack trace of a crashed check in its evidence', async () => {
    const dir = tempProject({ 'readiness.yaml': 'version: 1\nchecks:\n  a:\n    type: ./checks/scripted.js\n    with: { throw: kaboom }\n' });
    const normal = JSON.parse((await runCli(['check', '-f', 'json'], { cwd: dir })).stdout);
    expect(normal.results[0]).toMatchObject({ status: 'error', message: 'check crashed: kaboom' });
    expect(normal.results[0].evidence).toBeUndefined();
    const debug = JSON.parse((await runCli(['check', '-f', 'json', '--debug'], { cwd: dir })).stdout);
    expect(debug.results[0].evidence.details.stack).toMatch(/scripted\.js/);
  });
});
