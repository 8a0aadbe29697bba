import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { error, fail, failAndUnchecked, notOptedIn, type CheckType, type Verdict } from '../../src/check.js';
import { runChecks, type RunOptions } from '../../src/engine/runner.js';
import { makeRedactor } from '../../src/redact.js';
import type { ResolvedCheck } from '../../src/profile/load.js';

type Behaviour = (signal: AbortSignal, attempt: number) => Promise<Verdict>;

function checkOf(id: string, behaviour: Behaviour, extra: Partial<ResolvedCheck> = {}): ResolvedCheck {
  let attempt = 0;
  const check: CheckType = {
    meta: { type: 'test.behaviour', title: `${id} ok`, failureTitle: `${id} broken`, description: 'd', remediation: 'fix it', docs: 'x' },
    params: z.object({}),
    run: ({ signal }) => behaviour(signal, ++attempt),
  };
  return { id, type: 'test.behaviour', check, section: 'S', severity: 'critical', tags: [], needs: [], timeoutMs: 5000, retries: 0, envProblems: [], defaultsUsed: [], covers: [], baseDir: '.', params: {}, ...extra };
}

const verdict = (status: Verdict['status'], message: string = status): Behaviour => async () => ({ status, message });
const delayed = (ms: number, status: Verdict['status'] = 'pass'): Behaviour => (signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ status, message: `after ${ms}ms` }), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });
const never: Behaviour = () => new Promise(() => {});

const base: RunOptions = { concurrency: 4, env: {}, retryDelayMs: () => 1 };

