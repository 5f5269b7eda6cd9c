// The baseline both the benchmark and the profile compare against: a plain @redis/client connection
// with the same TLS endpoint and ACL user as cache-client, and the same `bench:` key prefix.
import { createClient } from '@redis/client';
import type { RedisServer } from '../libs/cache-client/test/redis-harness';

export const BENCH_USER = { name: 'bench-svc', keyspace: 'bench', passwords: ['bench-password-000000001'] };

/**
 * `tuned`: without node-redis 6's per-command AbortSignal (`commandOptions: { timeout: 0 }`), as
 * cache-client configures it, so the comparison shows the helpers' own cost.
 */
export async function connectRawClient(server: RedisServer, tuned: boolean) {
  const client = createClient({
    RESP: 2,
    disableClientInfo: true,
    keyPrefix: 'bench:',
    username: BENCH_USER.name,
    password: BENCH_USER.passwords[0],
    socket: { host: 'localhost', port: server.tlsPort, tls: true as const, ca: server.caPem },
    ...(tuned ? { commandOptions: { timeout: 0 } } : {}),
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
