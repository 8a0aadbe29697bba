import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { displaySetting, evaluateSettings, settingNumber, type SettingsFacts, type SettingsExpectation } from '../../../checks/postgres/settings.js';
import { runCheck } from '../../support/run-check.js';
import { startTempPostgres, type TempPostgres } from '../../support/postgres-server.js';

const now = new Date('2026-01-10T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const facts = (over: Partial<SettingsFacts> = {}): SettingsFacts => ({
  settings: {
    max_connections: { name: 'max_connections', setting: '100', unit: null },
    ssl: { name: 'ssl', setting: 'on', unit: null },
    wal_level: { name: 'wal_level', setting: 'replica', unit: null },
    shared_buffers: { name: 'shared_buffers', setting: '16384', unit: '8kB' },
    statement_timeout: { name: 'statement_timeout', setting: '30000', unit: 'ms' },
    archive_mode: { name: 'archive_mode', setting: 'on', unit: null },
  },
  connections: 10,
  archiver: { archived_count: 50, last_archived_time: minutesAgo(5), failed_count: 0, last_failed_time: null },
  now,
  ...over,
});
const expectation = (over: Partial<SettingsExpectation> = {}): SettingsExpectation => ({
  expect: {}, connections_warn_above: 80, connections_fail_above: 95, archive_max_age: 3_600_000, ...over,
});

describe('postgres settings helpers', () => {
  it('converts settings with units', () => {
    expect(settingNumber('16384', '8kB')).toBe(128 * 1024 ** 2);
    expect(settingNumber('128MB', '8kB')).toBe(128 * 1024 ** 2);
    expect(settingNumber('30s', 'ms')).toBe(30_000);
    expect(settingNumber('5min', 's')).toBe(300_000);
    expect(settingNumber('30s', '8kB')).toBeUndefined();
    expect(displaySetting({ name: 'shared_buffers', setting: '16384', unit: '8kB' })).toBe('128MB');
    expect(displaySetting({ name: 'statement_timeout', setting: '30000', unit: 'ms' })).toBe('30s');
  });
});

