import { createServiceCache, type ServiceCache } from '@cache-platform/cache-client';

/** Minimal HTTP-style event: API Gateway and Function URLs both carry `rawPath`. */
export interface HandlerEvent {
  readonly rawPath?: string;
  readonly path?: string;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
}

export interface HandlerResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const json = (statusCode: number, body: unknown): HandlerResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * Replace with the expensive read this service puts the cache in front of. It runs on a miss, and
 * whenever Redis is unavailable (the cache fails open).
 */
export async function loadItem(id: string): Promise<{ id: string; loadedAt: string }> {
  return { id, loadedAt: new Date().toISOString() };
}

/** Builds the handler around a cache, so tests can hand it one wired to a local Redis. */
export function createHandler(cache: ServiceCache, load = loadItem) {
  return async (event: HandlerEvent): Promise<HandlerResponse> => {
    const path = event.rawPath ?? event.path ?? '/';
    if (path === '/health') {
      // the cache fails open, so an outage is a signal in the body, not a failed health check
      const health = await cache.checkHealth();
      return json(200, { service: 'enrollment-api', cache: health });
    }
    const id = event.queryStringParameters?.['id'];
    if (!id) return json(400, { error: 'query parameter "id" is required' });
    const item = await cache.getOrLoad(`item:${id}`, () => load(id), { ttlSeconds: 300 });
    return json(200, item);
  };
}

// one cache per execution environment: created lazily, reused across invocations
export const handler = createHandler(createServiceCache());
