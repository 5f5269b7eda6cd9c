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

let burstNow: number | undefined;
const endBurst = (): void => {
  burstNow = undefined;
};

/**
 * {@link monotonicMs} for the replies of one socket read. node-redis settles every reply of a read
 * in one synchronous pass, so their callbacks run back to back as microtasks, and all those replies
 * arrived at the same instant: one clock read serves them all, and a microtask queued behind them
 * ends the burst (the callers' own continuations, queued later, see a fresh reading). At 32 reads in
 * flight a clock read per reply (~60 ns) was ~1 % of a hit (docs/benchmarks.md). Only for the time
 * a reply arrived: a start time must stay {@link monotonicMs}, since a caller's code may run between
 * two starts in one burst.
 */
export function replyArrivedMs(): number {
  if (burstNow === undefined) {
    burstNow = performance.now();
    queueMicrotask(endBurst);
  }
  return burstNow;
}

/** how often the wall clock is re-read for {@link wallMsAt}: a wall-clock step shows within this */
const WALL_ANCHOR_MS = 1000;
let anchorMono = -Infinity;
let anchorOffset = 0;

/**
 * `Date.now()` as of the monotonic time `mono`, without reading the wall clock on every call (the
 * hit path's freshness check compares it with the epoch milliseconds written into the entry). The
 * offset between the two clocks is re-read at most once a second, so a wall-clock step (NTP) shows
 * within a second; slew in between is microseconds. The offset holds for any reading, so a reading
 * from a moment ago (a burst's, {@link replyArrivedMs}) converts as exactly as a fresh one.
 */
export function wallMsAt(mono: number): number {
  if (mono - anchorMono >= WALL_ANCHOR_MS) {
    // a fresh pair of readings: `mono` itself may be a burst's reading from a moment ago
    const now = performance.now();
    anchorOffset = Date.now() - now;
    anchorMono = now;
  }
  return mono + anchorOffset;
}

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

  /** Milliseconds from when `entry` started to the monotonic time `now`. */
  elapsed(entry: Deadline, now: number): number {
    return now - (entry.at - this.ms);
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
