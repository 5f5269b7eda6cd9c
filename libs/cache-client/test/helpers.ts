import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import type { CacheLogger, SecretSource } from '../src';

/** A secret source whose document a test can replace (a rotation), counting fetches. */
export interface MutableSecretSource extends SecretSource {
  set(secret: CacheSecretPayload): void;
  readonly fetches: number;
}

export function mutableSecretSource(initial: CacheSecretPayload, name = 'test secret'): MutableSecretSource {
  let text = JSON.stringify(initial);
  let fetches = 0;
  return {
    name,
    fetch: async () => {
      fetches++;
      return text;
    },
    set: (secret) => {
      text = JSON.stringify(secret);
    },
    get fetches() {
      return fetches;
    },
  };
}

/** Collects warnings instead of printing them; tests assert on them (and that no password leaks). */
export function memoryLogger(): CacheLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (message, fields) => void lines.push(`${message} ${JSON.stringify(fields ?? {})}`) };
}

/** Polls until `check` returns true, or fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Password of {@link exampleSecret}: tests assert it never shows up in errors, logs or health. */
export const EXAMPLE_PASSWORD = 'Sup3r-Secret-Password-Value-0001';

/** A valid secret document for unit tests that need no server; override what the test is about. */
export function exampleSecret(overrides: Partial<CacheSecretPayload> = {}): CacheSecretPayload {
  return {
    schemaVersion: 1,
    host: 'cache.example.internal',
    port: 6379,
    username: 'orders-api-dev',
    password: EXAMPLE_PASSWORD,
    keyspace: 'orders',
    tls: true,
    authMode: 'password',
    cacheName: 'cache-platform-dev',
    user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:orders-api-dev',
    clusterMode: true,
    ...overrides,
  };
}