describe('evaluateSettings', () => {
  it('passes settings that meet their expectations', () => {
    const v = evaluateSettings(facts(), expectation({ expect: { max_connections: '>= 100', ssl: true, wal_level: ['replica', 'logical'], shared_buffers: '>= 128MB' } }));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('max_connections=100');
  });
  it('fails with the actual and the expected value', () => {
    const v = evaluateSettings(facts(), expectation({ expect: { max_connections: '>= 200', shared_buffers: '>= 1GB', wal_level: 'logical', ssl: 'off' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('max_connections is 100, expected >= 200');
    expect(v.message).toContain('shared_buffers is 128MB, expected >= 1GB');
    expect(v.message).toContain('wal_level is replica, expected logical');
    expect(v.message).toContain('ssl is on, expected off');
  });
  it('errors on an unknown setting or an incomparable expectation', () => {
    expect(evaluateSettings(facts(), expectation({ expect: { max_conections: '>= 100' } })).message).toBe('unknown setting "max_conections" (not in pg_settings)');
    expect(evaluateSettings(facts(), expectation({ expect: { wal_level: '>= 3' } })).status).toBe('error');
  });
  it('fails a wrong setting even when another part could not be read, naming that part as unchecked', () => {
    const v = evaluateSettings(
      facts({ connections: undefined, unreadable: { connections: 'a query was cancelled after statement_timeout (5s)' } }),
      expectation({ expect: { max_connections: '>= 200', max_conections: '>= 1' } }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe('max_connections is 100, expected >= 200');
    expect(v.unchecked).toEqual(['unknown setting "max_conections" (not in pg_settings)', 'could not count the connections in use: a query was cancelled after statement_timeout (5s)']);
    const archiving = evaluateSettings(
      facts({ archiver: undefined, unreadable: { archiver: 'permission denied for view pg_stat_archiver' } }),
      expectation({ expect: { archive_mode: 'on', wal_level: 'logical' } }),
    );
    expect(archiving).toMatchObject({ status: 'fail', message: 'wal_level is replica, expected logical', unchecked: ['cannot read pg_stat_archiver: permission denied for view pg_stat_archiver'] });
  });
  it('warns and fails on connection headroom', () => {
    expect(evaluateSettings(facts({ connections: 85 }), expectation()).message).toBe('85 of 100 connections in use (85%), above 80%');
    expect(evaluateSettings(facts({ connections: 85 }), expectation()).status).toBe('warn');
    expect(evaluateSettings(facts({ connections: 97 }), expectation()).status).toBe('fail');
    expect(evaluateSettings(facts({ connections: 50 }), expectation()).status).toBe('pass');
  });
  it('checks archiving when archive_mode on is expected', () => {
    const exp = expectation({ expect: { archive_mode: 'on' } });
    expect(evaluateSettings(facts(), exp).status).toBe('pass');
    const failing = facts({ archiver: { archived_count: 50, last_archived_time: minutesAgo(120), failed_count: 7, last_failed_time: minutesAgo(1) } });
    expect(evaluateSettings(failing, exp).message).toBe('WAL archiving is failing: 7 failed attempt(s), last 60s ago, last success 2h ago');
    const never = facts({ archiver: { archived_count: 0, last_archived_time: null, failed_count: 0, last_failed_time: null } });
    expect(evaluateSettings(never, exp).message).toBe('WAL archiving is on but no WAL segment has been archived yet');
    const stale = facts({ archiver: { archived_count: 5, last_archived_time: minutesAgo(180), failed_count: 0, last_failed_time: null } });
    expect(evaluateSettings(stale, exp).status).toBe('warn');
    const off = facts();
    off.settings.archive_mode = { name: 'archive_mode', setting: 'off', unit: null };
    expect(evaluateSettings(off, exp).message).toBe('archive_mode is off, expected on');
    expect(evaluateSettings(off, expectation({ archiving: true })).message).toMatch(/^archive_mode is off, expected on \(WAL archiving/);
  });
  it('does not look at archiving unless asked', () => {
    const failing = facts({ archiver: { archived_count: 0, last_archived_time: null, failed_count: 3, last_failed_time: minutesAgo(1) } });
    expect(evaluateSettings(failing, expectation()).status).toBe('pass');
  });
});

describe('postgres.settings against real servers', () => {
  let srv: TempPostgres;
  const held: pg.Client[] = [];
  beforeAll(async () => {
    srv = await startTempPostgres({ settings: { archive_mode: 'on', archive_command: "'/bin/false'", wal_level: 'replica', max_connections: '20' } });
  });
  afterAll(async () => {
    await Promise.all(held.map((c) => c.end().catch(() => {})));
    await srv?.stop();
  });

  it('passes the machine server against checklist-like expectations', async () => {
    const v = await runCheck(check, { url: 'postgres://postgres@127.0.0.1:5432/postgres', expect: { max_connections: '>= 100', wal_level: ['replica', 'logical'] } });
    expect(v.status).toBe('pass');
  });

  it('fails the machine server when archive_mode and ssl are expected on', async () => {
    const v = await runCheck(check, { url: 'postgres://postgres@127.0.0.1:5432/postgres', expect: { archive_mode: 'on', ssl: 'on', max_connections: '>= 500' } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('archive_mode is off, expected on');
    expect(v.message).toContain('ssl is off, expected on');
    expect(v.message).toContain('max_connections is 100, expected >= 500');
  });

  it('fails when WAL archiving keeps failing (pg_stat_archiver)', async () => {
    await srv.exec('CREATE TABLE t AS SELECT generate_series(1, 1000) AS n');
    await srv.exec('SELECT pg_switch_wal()');
    for (let i = 0; i < 50; i++) {
      const { rows } = await srv.exec('SELECT failed_count FROM pg_stat_archiver');
      if (Number(rows[0].failed_count) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const v = await runCheck(check, { url: srv.url(), expect: { archive_mode: 'on' } });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^WAL archiving is failing: \d+ failed attempt\(s\), last \d+s ago, no WAL segment archived yet$/);
  });

  it('warns when connections approach max_connections', async () => {
    for (let i = 0; i < 16; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'postgres', database: 'postgres' });
      await c.connect();
      held.push(c);
    }
    const v = await runCheck(check, { url: srv.url() });
    expect(v.status).toBe('warn');
    expect(v.message).toMatch(/^1[78] of 20 connections in use \(\d+%\), above 80%$/);
    const strict = await runCheck(check, { url: srv.url(), connections_fail_above: 70 });
    expect(strict.status).toBe('fail');
  });

  it('errors when the server is down', async () => {
    const v = await runCheck(check, { url: 'postgres://postgres@127.0.0.1:1/postgres' });
    expect(v).toMatchObject({ status: 'error', message: 'connection refused at 127.0.0.1:1' });
  });
});
