import type { ServiceCache } from './types';
import { withServiceCache } from './lambda-handler';

/** A cache that records the lifecycle calls, in order, with what was running when each happened. */
function recordingCache(log: string[]): ServiceCache {
  const cache: Partial<ServiceCache> = {
    settle: async () => {
      log.push('settle:start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push('settle:end');
    },
    flushMetrics: () => {
      log.push('flushMetrics');
      return undefined;
    },
  };
  return cache as ServiceCache;
}

describe('withServiceCache', () => {
  it('answers, then lets background work settle, then writes the metrics, before the invocation ends', async () => {
    const log: string[] = [];
    const handler = withServiceCache(recordingCache(log), async (event: { id: string }, context: { requestId: string }) => {
      log.push(`handler:${event.id}:${context.requestId}`);
      return { statusCode: 200 };
    });
    await expect(handler({ id: '42' }, { requestId: 'r-1' })).resolves.toEqual({ statusCode: 200 });
    expect(log).toEqual(['handler:42:r-1', 'settle:start', 'settle:end', 'flushMetrics']);
  });

  it("settles and writes the metrics when the handler throws too, and rethrows the handler's own error", async () => {
    const log: string[] = [];
    const failure = new Error('source unavailable');
    const handler = withServiceCache(recordingCache(log), async () => {
      log.push('handler');
      throw failure;
    });
    await expect(handler()).rejects.toBe(failure);
    expect(log).toEqual(['handler', 'settle:start', 'settle:end', 'flushMetrics']);
  });
});
