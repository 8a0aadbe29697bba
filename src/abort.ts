// Racing a promise against an AbortSignal, for clients that do not always honour the signal themselves
// (undici during a hung TLS handshake, pg and ioredis while connecting or querying).

/**
 * Settles with the promise, or rejects as soon as the signal aborts — with `reason()` when given, else the
 * signal's reason. A late rejection of the abandoned promise is swallowed, never left unhandled.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, reason: () => unknown = () => signal.reason): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
