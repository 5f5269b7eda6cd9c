import { CacheTimeoutError } from './errors';

/**
 * Settles with `promise`, or rejects with {@link CacheTimeoutError} after `ms`. The losing promise
 * keeps running; its rejection is observed so that it never becomes an unhandled rejection.
 *
 * node-redis' own per-command `timeout` only covers the time before a command is written, not a
 * server that stops answering: the request path needs this race.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  if (ms <= 0) {
    promise.catch(() => undefined);
    return Promise.reject(new CacheTimeoutError(operation, 0));
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CacheTimeoutError(operation, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Monotonic milliseconds: wall-clock jumps must not open circuits or expire budgets. */
export const monotonicMs = (): number => performance.now();
