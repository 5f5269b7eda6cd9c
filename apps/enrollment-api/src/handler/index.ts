import { createServiceCache, withServiceCache, type GetOrLoadOptions, type ServiceCache } from '@cache-platform/cache-client';

/** Minimal HTTP-style event: API Gateway (v2) and Function URLs carry `rawPath`, v1 carries `path`. */
export interface HandlerEvent {
  readonly rawPath?: string;
  readonly path?: string;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
  readonly httpMethod?: string;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
}

export interface HandlerResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Item {
  readonly id: string;
  readonly loadedAt: string;
}

const json = (statusCode: number, body: unknown): HandlerResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * Replace with the expensive read this service puts the cache in front of. It runs on a miss, and
 * whenever Redis is unavailable (the cache fails open). Return `undefined` for "not found".
 */
export async function loadItem(id: string): Promise<Item | undefined> {
  return { id, loadedAt: new Date().toISOString() };
}

/** How items are cached: tune per service. */
export const ITEM_CACHING: GetOrLoadOptions = {
  ttlSeconds: 300,
  // a family of keys bumpNamespace('items') retires at once (no SCAN/KEYS)
  namespace: 'items',
  // "not found" is cached briefly, so a missing id cannot hammer the source
  negativeTtlSeconds: 30,
  // hot keys are served stale for up to a minute while one caller refreshes them
  staleWhileRevalidateSeconds: 60,
  // one loader across all Lambda instances on a cold key; others wait briefly, then load themselves
  lock: { ttlMs: 2_000, waitMs: 250 },
};

/** Builds the handler around a cache, so tests can hand it one wired to a local Redis. */
export function createHandler(cache: ServiceCache, load: (id: string) => Promise<Item | undefined> = loadItem) {
  // what every invocation owes the cache (background refreshes finish, metrics are written) is the library's
  return withServiceCache(cache, async (event: HandlerEvent): Promise<HandlerResponse> => {
    const path = event.rawPath ?? event.path ?? '/';
    const method = event.requestContext?.http?.method ?? event.httpMethod ?? 'GET';
    if (path === '/health') {
      // the cache fails open, so an outage is a signal in the body, not a failed health check;
      // the reason goes to the logs only: a public health path shows status, never error detail
      const { error, ...health } = await cache.checkHealth();
      if (error) console.warn(`cache health: ${health.status}: ${error}`);
      return json(200, { service: 'enrollment-api', cache: health });
    }
    const id = event.queryStringParameters?.['id'];
    if (!id) return json(400, { error: 'query parameter "id" is required' });
    if (method === 'DELETE') {
      // after the source changed: drop the cached copy so the next read loads it again
      await cache.invalidate(`item:${id}`, { namespace: ITEM_CACHING.namespace });
      // 204 carries no body
      return { statusCode: 204, headers: {}, body: '' };
    }
    const item = await cache.getOrLoad(`item:${id}`, () => load(id), ITEM_CACHING);
    return item ? json(200, item) : json(404, { error: `item ${JSON.stringify(id)} not found` });
  });
}

// one cache per execution environment: created lazily, reused across invocations; the secret says
// how it authenticates (password or IAM token)
export const handler = createHandler(createServiceCache());
