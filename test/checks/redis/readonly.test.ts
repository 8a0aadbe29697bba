// Proof that every redis.* check only reads: MONITOR records every command the server receives
// while the checks run, and none of them may write. MONITOR leaves out administrative commands
// (CONFIG, ACL), so INFO commandstats before/after adds the full list of commands executed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import auth from '../../../checks/redis/auth.js';
import config from '../../../checks/redis/config.js';
import connect from '../../../checks/redis/connect.js';
import { runCheck } from '../../support/run-check.js';
import { monitorRedis, REDIS_WRITE_COMMANDS, startTempRedis, type TempRedis } from '../../support/redis-server.js';

const PW = 'Mon-SECRET-pass-5151';

describe('redis.* checks are read-only', () => {
  let srv: TempRedis;
  beforeAll(async () => {
    srv = await startTempRedis({ password: PW, config: ['maxmemory 10mb', 'maxmemory-policy allkeys-lru'] });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('sends no write command (and no CONFIG other than GET)', async () => {
    const admin = srv.client(undefined, PW);
    await admin.connect();
    const stats = async () => Object.fromEntries(
      [...String(await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const before = await stats();
    const monitor = await monitorRedis(srv.port, PW);
    const url = srv.url(`:${PW}`);
    const logs: string[] = [];
    const verdicts = [
      await runCheck(connect, { url }, { logs }),
      await runCheck(auth, { url }, { logs }),
      await runCheck(config, { url, persistence: 'none' }, { logs }),
    ];
    const commands = await monitor.stop();
    const after = await stats();
    admin.disconnect();
    const executed = Object.keys(after).filter((name) => after[name] > (before[name] ?? 0)).sort();
    expect(verdicts.map((v) => v.status)).toEqual(['pass', 'pass', 'pass']);
    const names = commands.map((c) => c[0].toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['ping', 'info', 'auth']));
    expect(names.filter((n) => REDIS_WRITE_COMMANDS.has(n))).toEqual([]);
    // Everything the server executed meanwhile (checks + the monitor's own setup), admin commands included:
    expect(executed).toEqual(expect.arrayContaining(['config|get', 'acl|getuser', 'ping', 'info', 'auth']));
    const allowed = new Set(['config|get', 'acl|getuser', 'ping', 'info', 'auth', 'hello', 'echo', 'monitor', 'select']);
    expect(executed.filter((name) => !allowed.has(name))).toEqual([]);
    expect(JSON.stringify(verdicts) + logs.join('\n')).not.toContain(PW);
  });
});
