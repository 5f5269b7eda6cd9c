import { CacheUsageError } from './errors';

/**
 * Key layout under the keyspace prefix `<keyspace>:` (added by the Redis client itself):
 *   `<key>`                               plain getOrLoad / invalidate keys
 *   `_n:<namespace>:<version>:<key>`     keys of a versioned namespace
 *   `_nv:<namespace>`                     the namespace's current version
 *   `_l:<data key>`                       cross-instance loader lock (and refresh lease)
 *   `_i:<key>`                            Powertools idempotency records
 * Caller keys may not start with `_`, so they can never collide with the client's own keys.
 * Every command touches one key: nothing here can fail with CROSSSLOT on a cluster.
 */
export const MAX_KEY_LENGTH = 1024;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertKey(key: unknown, field = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) throw new CacheUsageError(field, key, 'must be a non-empty string');
  if (key.length > MAX_KEY_LENGTH)
    throw new CacheUsageError(field, key, `must be at most ${MAX_KEY_LENGTH} characters (it has ${key.length})`);
  if (key.charCodeAt(0) === 95 /* _ */)
    throw new CacheUsageError(field, key, 'must not start with "_" (reserved for the client\'s own keys)');
  return key;
}

export function assertNamespace(namespace: unknown, field = 'namespace'): string {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new CacheUsageError(
      field,
      namespace,
      'must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  return namespace;
}

export const namespaceVersionKey = (namespace: string): string => `_nv:${namespace}`;
export const namespacedKey = (namespace: string, version: string, key: string): string => `_n:${namespace}:${version}:${key}`;
export const lockKey = (dataKey: string): string => `_l:${dataKey}`;
export const idempotencyKey = (key: string): string => `_i:${key}`;

/** A new namespace version: unique, so a version key lost to eviction can never revive old entries. */
export function newNamespaceVersion(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
