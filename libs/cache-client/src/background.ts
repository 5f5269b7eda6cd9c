import { monotonicMs, withTimeout } from './time';
import type { CacheLogger } from './types';

/**
 * Work left running after the request that started it answered (stale-while-revalidate refreshes,
 * secret re-reads). Lambda freezes the environment once the handler returns, so such work only
 * finishes if the handler awaits {@link BackgroundWork.settle}.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: CacheLogger) {}

  track(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(done);
    void done.then(() => this.running.delete(done));
  }

  /** Waits for the work (and work started meanwhile) for at most `timeoutMs`; never rejects. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = monotonicMs() + timeoutMs;
    // work started while waiting (a refresh started by a concurrent request) is waited for too
    while (this.running.size > 0) {
      const left = deadline - monotonicMs();
      if (left <= 0) {
        this.logger.warn(
          'cache settle: background work still running after the timeout; it may not finish before the environment is frozen',
          {
            pending: this.running.size,
            timeoutMs,
          },
        );
        return;
      }
      await withTimeout(Promise.all(this.running), left, 'settle').catch(() => undefined);
    }
  }
}
