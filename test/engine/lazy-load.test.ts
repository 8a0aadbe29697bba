// "Load only what runs": loading and validating a profile imports the check modules (metadata, parameter schemas)
// but none of their SDKs; a check imports its SDK when it runs. Checked on the built code (dist/) in a child
// process whose module resolve hook records every package it imports, so nothing here depends on timing (the
// start-up time itself is measured by `npm run bench`, bench/cold-start.mjs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const SDKS = ['stripe', 'pg', 'ioredis', 'nodemailer', '@aws-sdk/client-sesv2', 'better-sqlite3', 'undici', 'jose', '@sendgrid/client', '@peculiar/x509', 'tinyglobby'];

// Appends every bare specifier the process resolves (a package, not a relative path or a builtin) to the log file.
const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier)) appendFileSync(log, specifier + '\\n');
  return next(specifier, context);
}
`;

// Only dynamic imports, so that every import of the code under test passes through the hook.
const SCRIPT = `
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { register } from 'node:module';
const [dist, log] = process.argv.slice(2);
register('./hooks.mjs', import.meta.url, { data: { log } });
const phase = (name) => appendFileSync(log, '--- ' + name + '\\n');

const { loadProfile } = await import(dist + '/src/profile/load.js');
const { loadAllBuiltins } = await import(dist + '/src/engine/registry.js');
const { runChecks } = await import(dist + '/src/engine/runner.js');
const saas = await loadProfile('readiness.yaml', { env: {} });
const builtins = await loadAllBuiltins();

phase('run');
// A port nothing listens on: postgres.connect gets "connection refused" at once, after loading pg.
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
writeFileSync('db.yaml', 'version: 1\\nname: db\\nchecks:\\n  db.connect:\\n    type: postgres.connect\\n    with: { url: "postgres://app:secret@127.0.0.1:' + port + '/app", sslmode: disable }\\n');
const db = await loadProfile('db.yaml', { env: {} });
const { results } = await runChecks(db.checks, { concurrency: 1, env: {} });
console.log(JSON.stringify({ saasChecks: saas.checks.length, builtins: builtins.length, db: results[0].status, message: results[0].message }));
process.exit(0);
`;

const ofSdk = (specifier: string) => SDKS.find((sdk) => specifier === sdk || specifier.startsWith(`${sdk}/`));

describe('lazy loading of check SDKs', () => {
  it('loading and validating a profile that extends saas (and every built-in check module) imports no SDK; running a check imports its own', () => {
    const dir = tempProject({
      'readiness.yaml': 'version: 1\nname: t\nextends: [saas]\n',
      'hooks.mjs': HOOKS,
      'script.mjs': SCRIPT,
    });
    const log = join(dir, 'resolved.log');
    const child = spawnSync(process.execPath, ['script.mjs', pathToFileURL(join(ROOT, 'dist')).href, log], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const outcome = JSON.parse(child.stdout) as { saasChecks: number; builtins: number; db: string; message: string };
    expect(outcome.saasChecks).toBeGreaterThan(200);
    expect(outcome.builtins).toBeGreaterThan(40);
    expect(outcome.db).toBe('error');
    expect(outcome.message).toMatch(/refused/);

    const [loading, running] = readFileSync(log, 'utf8').split('--- run\n').map((part) => part.split('\n').filter(Boolean));
    expect(loading).toContain('zod'); // the hook saw the imports
    expect(loading.filter(ofSdk)).toEqual([]);
    expect(running.filter(ofSdk)).toEqual(['pg']);
  });
});
