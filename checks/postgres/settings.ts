import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { compactEvidence, describeExpectation, formatMs, meetsExpectation, parseExpectation } from '../../src/db/compare.js';
import { DbCheckError, dbErrorVerdict, describePgError, withReadOnlyPg } from '../../src/db/pg.js';
import { pgConnectionParams, resolveDbTarget } from '../../src/db/target.js';
import { boolish, duration, numberish } from '../../src/params.js';

export interface PgSetting {
  name: string;
  setting: string;
  /** pg_settings.unit: `8kB`, `kB`, `MB`, `ms`, `s`, `min` or null. */
  unit: string | null;
}

export interface ArchiverFacts {
  archived_count: number;
  last_archived_time: Date | null;
  failed_count: number;
  last_failed_time: Date | null;
}

export interface SettingsFacts {
  settings: Record<string, PgSetting>;
  /** Client connections open now (pg_stat_activity); undefined when it could not be read. */
  connections?: number;
  archiver?: ArchiverFacts;
  now: Date;
  /** Why a part could not be read (the settings themselves were): then that part is not judged. */
  unreadable?: { connections?: string; archiver?: string };
}

type ExpectValue = string | number | boolean | (string | number | boolean)[];

export interface SettingsExpectation {
  expect: Record<string, ExpectValue>;
  connections_warn_above: number;
  connections_fail_above: number;
  /** undefined = only when `expect` asks for archive_mode on. */
  archiving?: boolean;
  archive_max_age: number;
}

const MEMORY: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const TIME: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** The size of one unit of a pg_settings unit (`8kB` → 8192 bytes, `min` → 60000 ms) and its kind. */
function unitScale(unit: string | null): { scale: number; kind: 'memory' | 'time' } | undefined {
  if (!unit) return undefined;
  const m = /^(\d+)?\s*([a-z]+)$/i.exec(unit);
  if (!m) return undefined;
  const factor = Number(m[1] ?? 1);
  const name = m[2].toLowerCase();
  if (name in MEMORY) return { scale: factor * MEMORY[name], kind: 'memory' };
  if (name in TIME) return { scale: factor * TIME[name], kind: 'time' };
  return undefined;
}

/** `128MB`, `1GB`, `30s`, `5min` or a bare number in the setting's own unit → bytes / ms / number. */
export function settingNumber(text: string, unit: string | null): number | undefined {
  const base = unitScale(unit);
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const suffix = m[2].toLowerCase();
  if (!suffix) return base ? value * base.scale : value;
  if (base?.kind === 'memory' && suffix in MEMORY) return value * MEMORY[suffix];
  if (base?.kind === 'time' && suffix in TIME) return value * TIME[suffix];
  return undefined;
}

/** A setting as people write it: `128MB`, `30s`, `on`. */
export function displaySetting(s: PgSetting): string {
  const base = unitScale(s.unit);
  const n = Number(s.setting);
  if (!base || !Number.isFinite(n) || n < 0) return s.setting;
  const value = n * base.scale;
  if (base.kind === 'time') return formatMs(value);
  for (const [name, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024]] as const) {
    if (value >= size && value % size === 0) return `${value / size}${name}`;
  }
  return `${value}B`;
}

const ON = /^(on|true|yes|1|always)$/i;

