import type { ServiceCache } from './types';

/**
 * Wraps a Lambda handler with what every invocation owes the service's cache, so no handler states
 * it and a change here reaches every service at its next bundle, with no edit under `apps/`: once
 * the handler has answered or thrown, background work (stale-while-revalidate refreshes, a secret
 * re-read) gets a bounded time to finish before Lambda freezes the environment (`settle()`, at most
 * 1 s), then the invocation's metrics are written as one EMF line (`flushMetrics()`). The handler's
 * own answer or error is returned unchanged. The wrapped function has the handler's exact signature.
 *
 *   export const handler = withServiceCache(cache, async (event: MyEvent) => { ... });
 */
export function withServiceCache<Args extends unknown[], Result>(
  cache: ServiceCache,
  handler: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args: Args): Promise<Result> => {
    try {
      return await handler(...args);
    } finally {
      // settle() never rejects for cache problems (it logs a timeout), so the handler's error is the one thrown
      await cache.settle();
      cache.flushMetrics();
    }
  };
}
