import { describe, expect, it } from 'vitest';
import { untilAborted } from '../src/abort.js';

describe('untilAborted', () => {
  it('settles with the promise when the signal stays quiet', async () => {
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('boom')), new AbortController().signal)).rejects.toThrow('boom');
  });

  it('rejects when the signal aborts, even if the promise never settles', async () => {
    const controller = new AbortController();
    const pending = untilAborted(new Promise(() => {}), controller.signal);
    controller.abort(new Error('timed out'));
    await expect(pending).rejects.toThrow('timed out');
  });

  it('uses the given reason, and rejects at once on an aborted signal without leaving the promise unhandled', async () => {
    const controller = new AbortController();
    controller.abort();
    const late = Promise.reject(new Error('late'));
    await expect(untilAborted(late, controller.signal, () => new Error('aborted: timeout'))).rejects.toThrow('aborted: timeout');
  });
});