function ago(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)}h`;
  return `${Math.round(ms / 86_400_000)}d`;
}

export function evaluateSettings(facts: SettingsFacts, expect: SettingsExpectation): Verdict {
  const parts: Verdict[] = [];
  const actualShown: Record<string, string> = {};
  for (const [name, raw] of Object.entries(expect.expect)) {
    const s = facts.settings[name];
    if (!s) {
      parts.push(error(`unknown setting "${name}" (not in pg_settings)`));
      continue;
    }
    const e = parseExpectation(raw);
    const shown = displaySetting(s);
    actualShown[name] = shown;
    const ok = meetsExpectation(s.setting, e, (text) => settingNumber(text, s.unit));
    if (ok === undefined) parts.push(error(`cannot compare ${name} = ${shown} with ${describeExpectation(e)}`));
    else if (!ok) parts.push(fail(`${name} is ${shown}, expected ${describeExpectation(e)}`));
  }

  const max = Number(facts.settings.max_connections?.setting);
  const details: Record<string, unknown> = {};
  if (facts.connections === undefined) {
    parts.push(error(`could not count the connections in use${facts.unreadable?.connections ? `: ${facts.unreadable.connections}` : ''}`));
  } else if (Number.isFinite(max) && max > 0) {
    const pct = (facts.connections / max) * 100;
    details.connections = { in_use: facts.connections, max_connections: max, percent: Math.round(pct * 10) / 10 };
    const text = `${facts.connections} of ${max} connections in use (${Math.round(pct)}%)`;
    if (pct > expect.connections_fail_above) {
      parts.push(fail(`${text}, above ${expect.connections_fail_above}%`, undefined,
        'Put a connection pooler (PgBouncer, the application pool) in front, lower pool sizes, or raise max_connections.'));
    } else if (pct > expect.connections_warn_above) {
      parts.push(warn(`${text}, above ${expect.connections_warn_above}%`));
    }
  }

  const modeExpectation = expect.expect.archive_mode;
  const archivingExpected = expect.archiving ?? (modeExpectation !== undefined && meetsExpectation('on', parseExpectation(modeExpectation)) === true);
  if (archivingExpected) {
    const mode = facts.settings.archive_mode?.setting ?? 'off';
    const a = facts.archiver;
    if (!ON.test(mode)) {
      if (modeExpectation === undefined) parts.push(fail(`archive_mode is ${mode}, expected on (WAL archiving for point-in-time recovery)`));
    } else if (!a) {
      parts.push(error(`cannot read pg_stat_archiver${facts.unreadable?.archiver ? `: ${facts.unreadable.archiver}` : ''}`));
    } else {
      details.archiver = {
        archived_count: a.archived_count,
        last_archived_time: a.last_archived_time?.toISOString() ?? null,
        failed_count: a.failed_count,
        last_failed_time: a.last_failed_time?.toISOString() ?? null,
      };
      const lastOk = a.last_archived_time?.getTime();
      const lastFail = a.last_failed_time?.getTime();
      if (lastFail !== undefined && (lastOk === undefined || lastFail > lastOk)) {
        parts.push(fail(`WAL archiving is failing: ${a.failed_count} failed attempt(s), last ${ago(facts.now.getTime() - lastFail)} ago, ` +
          (lastOk === undefined ? 'no WAL segment archived yet' : `last success ${ago(facts.now.getTime() - lastOk)} ago`), undefined,
          'Check archive_command (or the backup agent: pgBackRest, WAL-G) in the server log; failed archiving also fills the disk with WAL.'));
      } else if (lastOk === undefined) {
        parts.push(fail('WAL archiving is on but no WAL segment has been archived yet', undefined,
          'Check archive_command and the server log; force a segment switch (SELECT pg_switch_wal()) to test it.'));
      } else if (facts.now.getTime() - lastOk > expect.archive_max_age) {
        parts.push(warn(`last WAL segment archived ${ago(facts.now.getTime() - lastOk)} ago, expected within ${formatMs(expect.archive_max_age)} (set archive_timeout so idle databases still archive)`));
      }
    }
  }

  const expectedShown = Object.fromEntries(Object.entries(expect.expect).map(([k, v]) => [k, describeExpectation(parseExpectation(v))]));
  const summary = Object.entries(actualShown).slice(0, 4).map(([k, v]) => `${k}=${v}`).join(', ');
  return combine(parts, `server settings as expected${summary ? ` (${summary}${Object.keys(actualShown).length > 4 ? ', …' : ''})` : ''}`, compactEvidence({
    expected: { settings: expectedShown, connections_warn_above: expect.connections_warn_above, archiving: archivingExpected },
    actual: { settings: actualShown },
    details,
  }));
}

const expectValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);

export default defineCheck({
  meta: {
    type: 'postgres.settings',
    title: 'PostgreSQL settings are production-ready',
    failureTitle: 'PostgreSQL settings need attention',
    description:
      'Compares server settings with expectations (max_connections >= 100, ssl = on, wal_level = replica, ' +
      'archive_mode = on for point-in-time recovery…), checks connection headroom (connections in use vs ' +
      'max_connections) and, when archiving is expected, WAL archiving health from pg_stat_archiver. Read-only.',
    remediation:
      'Change the settings in postgresql.conf (or the managed service\'s parameter group) and restart/reload; ' +
      'see the message for the actual and expected values.',
    docs: 'docs/checks.md#postgres-settings',
  },
  params: z
    .object({
      ...pgConnectionParams,
      expect: z
        .record(z.string(), expectValue)
        .default({})
        .describe('Setting → expectation: `max_connections: ">= 100"`, `ssl: on`, `wal_level: [replica, logical]`, `shared_buffers: ">= 128MB"`'),
      connections_warn_above: numberish().default(80).describe('Warn when more than this percentage of max_connections is in use'),
      connections_fail_above: numberish().default(95).describe('Fail when more than this percentage of max_connections is in use'),
      archiving: boolish().optional().describe('Check WAL archiving health (default: when `expect` asks for archive_mode on)'),
      archive_max_age: duration().default(3_600_000).describe('Warn when the last archived WAL segment is older than this (default 1h)'),
    })
    .strict(),
  async run(ctx) {
    const p = ctx.params;
    const { target, problem } = resolveDbTarget(p, ctx.env, ctx.baseDir);
    if (!target) return error(problem);
    if (target.kind === 'sqlite') return error('postgres.settings needs a PostgreSQL URL; this one is SQLite');
    try {
      const facts = await withReadOnlyPg(target, ctx, async (query): Promise<SettingsFacts> => {
        const names = [...new Set([...Object.keys(p.expect), 'max_connections', 'archive_mode'])];
        const rows = await query<{ name: string; setting: string; unit: string | null }>(
          'SELECT name, setting, unit FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])', [names]);
        const out: SettingsFacts = { settings: Object.fromEntries(rows.map((r) => [r.name, r])), now: new Date(), unreadable: {} };
        // The settings are read: a later query that fails leaves only its own part unjudged (a savepoint keeps
        // the transaction usable for the next one).
        const part = async <T>(what: 'connections' | 'archiver', fn: () => Promise<T>): Promise<T | undefined> => {
          await query('SAVEPOINT readiness_part');
          try {
            const value = await fn();
            await query('RELEASE SAVEPOINT readiness_part');
            return value;
          } catch (err) {
            if (ctx.signal.aborted) throw err;
            out.unreadable![what] = describePgError(err, target, ctx.timeoutMs, false, 'query').message;
            await query('ROLLBACK TO SAVEPOINT readiness_part');
            return undefined;
          }
        };
        out.connections = await part('connections', async () =>
          Number((await query<{ n: string }>("SELECT count(*) AS n FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'"))[0].n));
        const archiver = await part('archiver', async () =>
          (await query<{ archived_count: string; last_archived_time: Date | null; failed_count: string; last_failed_time: Date | null; now: Date }>(
            'SELECT archived_count, last_archived_time, failed_count, last_failed_time, now() AS now FROM pg_catalog.pg_stat_archiver'))[0]);
        if (archiver) {
          out.archiver = {
            archived_count: Number(archiver.archived_count),
            last_archived_time: archiver.last_archived_time,
            failed_count: Number(archiver.failed_count),
            last_failed_time: archiver.last_failed_time,
          };
          out.now = archiver.now ?? out.now;
        }
        return out;
      });
      ctx.log.debug(`postgres: read ${Object.keys(facts.settings).length} settings from ${target.label}`);
      return evaluateSettings(facts, p);
    } catch (err) {
      return err instanceof DbCheckError ? dbErrorVerdict('error', err, { target: target.label }) : error(`unexpected failure: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    }
  },
});
