// The smallest handler a service would write: one cache per execution environment, at module scope.
// Bundled by the benchmark to measure size and cold start of the password-auth path.
import { createServiceCache } from '@cache-platform/cache-client';

const cache = createServiceCache();

export const handler = async (event: { id?: string }) => {
  const health = await cache.checkHealth();
  // for the benchmark: when the first PING had answered (secret read, TLS connection, AUTH, PING)
  const pingAnsweredAt = performance.now();
  const item = await cache.getOrLoad(`item:${event.id ?? '1'}`, async () => ({ id: event.id ?? '1', loadedAt: Date.now() }), {
    ttlSeconds: 60,
  });
  return { health, item, pingAnsweredAt };
};
