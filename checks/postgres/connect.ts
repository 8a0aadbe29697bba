import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { compactEvidence, compareVersions, formatMs, parseVersion } from '../../src/db/compare.js';
import { dbErrorVerdict, describePgError, withReadOnlyPg, DbCheckError } from '../../src/db/pg.js';
import { pgConnectionParams, resolveDbTarget } from '../../src/db/target.js';
import { boolish, duration } from '../../src/params.js';

export interface ConnectFacts {
  /** `user@host:port/db`, no password. */
  label: string;
  /** server_version, e.g. `15.4 (Debian 15.4-1)`. */
  version: string;
  /** server_version_num, e.g. `150004`. */
  versionNum: string;
  tls?: { protocol: string | null; cipher?: string };
  connectMs: number;
  /** Undefined when the queries after connecting failed (see `queryError`). */
  roundTripMs?: number;
  /** Why the version / round-trip queries failed after the connection was made: those parts are not judged. */
  queryError?: string;
}

export interface ConnectExpectation {
  min_version: string;
  require_ssl: boolean;
  max_latency?: number;
}

export function evaluateConnect(facts: ConnectFacts, expect: ConnectExpectation): Verdict {
  const parts: Verdict[] = [];
  const actual = parseVersion(facts.versionNum) ?? parseVersion(facts.version);
  const wanted = parseVersion(expect.min_version);
  const shown = actual ? actual.join('.') : facts.version || '(unknown version)';
  if (!wanted) parts.push(error(`min_version "${expect.min_version}" is not a version number`));
  else if (facts.queryError && !facts.version) parts.push(error(`connected, but could not read the server version: ${facts.queryError}`));
  else if (!actual) parts.push(error(`cannot read the server version from "${facts.version}"`));
  else if (compareVersions(actual, wanted) < 0) {
    parts.push(fail(`server version ${shown} is below the required ${expect.min_version}`, undefined,
      `Upgrade PostgreSQL to ${expect.min_version} or later (pg_upgrade, or a new managed instance).`));
  }
  if (expect.require_ssl && !facts.tls) {
    parts.push(fail('connection is not encrypted: TLS is not in use but require_ssl is on', undefined,
      'Turn on ssl in postgresql.conf (with a certificate) and connect with sslmode=require or verify-full.'));
  } else if (facts.tls && /^TLSv1(\.[01])?$/.test(facts.tls.protocol ?? '')) {
    parts.push(warn(`connection uses outdated ${facts.tls.protocol}`, undefined));
  }
  if (facts.roundTripMs === undefined) {
    if (facts.version && facts.queryError) parts.push(error(`could not measure the round trip: ${facts.queryError}`));
  } else if (expect.max_latency !== undefined && facts.roundTripMs > expect.max_latency) {
    parts.push(warn(`round trip took ${formatMs(facts.roundTripMs)}, above ${formatMs(expect.max_latency)}`));
  }
  const tlsText = facts.tls ? `over ${facts.tls.protocol}` : 'without TLS';
  return combine(parts, `PostgreSQL ${shown} reachable as ${facts.label} ${tlsText}, round trip ${formatMs(facts.roundTripMs ?? 0)}`, compactEvidence({
    expected: { min_version: expect.min_version, require_ssl: expect.require_ssl, max_latency_ms: expect.max_latency },
    actual: { version: shown, tls: facts.tls?.protocol ?? false, round_trip_ms: facts.roundTripMs === undefined ? undefined : Math.round(facts.roundTripMs * 10) / 10 },
    details: { server_version: facts.version, cipher: facts.tls?.cipher, connect_ms: Math.round(facts.connectMs), target: facts.label },
  }));
}

export default defineCheck({
  meta: {
    type: 'postgres.connect',
    title: 'PostgreSQL is reachable',
    failureTitle: 'PostgreSQL is not reachable or not ready',
    description:
      'Connects and authenticates with the configured URL or fields, checks the server version (checklist: 14+) and, ' +
      'with require_ssl, that the connection is encrypted; reports the negotiated TLS protocol and the round-trip ' +
      'latency. Read-only: SELECTs inside a READ ONLY transaction.',
    remediation:
      'Check DATABASE_URL (host, port, user, password, database), that the server runs and accepts connections from ' +
      'this host (listen_addresses, pg_hba.conf, firewall), and that ssl is on when required.',
    docs: 'docs/checks.md#postgres-connect',
  },
  params: z
    .object({
      ...pgConnectionParams,
      min_version: z.union([z.string(), z.number()]).transform(String).default('14').describe('Lowest accepted server version (checklist: 14)'),
      require_ssl: boolish().default(false).describe('Fail unless the connection is encrypted (checklist, production: yes); implies sslmode=require unless sslmode says otherwise'),
      max_latency: duration().optional().describe('Warn when a round trip takes longer, e.g. 50ms'),
    })
    .strict(),
  async run(ctx) {
    const p = ctx.params;
    const { target, problem } = resolveDbTarget(p, ctx.env, ctx.baseDir, p.require_ssl ? 'require' : 'prefer');
    if (!target) return error(problem);
    if (target.kind === 'sqlite') return error('postgres.connect needs a PostgreSQL URL; this one is SQLite (use sqlite.schema / sqlite.rows for it)');
    try {
      const facts = await withReadOnlyPg(target, ctx, async (query, info): Promise<ConnectFacts> => {
        // Connected: the TLS of the connection is known, so a query failing now leaves only the version unjudged.
        const facts: ConnectFacts = { label: target.label, version: '', versionNum: '', tls: info.tls, connectMs: info.connectMs };
        try {
          const [row] = await query<{ num: string; version: string }>(
            "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version",
          );
          Object.assign(facts, { version: row.version, versionNum: row.num });
          const t0 = performance.now();
          await query('SELECT 1');
          facts.roundTripMs = performance.now() - t0;
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          facts.queryError = describePgError(err, target, ctx.timeoutMs, false, 'query').message;
        }
        return facts;
      });
      return evaluateConnect(facts, p);
    } catch (err) {
      if (err instanceof DbCheckError) {
        // The server answered and said no (credentials, database, TLS): a finding. Unreachable/timeout: could not check.
        return dbErrorVerdict(err.kind === 'auth' || err.kind === 'tls' ? 'fail' : 'error', err, { target: target.label, sslmode: target.sslmode });
      }
      return error(`unexpected failure: ${(err as Error)?.message ?? String(err)}`.split('\n')[0]);
    }
  },
});
