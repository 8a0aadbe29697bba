// Real Redis for tests: throwaway redis-server instances (own port, no persistence files) with
// requirepass / ACL users / maxmemory, and a MONITOR recorder for the read-only proof.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './postgres-server.js';

export interface TempRedisOptions {
  /** requirepass (password of the `default` user). */
  password?: string;
  /** ACL lines, e.g. `user app on >secret ~* &* +@all`. */
  users?: string[];
  /** Extra redis.conf lines, e.g. `maxmemory 10mb`. */
  config?: string[];
  /** TLS only: the port speaks TLS (tls-port) with a self-signed certificate for CN=localhost made by openssl. */
  tls?: boolean;
}

export interface TempRedis {
  port: number;
  /** With `tls`: the self-signed server certificate (PEM), to trust through NODE_EXTRA_CA_CERTS. */
  certFile?: string;
  url(auth?: string): string;
  /** A client for test setup/inspection, authenticated as given. */
  client(username?: string, password?: string): Redis;
  stop(): Promise<void>;
}

export const MACHINE_REDIS = { host: '127.0.0.1', port: 6379 };

export async function startTempRedis(options: TempRedisOptions = {}): Promise<TempRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('redis-server is not on PATH: install it (apt-get install redis-server) to run the Redis tests');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'readiness-redis-'));
  const port = await freePort();
  const tlsConf: string[] = [];
  if (options.tls) {
    const [cert, key] = [path.join(dir, 'server.crt'), path.join(dir, 'server.key')];
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
    if (made.status !== 0) throw new Error(`openssl could not make a test certificate (apt-get install openssl): ${String(made.stderr)}`);
    tlsConf.push('port 0', `tls-port ${port}`, `tls-cert-file ${cert}`, `tls-key-file ${key}`, 'tls-auth-clients no');
  }
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    'loglevel warning',
    'logfile ""',
    ...(options.password ? [`requirepass ${options.password}`] : []),
    ...(options.users ?? []),
    ...(options.config ?? []),
    ...tlsConf,
  ];
  const confFile = path.join(dir, 'redis.conf');
  writeFileSync(confFile, conf.join('\n') + '\n');
  const proc: ChildProcess = spawn('redis-server', [confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => { stderr += String(d); });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}): ${stderr}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    certFile: options.tls ? path.join(dir, 'server.crt') : undefined,
    url: (auth) => `redis://${auth ? `${auth}@` : ''}127.0.0.1:${port}`,
    client: (username, password) => new Redis({ host: '127.0.0.1', port, username, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }),
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Commands that write data or configuration; none may appear while a read-only check runs. */
export const REDIS_WRITE_COMMANDS = new Set([
  'set', 'setex', 'psetex', 'setnx', 'setrange', 'mset', 'msetnx', 'append', 'getset', 'getdel', 'getex', 'incr', 'incrby', 'incrbyfloat',
  'decr', 'decrby', 'del', 'unlink', 'expire', 'pexpire', 'expireat', 'pexpireat', 'persist', 'rename', 'renamenx', 'move', 'copy',
  'lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'lset', 'linsert', 'lrem', 'ltrim', 'lmove', 'blmove', 'rpoplpush',
  'sadd', 'srem', 'spop', 'smove', 'sinterstore', 'sunionstore', 'sdiffstore', 'zadd', 'zrem', 'zincrby', 'zpopmin', 'zpopmax',
  'zremrangebyscore', 'zremrangebyrank', 'zremrangebylex', 'zunionstore', 'zinterstore', 'zdiffstore', 'zrangestore',
  'hset', 'hsetnx', 'hmset', 'hdel', 'hincrby', 'hincrbyfloat', 'xadd', 'xdel', 'xtrim', 'xgroup', 'xack', 'xclaim', 'xautoclaim',
  'pfadd', 'pfmerge', 'geoadd', 'georadius', 'georadiusbymember', 'geosearchstore', 'setbit', 'bitop', 'bitfield', 'restore',
  'flushdb', 'flushall', 'swapdb', 'eval', 'evalsha', 'fcall', 'function', 'script', 'publish', 'save', 'bgsave', 'bgrewriteaof',
  'shutdown', 'debug', 'migrate', 'replicaof', 'slaveof', 'failover', 'module',
]);

/** Records every command the server receives (MONITOR) until stop() returns them. */
export async function monitorRedis(port: number, password?: string): Promise<{ stop(): Promise<string[][]> }> {
  const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await client.connect();
  const monitor = await client.monitor();
  const commands: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.map(String)));
  // MONITOR starts asynchronously; a marker PING from another connection proves it is listening.
  const marker = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await marker.connect();
  for (let i = 0; i < 50 && !commands.some((c) => c[0]?.toLowerCase() === 'echo' && c[1] === 'monitor-ready'); i++) {
    await marker.echo('monitor-ready');
    await new Promise((r) => setTimeout(r, 20));
  }
  marker.disconnect();
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 100));
      monitor.disconnect();
      client.disconnect();
      return commands.filter((c) => !(c[0]?.toLowerCase() === 'echo' && c[1] === 'monitor-ready'));
    },
  };
}
