import { CacheUsageError } from './errors';
import { assertKey, idempotencyKey } from './keys';
import { cacheInternals } from './service-cache';
import type { ServiceCache } from './types';

/**
 * The client shape AWS Lambda Powertools' idempotency utility accepts for its cache persistence
 * layer (`CachePersistenceLayer({ client })` in `@aws-lambda-powertools/idempotency/cache`): get,
 * set with `{ EX, NX }`, del. Declared here structurally, so services need not add the package to use it.
 */
export interface IdempotencyCacheClient {
  get(name: string): Promise<string | null>;
  set(name: string, value: unknown, options?: { EX?: number; NX?: boolean }): Promise<'OK' | null>;
  del(keys: string | string[]): Promise<number>;
}

/**
 * Adapts a service cache to Powertools idempotency. Records live under `<keyspace>:_i:`, inside
 * the service's own keyspace. Unlike getOrLoad this does not fail open: idempotency needs a real
 * answer, so errors (and an open circuit) reach Powertools, which fails the invocation.
 */
export function createIdempotencyClient(cache: ServiceCache): IdempotencyCacheClient {
  const run = cacheInternals(cache).run;
  return {
    // reads and deletes are retried once after a dropped connection; SET (NX) is not: it may have been applied
    get: (name) => run('idempotency get', (redis) => redis.get(idempotencyKey(assertKey(name, 'idempotency key'))), true),
    async set(name, value, options = {}) {
      const key = idempotencyKey(assertKey(name, 'idempotency key'));
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (options.EX !== undefined && (!Number.isFinite(options.EX) || options.EX <= 0)) {
        throw new CacheUsageError('idempotency set options.EX', options.EX, 'must be a number of seconds > 0');
      }
      // without EX, records still expire (a day) rather than pile up forever in the shared cache
      const ttlMs = (options.EX ?? 86_400) * 1000;
      const written = await run('idempotency set', (redis) => redis.set(key, text, ttlMs, options.NX === true));
      return written ? 'OK' : null;
    },
    async del(keys) {
      // one DEL per key: a multi-key DEL would be a cross-slot command on a cluster
      let deleted = 0;
      for (const name of Array.isArray(keys) ? keys : [keys]) {
        deleted += await run('idempotency del', (redis) => redis.del(idempotencyKey(assertKey(name, 'idempotency key'))), true);
      }
      return deleted;
    },
  };
}
