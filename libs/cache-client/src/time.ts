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

/** One deadline registered with a {@link SharedTimeout}. */
export interface Deadline {
  readonly at: number;
  readonly onTimeout: (error: CacheTimeoutError) => void;
  done: boolean;
  next: Deadline | undefined;
}

/**
 * Deadlines that all lie the same `ms` after their start (the hot path's reads), with one timer for
 * all of them instead of one each: a timer per call (create, insert, clear) is a measurable part of
 * the hit path at 32 concurrent reads (docs/benchmarks.md). Equal timeouts expire in the order they
 * start, so the earliest deadline is always at the head of a list; replies on one connection arrive
 * in order too, so finished entries leave from the head and the list stays about as long as the
 * number of reads in flight.
 */
export class SharedTimeout {
  private head: Deadline | undefined;
  private tail: Deadline | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly ms: number,
    private readonly operation: string,
  ) {}

  /** Calls `onTimeout` `ms` from now unless {@link finish} is called first. */
  start(onTimeout: (error: CacheTimeoutError) => void): Deadline {
    const entry: Deadline = { at: monotonicMs() + this.ms, onTimeout, done: false, next: undefined };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    this.timer ??= this.arm(this.ms);
    return entry;
  }

  /** Milliseconds since `entry` started. */
  elapsed(entry: Deadline): number {
    return monotonicMs() - (entry.at - this.ms);
  }

  /** The work finished: true when it did so in time (`onTimeout` was not and will not be called). */
  finish(entry: Deadline): boolean {
    if (entry.done) return false;
    entry.done = true;
    // drop finished entries from the head; the timer stays armed, finds nothing and stops
    let head = this.head;
    while (head?.done) head = head.next;
    this.head = head;
    if (!head) this.tail = undefined;
    return true;
  }

  private arm(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expire(), Math.max(0, ms));
    // the read's socket keeps the process alive while it is pending; the timer alone must not
    timer.unref();
    return timer;
  }

  private expire(): void {
    this.timer = undefined;
    const now = monotonicMs();
    let entry = this.head;
    while (entry && (entry.done || entry.at <= now)) {
      if (!entry.done) {
        entry.done = true;
        entry.onTimeout(new CacheTimeoutError(this.operation, this.ms));
      }
      entry = entry.next;
    }
    this.head = entry;
    if (!entry) this.tail = undefined;
    else this.timer = this.arm(entry.at - now);
  }
}
