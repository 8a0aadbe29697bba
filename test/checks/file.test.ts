import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, {
  describeBits,
  evaluateFile,
  findLines,
  formatMode,
  looksSensitive,
  params,
  parseMode,
  parseSize,
  type FileFacts,
} from '../../checks/file.js';
import { makeTree, type FixtureTree } from '../support/files-fixtures.js';
import { runCheck } from '../support/run-check.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const parse = (raw: Record<string, unknown>) => params.parse(raw);

function file(over: Partial<FileFacts> = {}): FileFacts {
  return { display: 'app.conf', kind: 'file', mode: 0o600, uid: 1000, gid: 1000, user: 'deploy', groupName: 'deploy', size: 2048, mtimeMs: NOW - HOUR, ...over };
}

describe('parameter helpers', () => {
  it('parses octal modes however YAML delivered them', () => {
    expect(parseMode('0600')).toBe(0o600);
    expect(parseMode('600')).toBe(0o600);
    expect(parseMode('0o640')).toBe(0o640);
    expect(parseMode(600)).toBe(0o600); // YAML 1.2 reads unquoted 0600 as the number 600
    expect(parseMode('0800')).toBeUndefined();
    expect(parseMode('rw-------')).toBeUndefined();
    expect(formatMode(0o644)).toBe('0644');
    expect(formatMode(0o4755)).toBe('04755');
  });

  it('parses sizes in powers of 1024', () => {
    expect(parseSize(512)).toBe(512);
    expect(parseSize('10KB')).toBe(10240);
    expect(parseSize('1.5 MiB')).toBe(1572864);
    expect(parseSize('2g')).toBe(2 * 1024 ** 3);
    expect(parseSize('ten')).toBeUndefined();
    expect(parseSize('5 parsecs')).toBeUndefined();
  });

  it('names permission bits', () => {
    expect(describeBits(0o044)).toBe('group read, others read');
    expect(describeBits(0o002)).toBe('others write');
  });

  it('validates strictly', () => {
    expect(params.safeParse({}).success).toBe(false);
    expect(params.safeParse({ path: 'a', glob: 'b' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', mode: '0600' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', max_mode: '0900' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', exists: false, max_mode: '0600' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', kind: 'directory', contains: 'x' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', contains: '(' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', max_age: 'soon' }).success).toBe(false);
    expect(params.safeParse({ path: 'a', min_size: '2MB', max_size: '1MB' }).success).toBe(false);
    const ok = parse({ path: 'a', max_mode: '0600', max_age: '26h', min_size: '1KB', owner: '1000', exists: 'true' });
    expect(ok).toMatchObject({ max_mode: 0o600, max_age: 26 * HOUR, min_size: 1024, owner: 1000, exists: true });
  });
});

describe('sensitivity and line finding', () => {
  it('treats env files, keys and secret shapes as sensitive', () => {
    for (const name of ['.env', '.env.production', 'server.pem', 'jwt_private_key', 'api.key', 'id_rsa', 'credentials.json', '.pgpass']) {
      expect(looksSensitive(`/srv/${name}`)).toBe(true);
    }
    expect(looksSensitive('/etc/nginx/nginx.conf', 'worker_processes 2;')).toBe(false);
    expect(looksSensitive('/srv/app.yml', 'stripe: sk_live_abcdefghij123456')).toBe(true);
  });

  it('reports 1-based line numbers, one per line, with lines only when not sensitive', () => {
    const text = 'a=1\nDEBUG=true\nb=2\nDEBUG=true # again\n';
    expect(findLines(text, '^DEBUG=true', false)).toEqual({
      hits: [{ line: 2, text: 'DEBUG=true' }, { line: 4, text: 'DEBUG=true # again' }],
      total: 2,
    });
    expect(findLines(text, 'DEBUG', true)).toEqual({ hits: [{ line: 2 }, { line: 4 }], total: 2 });
    expect(findLines(text, 'nothing', false)).toEqual({ hits: [], total: 0 });
    expect(findLines('x\n\nx\n', '^', true)).toEqual({ hits: [{ line: 1 }, { line: 2 }, { line: 3 }, { line: 4 }], total: 4 });
    expect(findLines('no newline at end DEBUG', 'DEBUG', true)).toEqual({ hits: [{ line: 1 }], total: 1 });
  });

  it('stays fast on a large file with a match on every line', () => {
    const big = 'x=1\n'.repeat(500_000);
    const started = Date.now();
    const { hits, total } = findLines(big, 'x', false);
    expect(total).toBe(500_000);
    expect(hits).toHaveLength(5);
    expect(hits[4]).toEqual({ line: 5, text: 'x=1' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('redacts secret shapes in the lines it shows', () => {
    const { hits } = findLines('url = postgres://app:pw-planted@db/app\n', 'postgres', false);
    expect(hits[0].text).toBe('url = postgres://app:***@db/app');
  });
});

describe('evaluateFile', () => {
  const facts = (matches: FileFacts[], over: Record<string, unknown> = {}) => ({ target: 'app.conf', isGlob: false, matches, now: NOW, ...over });

  it('a pass names what was verified (content, owner), not only that the file exists', () => {
    const text = { text: 'node_modules/\ndist/\n.env\n', truncated: false };
    expect(evaluateFile(parse({ path: 'app.conf', contains: ['^dist/$'] }), facts([file({ content: text })])).message).toBe('app.conf exists: contains /^dist\/$/');
    expect(evaluateFile(parse({ path: 'app.conf', contains: ['^dist/$', '^\\.env$'], not_contains: ['sk_live_'] }), facts([file({ content: text })])).message).toBe(
      'app.conf exists: contains all 2 patterns, does not contain /sk_live_/',
    );
    expect(evaluateFile(parse({ path: 'app.conf', not_contains: ['a', 'b'], owner: '1000' }), facts([file({ content: { text: 'xyz', truncated: false } })])).message).toBe(
      'app.conf exists: owned by 1000, none of 2 forbidden patterns',
    );
  });

  it('says what to do about each problem: the chmod/chown command, the job to check, the lines to remove', () => {
    const unsafe = evaluateFile(parse({ path: 'my secrets.env', max_mode: '0600', owner: 'app', group: 'app' }), facts([file({ display: 'my secrets.env', mode: 0o644 })]));
    expect(unsafe.remediation).toBe("`chmod 0600 'my secrets.env'`; `chown app 'my secrets.env'`; `chgrp app 'my secrets.env'`");
    const stale = evaluateFile(parse({ glob: 'backups/*.gz', max_age: '26h' }), { target: 'backups/*.gz', isGlob: true, matches: [file({ display: 'backups/a.gz', mtimeMs: NOW - 72 * HOUR })], now: NOW });
    expect(stale.remediation).toBe('No new file matching backups/*.gz for 3d: check the job that should write it (cron/systemd timer, backup or log rotation) and its logs.');
    expect(evaluateFile(parse({ path: 'app.conf' }), facts([])).remediation).toBe("Create app.conf, or fix the path in the profile (relative paths start at the profile's directory).");
    const forbidden = evaluateFile(parse({ path: 'app.conf', not_contains: ['^DEBUG=true'] }), facts([file({ content: { text: 'A=1\nDEBUG=true\n', truncated: false } })]));
    expect(forbidden.remediation).toBe('Remove line 2 of app.conf.');
    expect(evaluateFile(parse({ path: 'app.conf', exists: false }), facts([file()])).remediation).toBe('Remove app.conf from the deployment (or stop whatever creates it).');
  });

  it('passes an existing file with nothing else asked', () => {
    expect(evaluateFile(parse({ path: 'app.conf' }), facts([file()]))).toMatchObject({ status: 'pass', message: 'app.conf exists' });
  });

  it('fails a missing file, and passes it when it must not exist', () => {
    expect(evaluateFile(parse({ path: 'app.conf' }), facts([]))).toMatchObject({ status: 'fail', message: 'app.conf does not exist' });
    expect(evaluateFile(parse({ path: 'app.conf', exists: false }), facts([])).status).toBe('pass');
    expect(evaluateFile(parse({ path: 'app.conf', exists: false }), facts([file()]))).toMatchObject({
      status: 'fail',
      message: 'app.conf exists but must not',
    });
  });

  it('errors when a path cannot be examined', () => {
    const v = evaluateFile(parse({ path: 'app.conf' }), facts([], { unreadable: [{ display: 'app.conf', error: 'no permission to read app.conf' }] }));
    expect(v).toMatchObject({ status: 'error', message: 'no permission to read app.conf' });
    expect(evaluateFile(parse({ path: 'app.conf', exists: false }), facts([], { unreadable: [{ display: 'x', error: 'no permission to read x' }] })).status).toBe('error');
  });

  it('checks the kind', () => {
    const v = evaluateFile(parse({ path: 'app.conf', kind: 'file' }), facts([file({ kind: 'directory' })]));
    expect(v).toMatchObject({ status: 'fail', message: 'app.conf is a directory, expected a file' });
  });

  it('fails a mode that grants more than allowed, naming the extra bits', () => {
    const p = parse({ path: 'app.conf', max_mode: '0600' });
    expect(evaluateFile(p, facts([file({ mode: 0o400 })])).status).toBe('pass');
    const v = evaluateFile(p, facts([file({ mode: 0o644 })]));
    expect(v).toMatchObject({ status: 'fail', message: 'app.conf has mode 0644, more permissive than 0600 (group read, others read)' });
    expect(v.evidence).toMatchObject({ expected: { max_mode: '0600' }, actual: { mode: '0644' } });
  });

  it('compares owner and group by name or id', () => {
    expect(evaluateFile(parse({ path: 'app.conf', owner: 'deploy', group: 1000 }), facts([file()])).status).toBe('pass');
    const v = evaluateFile(parse({ path: 'app.conf', owner: 'deploy', group: 'www-data' }), facts([file({ uid: 0, user: 'root' })]));
    expect(v.message).toBe('app.conf is owned by root (0), expected deploy; app.conf belongs to group deploy (1000), expected www-data');
  });

  it('checks the age of the newest glob match', () => {
    const p = parse({ glob: 'backups/*.sql.gz', max_age: '26h', min_size: '1KB' });
    const old = file({ display: 'backups/mon.sql.gz', mtimeMs: NOW - 50 * HOUR });
    const fresh = file({ display: 'backups/tue.sql.gz', mtimeMs: NOW - 2 * HOUR });
    const g = (m: FileFacts[]) => ({ target: 'backups/*.sql.gz', isGlob: true, matches: m, now: NOW });
    expect(evaluateFile(p, g([old, fresh]))).toMatchObject({ status: 'pass', message: '2 files match backups/*.sql.gz: newest modified 2h ago, 2 KiB' });
    expect(evaluateFile(p, g([old]))).toMatchObject({
      status: 'fail',
      message: 'newest match backups/mon.sql.gz is 2.1d old (must be younger than 26h)',
    });
    expect(evaluateFile(p, g([old, file({ display: 'backups/tue.sql.gz', mtimeMs: NOW - HOUR, size: 0 })])).message).toBe(
      'newest match backups/tue.sql.gz is 0 B, smaller than 1 KiB',
    );
    expect(evaluateFile(p, g([]))).toMatchObject({ status: 'fail', message: 'no file matches backups/*.sql.gz' });
  });

  it('lists what matches a glob that must match nothing', () => {
    const p = parse({ glob: '**/*.orig', exists: false });
    const v = evaluateFile(p, { target: '**/*.orig', isGlob: true, matches: [file({ display: 'a.orig' }), file({ display: 'b/c.orig' })], now: NOW });
    expect(v).toMatchObject({ status: 'fail', message: '2 paths match **/*.orig but none may exist: a.orig, b/c.orig' });
  });

  it('checks content with contains / not_contains', () => {
    const content = { text: 'server {\n  listen 443 ssl;\n  server_tokens on;\n}\n', truncated: false };
    const p = parse({ path: 'app.conf', contains: ['listen 443 ssl', '^\\s*ssl_protocols'], not_contains: 'server_tokens on' });
    const v = evaluateFile(p, facts([file({ content })]));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('app.conf does not contain /^\\s*ssl_protocols/; app.conf matches forbidden /server_tokens on/ on line 3');
    expect(JSON.stringify(v.evidence)).toContain('server_tokens on;');
  });

  it('never shows lines of sensitive files', () => {
    const content = { text: 'APP_ENV=production\nDEBUG=true\nJWT_SECRET=planted-jwt-secret-value\n', truncated: false };
    const p = parse({ path: '.env', not_contains: ['^DEBUG=true', '^JWT_SECRET=planted'] });
    const v = evaluateFile(p, { target: '.env', isGlob: false, matches: [file({ display: '.env', content })], now: NOW });
    expect(v.message).toBe('.env matches forbidden /^DEBUG=true/ on line 2; .env matches forbidden /^JWT_SECRET=planted/ on line 3');
    const text = JSON.stringify(v);
    expect(text).not.toContain('planted-jwt-secret-value');
    expect(text).not.toContain('DEBUG=true"'); // pattern shown, line not
  });

  it('says when content could not be read', () => {
    const p = parse({ path: 'app.conf', contains: 'x' });
    expect(evaluateFile(p, facts([file({ contentError: 'no permission to read app.conf' })]))).toMatchObject({
      status: 'error',
      message: 'no permission to read app.conf',
    });
  });

  it('cannot tell from a partly read large file that a pattern is absent: error, never pass or fail', () => {
    const big = (text: string) => facts([file({ display: 'big.log', content: { text, truncated: true } })]);
    expect(evaluateFile(parse({ path: 'big.log', contains: 'READY' }), big('x'))).toMatchObject({
      status: 'error',
      message: 'whether big.log contains /READY/: only the first 32 MiB of big.log were read',
    });
    expect(evaluateFile(parse({ path: 'big.log', not_contains: 'PANIC' }), big('x'))).toMatchObject({
      status: 'error',
      message: 'whether big.log contains forbidden /PANIC/ after the part read: only the first 32 MiB of big.log were read',
    });
    const found = evaluateFile(parse({ path: 'big.log', not_contains: 'PANIC', contains: 'READY' }), big('a\nPANIC\n'));
    expect(found).toMatchObject({ status: 'fail', message: 'big.log matches forbidden /PANIC/ on line 2' });
    expect(found.unchecked).toEqual(['whether big.log contains /READY/: only the first 32 MiB of big.log were read']);
  });

  it('fails a too permissive mode even when the content could not be read, naming the content as unchecked', () => {
    const p = parse({ path: 'app.conf', max_mode: '0600', contains: 'listen' });
    const v = evaluateFile(p, facts([file({ mode: 0o644, contentError: 'no permission to read app.conf' })]));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('app.conf has mode 0644, more permissive than 0600 (group read, others read)');
    expect(v.unchecked).toEqual(['no permission to read app.conf']);
    expect(v.remediation).toBe('`chmod 0600 app.conf`');
  });

  it('fails matches of a must-not-exist glob even when other matches could not be examined', () => {
    const p = parse({ glob: '**/*.orig', exists: false });
    const v = evaluateFile(p, { target: '**/*.orig', isGlob: true, matches: [file({ display: 'a.orig' })], unreadable: [{ display: 'b/c.orig', error: 'no permission to read b/c.orig' }], now: NOW });
    expect(v).toMatchObject({ status: 'fail', message: '1 path matches **/*.orig but none may exist: a.orig', unchecked: ['no permission to read b/c.orig'] });
  });

  it('does not call the newest readable glob match stale when another match could not be examined', () => {
    const p = parse({ glob: 'backups/*.sql.gz', max_age: '26h', max_mode: '0600' });
    const old = file({ display: 'backups/mon.sql.gz', mtimeMs: NOW - 50 * HOUR });
    const unreadable = [{ display: 'backups/tue.sql.gz', error: 'no permission to read backups/tue.sql.gz' }];
    const v = evaluateFile(p, { target: 'backups/*.sql.gz', isGlob: true, matches: [old], unreadable, now: NOW });
    expect(v.status).toBe('error');
    expect(v.message).toBe('no permission to read backups/tue.sql.gz (and 1 more)');
    const loose = evaluateFile(p, { target: 'backups/*.sql.gz', isGlob: true, matches: [{ ...old, mode: 0o644 }], unreadable, now: NOW });
    expect(loose.status).toBe('fail');
    expect(loose.message).toBe('backups/mon.sql.gz has mode 0644, more permissive than 0600 (group read, others read)');
    expect(loose.unchecked).toEqual([
      'no permission to read backups/tue.sql.gz',
      'newest match backups/mon.sql.gz is 2.1d old (must be younger than 26h), but 1 match could not be examined and may be newer',
    ]);
  });
});

describe('file check (I/O on a real tree)', () => {
  let tree: FixtureTree;
  const me = userInfo();
  beforeAll(async () => {
    tree = await makeTree({
      'keys/jwt_private.pem': { content: '-----BEGIN PRIVATE KEY-----\nMIIplantedkeymaterial\n-----END PRIVATE KEY-----\n', mode: 0o644 },
      'keys/jwt_public.pem': { content: 'public', mode: 0o600 },
      'backups/db-1.sql.gz': { content: Buffer.alloc(4096), ageMs: 72 * HOUR },
      'backups/db-2.sql.gz': { content: Buffer.alloc(4096), ageMs: 3 * HOUR },
      'backups/db-3.sql.gz': { content: Buffer.alloc(10), ageMs: 50 * HOUR },
      'config/app.yml': { content: 'debug: false\nlog_level: info\n' },
      '.env.production': { content: 'DEBUG=true\nSECRET_KEY=planted-env-secret\n', mode: 0o640 },
      'logs/': {},
    });
  });
  afterAll(async () => {
    await tree.cleanup();
  });

  const run = (raw: Record<string, unknown>) => runCheck(check, raw, { baseDir: tree.dir });

  it('fails a world-readable private key without printing it', async () => {
    const v = await run({ path: 'keys/jwt_private.pem', kind: 'file', max_mode: '0600', owner: me.username });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('keys/jwt_private.pem has mode 0644, more permissive than 0600 (group read, others read)');
    expect(JSON.stringify(v)).not.toContain('planted');
  });

  it('passes a key with a safe mode, owner by name and uid', async () => {
    expect((await run({ path: 'keys/jwt_public.pem', max_mode: 600, owner: me.username })).status).toBe('pass');
    expect((await run({ path: 'keys/jwt_public.pem', owner: me.uid })).status).toBe('pass');
    const v = await run({ path: 'keys/jwt_public.pem', owner: 54321 });
    expect(v.message).toMatch(/^keys\/jwt_public\.pem is owned by .*, expected 54321$/);
  });

  it('checks the newest backup matched by a glob', async () => {
    const ok = await run({ glob: 'backups/db-*.sql.gz', max_age: '26h', min_size: '1KB' });
    expect(ok).toMatchObject({ status: 'pass' });
    expect(ok.message).toMatch(/^3 files match backups\/db-\*\.sql\.gz: newest modified 3h ago, 4 KiB$/);
    expect(ok.evidence?.details).toMatchObject({ newest: 'backups/db-2.sql.gz' });
    const stale = await run({ glob: 'backups/db-*.sql.gz', max_age: '1h' });
    expect(stale.message).toBe('newest match backups/db-2.sql.gz is 3h old (must be younger than 1h)');
  });

  it('accepts an absolute glob', async () => {
    const v = await runCheck(check, { glob: `${tree.dir}/backups/*.gz` }, { baseDir: '/' });
    expect(v.message).toMatch(/^3 files match /);
  });

  it('fails when nothing matches, and when something matches that must not', async () => {
    expect(await run({ glob: 'backups/*.dump' })).toMatchObject({ status: 'fail', message: 'no file matches backups/*.dump' });
    expect(await run({ glob: '**/.env*', exists: false })).toMatchObject({
      status: 'fail',
      message: '1 path matches **/.env* but none may exist: .env.production',
    });
    expect((await run({ path: 'config/missing.yml', exists: false })).status).toBe('pass');
    expect(await run({ glob: 'k*', exists: false })).toMatchObject({ status: 'fail', message: '1 path matches k* but none may exist: keys' });
  });

  it('checks kind for directories and globs of directories', async () => {
    expect((await run({ path: 'logs', kind: 'directory' })).status).toBe('pass');
    expect((await run({ path: 'logs', kind: 'file' })).message).toBe('logs is a directory, expected a file');
    expect((await run({ glob: '*', kind: 'directory' })).message).toBe('4 directories match *: is a directory');
  });

  it('checks content, hiding lines of a sensitive file', async () => {
    const v = await run({ path: '.env.production', not_contains: ['^DEBUG=true', 'SECRET_KEY=planted'], max_mode: '0600' });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      '.env.production has mode 0640, more permissive than 0600 (group read); .env.production matches forbidden /^DEBUG=true/ on line 1; ' +
        '.env.production matches forbidden /SECRET_KEY=planted/ on line 2',
    );
    expect(JSON.stringify(v)).not.toContain('planted-env-secret');
    expect((await run({ path: 'config/app.yml', contains: '^debug: false$', not_contains: '^debug: true' })).status).toBe('pass');
  });

  it('fails when asked for content of a missing file', async () => {
    expect(await run({ path: 'config/none.yml', contains: 'x' })).toMatchObject({ status: 'fail', message: 'config/none.yml does not exist' });
  });
});