describe('runChecks', () => {
  it('runs checks concurrently up to the limit', async () => {
    let running = 0;
    let peak = 0;
    const tracked: Behaviour = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return { status: 'pass', message: 'ok' };
    };
    const checks = Array.from({ length: 10 }, (_, i) => checkOf(`c${i}`, tracked));
    const { results } = await runChecks(checks, { ...base, concurrency: 3 });
    expect(results.every((r) => r.status === 'pass')).toBe(true);
    expect(peak).toBe(3);
  });

  it('keeps profile order in the results; the title is stable and the failure title is apart', async () => {
    const { results } = await runChecks([checkOf('slow', delayed(30)), checkOf('fast', verdict('fail', 'nope')), checkOf('named', verdict('fail'), { title: 'Backups run' })], base);
    expect(results.map((r) => [r.id, r.status, r.title, r.failureTitle])).toEqual([
      ['slow', 'pass', 'slow ok', undefined],
      ['fast', 'fail', 'fast ok', 'fast broken'],
      ['named', 'fail', 'Backups run', undefined],
    ]);
    expect(results[1].remediation).toBe('fix it');
    expect(results[0].remediation).toBeUndefined();
  });

  it("remediation: the profile's advice wins for a fail, the check's could-not-check advice for an error", async () => {
    const advised = (status: Verdict['status']): Behaviour => async () => ({ status, message: status, remediation: `check says (${status})` });
    const own = { remediation: 'run backup.sh on db-1' };
    const { results } = await runChecks(
      [
        checkOf('fail.profile', advised('fail'), own),
        checkOf('error.profile', advised('error'), own),
        checkOf('fail.check', advised('fail')),
        checkOf('fail.type', verdict('fail')),
        checkOf('error.type', verdict('error'), own),
        checkOf('env', verdict('pass'), { ...own, params: undefined, envProblems: [{ path: 'with.url', variable: 'DB_URL', message: 'DB_URL is not set' }] }),
      ],
      base,
    );
    expect(Object.fromEntries(results.map((r) => [r.id, r.remediation]))).toEqual({
      'fail.profile': 'run backup.sh on db-1',
      'error.profile': 'check says (error)',
      'fail.check': 'check says (fail)',
      'fail.type': 'fix it',
      'error.type': 'run backup.sh on db-1',
      env: expect.stringMatching(/^Set DB_URL in the environment/),
    });
  });

  it('runs a check after what it needs, and skips it as blocked when a need did not pass', async () => {
    const order: string[] = [];
    const record = (id: string, status: Verdict['status']): Behaviour => async () => {
      order.push(id);
      return { status, message: id };
    };
    const checks = [
      checkOf('dependent', record('dependent', 'pass'), { needs: ['base'] }),
      checkOf('base', async () => {
        await new Promise((r) => setTimeout(r, 20));
        order.push('base');
        return { status: 'warn', message: 'meh' };
      }),
      checkOf('broken', record('broken', 'error')),
      checkOf('blocked', record('blocked', 'pass'), { needs: ['broken'] }),
      checkOf('transitively', record('transitively', 'pass'), { needs: ['blocked'] }),
    ];
    const { results } = await runChecks(checks, base);
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(order.indexOf('base')).toBeLessThan(order.indexOf('dependent'));
    expect(byId.dependent.status).toBe('pass');
    expect(byId.blocked).toMatchObject({
      status: 'skip',
      message: 'blocked by broken (could not check: broken)',
      skip: { kind: 'blocked', detail: 'blocked by broken (could not check: broken)', blockedBy: ['broken'] },
    });
    // The chain names the root cause.
    expect(byId.transitively).toMatchObject({
      status: 'skip',
      skip: { kind: 'blocked', detail: 'blocked by blocked (not run: blocked by broken (could not check: broken))', blockedBy: ['blocked'] },
    });
    expect(order).not.toContain('blocked');
  });

  it('ends a check that ignores its abort signal at its timeout, as an error', async () => {
    const started = Date.now();
    const { results } = await runChecks([checkOf('hung', never, { timeoutMs: 100 }), checkOf('fine', verdict('pass'))], { ...base, timeoutGraceMs: 50 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(results[0]).toMatchObject({ status: 'error', message: 'timed out after 100ms' });
    expect(results[1].status).toBe('pass');
  });

  it('at its timeout a check that honours its signal still gives its own verdict (naming where it hung)', async () => {
    const ownWords: Behaviour = (signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => setTimeout(() => resolve({ status: 'error', message: '127.0.0.1:9 did not answer within 100ms (waiting for the response)', remediation: 'check the route' }), 20));
      });
    const started = Date.now();
    const { results } = await runChecks([checkOf('hung', ownWords, { timeoutMs: 100 })], base);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results[0]).toMatchObject({ status: 'error', message: '127.0.0.1:9 did not answer within 100ms (waiting for the response)', remediation: 'check the route' });
  });

  it("a check that ignores its signal ends after a short grace, with advice on reaching the system (never the type's advice)", async () => {
    const started = Date.now();
    const { results } = await runChecks([checkOf('hung', never, { timeoutMs: 100 })], { ...base, timeoutGraceMs: 200 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(results[0]).toMatchObject({ status: 'error', message: 'timed out after 100ms' });
    expect(results[0].remediation).toMatch(/did not finish within its timeout \(100ms\): check that this host can reach/);
    expect(results[0].remediation).not.toBe('fix it');
  });

  it('scrubs every verdict and log line with the one redactor; a check registers the secrets it holds', async () => {
    const redactor = makeRedactor({ API_TOKEN: 'env-token-123456' });
    const lines: string[] = [];
    const leaky: CheckType = {
      meta: { type: 'test.leaky', title: 't', failureTitle: 'f', description: 'd', remediation: 'r', docs: 'x' },
      params: z.object({}),
      run: async (ctx) => {
        ctx.addSecret('received-session-987', 'svc');
        ctx.log.debug('sent env-token-123456 and got received-session-987');
        return { status: 'fail', message: `server echoed ${Buffer.from('svc:received-session-987').toString('base64')}`, evidence: { actual: 'env-token-123456' }, remediation: 'rotate received-session-987' };
      },
    };
    const check = { ...checkOf('leaky', verdict('pass')), check: leaky };
    const { results } = await runChecks([check], { ...base, redactor, log: (_id, line) => lines.push(line) });
    const all = JSON.stringify(results) + lines.join('\n');
    expect(all).not.toContain('received-session-987');
    expect(all).not.toContain('env-token-123456');
    expect(all).not.toContain(Buffer.from('svc:received-session-987').toString('base64'));
    expect(results[0].message).toBe('server echoed [redacted]');
    expect(lines).toEqual(['sent [redacted] and got [redacted]']);
  });

  it('turns a thrown exception or a non-verdict into an error result', async () => {
    const { results } = await runChecks(
      [
        checkOf('throws', async () => {
          throw new Error('socket hang up\n    at stack line');
        }),
        checkOf('garbage', async () => 42 as unknown as Verdict),
      ],
      base,
    );
    expect(results[0]).toMatchObject({ status: 'error', message: 'check crashed: socket hang up' });
    expect(results[1]).toMatchObject({ status: 'error', message: expect.stringMatching(/no valid verdict/) });
  });

  it('retries a failing check and says when it passed on a later attempt', async () => {
    const flaky: Behaviour = async (_signal, attempt) => (attempt < 3 ? { status: 'fail', message: 'down' } : { status: 'pass', message: 'up' });
    const { results } = await runChecks([checkOf('flaky', flaky, { retries: 2 }), checkOf('hopeless', verdict('fail', 'down'), { retries: 1 })], base);
    expect(results[0]).toMatchObject({ status: 'pass', message: 'up (passed on attempt 3 of 3)', attempts: 3 });
    expect(results[1]).toMatchObject({ status: 'fail', attempts: 2 });
  });

  it('--timeout replaces every check timeout', async () => {
    const { results } = await runChecks([checkOf('slow', delayed(2000), { timeoutMs: 10_000 })], { ...base, timeoutMs: 50 });
    expect(results[0]).toMatchObject({ status: 'error', message: 'timed out after 50ms' });
  });

  it('stops at the run deadline: running and pending checks reach no verdict (skip kind deadline)', async () => {
    const checks = [checkOf('a', delayed(5000)), checkOf('b', delayed(5000)), checkOf('c', verdict('pass'), { needs: ['a'] }), checkOf('d', verdict('pass'))];
    const started = Date.now();
    const outcome = await runChecks(checks, { ...base, concurrency: 2, deadlineMs: 100 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome.interrupted).toBe('deadline');
    expect(outcome.results.map((r) => [r.id, r.status, r.skip?.kind])).toEqual([
      ['a', 'skip', 'deadline'],
      ['b', 'skip', 'deadline'],
      ['c', 'skip', 'deadline'],
      ['d', 'skip', 'deadline'],
    ]);
    expect(outcome.results[0].message).toMatch(/^stopped after \d+ms: the run deadline \(100ms\) was reached$/);
    expect(outcome.results[3].message).toBe('not started: the run deadline (100ms) was reached');
  });

  it('on interrupt aborts running checks and reports them and the rest as interrupted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const outcome = await runChecks([checkOf('a', never), checkOf('b', verdict('pass'), { needs: ['a'] })], { ...base, signal: controller.signal });
    expect(outcome.interrupted).toBe('signal');
    expect(outcome.results[0]).toMatchObject({ status: 'skip', skip: { kind: 'interrupted' }, message: expect.stringMatching(/^stopped after \d+m?s: the run was interrupted \(Ctrl-C\)$/) });
    expect(outcome.results[1]).toMatchObject({ status: 'skip', skip: { kind: 'interrupted', detail: 'not started: the run was interrupted (Ctrl-C)' } });
  });

  it('reports unselected checks as skipped, kind not-selected, and never runs them', async () => {
    let ran = false;
    const { results } = await runChecks([checkOf('a', verdict('pass')), checkOf('b', async () => ((ran = true), { status: 'pass', message: '' }))], { ...base, selected: new Set(['a']) });
    expect(ran).toBe(false);
    expect(results[1]).toMatchObject({ status: 'skip', skip: { kind: 'not-selected' } });
  });

  it('a skip from the check is not-applicable unless it says opt-in', async () => {
    const { results } = await runChecks(
      [checkOf('na', verdict('skip', 'no SMTP here')), checkOf('active', async () => notOptedIn('set send: true to opt in'))],
      base,
    );
    expect(results[0]).toMatchObject({ status: 'skip', skip: { kind: 'not-applicable', detail: 'no SMTP here' } });
    expect(results[1]).toMatchObject({ status: 'skip', skip: { kind: 'opt-in', detail: 'set send: true to opt in' } });
  });

  it('a failure with parts it could not check says both, and a waiver of the failure leaves them as an error', async () => {
    const partly: Behaviour = async () => failAndUnchecked(fail('key is a test-mode key, live expected'), [error('connection refused at api.example.com:443')]);
    const { results } = await runChecks(
      [checkOf('plain', partly), checkOf('waived', partly, { waiver: { reason: 'known', until: '2999-01-01' } }), checkOf('only', verdict('fail', 'bad'), { waiver: { reason: 'known', until: '2999-01-01' } })],
      base,
    );
    expect(results[0]).toMatchObject({
      status: 'fail',
      message: 'key is a test-mode key, live expected; also could not check: connection refused at api.example.com:443',
      unchecked: ['connection refused at api.example.com:443'],
    });
    expect(results[1]).toMatchObject({ status: 'error', waiver: { reason: 'known' }, unchecked: ['connection refused at api.example.com:443'] });
    expect(results[1].message).toBe('connection refused at api.example.com:443 (the failure found is waived until 2999-01-01: key is a test-mode key, live expected)');
    expect(results[2].status).toBe('waived');
  });

  it("says in a check's evidence when a parameter took the profile's default", async () => {
    const { results } = await runChecks([checkOf('api', verdict('pass'), { defaultsUsed: [{ variable: 'BACKEND_URL', value: 'http://localhost:8000', path: 'with.url' }] })], base);
    expect(results[0].defaultsUsed).toEqual([{ variable: 'BACKEND_URL', value: 'http://localhost:8000', path: 'with.url' }]);
    expect(results[0].evidence?.details?.['defaults used']).toEqual(['BACKEND_URL not set: with.url = "http://localhost:8000" (the profile\'s default)']);
  });

  it('fails a check whose environment is not ready without running it', async () => {
    let ran = false;
    const check = checkOf('db', async () => ((ran = true), { status: 'pass', message: '' }), {
      params: undefined,
      envProblems: [{ path: 'with.url', variable: 'DATABASE_URL', message: 'DATABASE_URL is not set' }],
    });
    const { results } = await runChecks([check], base);
    expect(ran).toBe(false);
    expect(results[0]).toMatchObject({ status: 'fail', message: 'DATABASE_URL is not set (with.url)' });
    // The type's failure title would claim what was never tried ("is not reachable").
    expect(results[0].failureTitle).toMatch(/^Not checked: environment not ready \(/);
    expect(results[0].title).toBe('db ok');
    expect(results[0].remediation).toMatch(/Set DATABASE_URL/);
  });

  it('applies waivers: waived until the date, gating again after it with a note in the message', async () => {
    const now = () => new Date('2026-11-25T12:00:00Z');
    const { results } = await runChecks(
      [
        checkOf('current', verdict('fail', 'missing'), { waiver: { reason: 'migration pending', until: '2026-11-25' } }),
        checkOf('expired', verdict('fail', 'missing'), { waiver: { reason: 'old', until: '2026-11-24', by: 'ops' } }),
        checkOf('unneeded', verdict('pass', 'fine'), { waiver: { reason: 'x', until: '2027-01-01' } }),
      ],
      { ...base, now },
    );
    expect(results[0]).toMatchObject({ status: 'waived', waiver: { expired: false, until: '2026-11-25' } });
    expect(results[1]).toMatchObject({ status: 'fail', message: 'missing (waiver expired 2026-11-24: old)', waiver: { expired: true, by: 'ops' } });
    expect(results[2].status).toBe('pass');
  });

  it('honours a skip set in the profile', async () => {
    const { results } = await runChecks([checkOf('a', verdict('fail'), { skip: 'not on staging' })], base);
    expect(results[0]).toMatchObject({ status: 'skip', message: 'not on staging', skip: { kind: 'profile', detail: 'not on staging' } });
  });
});
