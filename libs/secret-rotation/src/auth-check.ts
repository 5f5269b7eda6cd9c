// testSecret's proof that the pending password works: one TLS connection to the cache, one
// `AUTH <username> <password>`, the reply read, the connection closed. node:tls and a few bytes of
// RESP instead of a Redis client: nothing else is sent, and the rotation bundle stays small.
import { connect, type TLSSocket } from 'node:tls';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
// the platform's connection plan (host, port, SNI / verified name, extra CA) without a Redis client
import { createRedisConnectionConfig } from '@cache-platform/cache-client/client-config';
import type { AuthCheck } from './ports';

export interface AuthCheckOptions {
  /**
   * Extra CA certificates to trust and the name to verify (a local test CA); never whether to verify.
   * @default Node's root CAs (ElastiCache's certificates chain to the Amazon roots), the secret's host
   */
  readonly tls?: { readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>; readonly servername?: string };
  /**
   * Milliseconds for connect, TLS handshake and the AUTH reply together.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/** The server refused the credentials, or could not be reached over verified TLS. Never carries the password. */
export class AuthCheckError extends Error {
  override readonly name = 'AuthCheckError';
}

function bulk(value: string): string {
  return `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
}

/**
 * An {@link AuthCheck} over TLS with Node's certificate chain and host name checks (nothing here
 * turns them off). Refuses a secret that says `tls: false`: the check would send a password in clear.
 */
export function tlsAuthCheck(options: AuthCheckOptions = {}): AuthCheck {
  const timeoutMs = options.timeoutMs ?? 5000;
  return async (secret: CacheSecretPayload) => {
    const where = `${secret.host}:${secret.port}`;
    if (!secret.tls)
      throw new AuthCheckError(
        `auth check of user ${secret.username} at ${where}: the secret says tls: false; the check sends the password over TLS only`,
      );
    const { socket } = createRedisConnectionConfig(secret, { tls: options.tls, connectTimeoutMs: timeoutMs });
    if (socket.tls !== true)
      throw new AuthCheckError(`auth check of user ${secret.username} at ${where}: no TLS settings in the connection plan`);
    const reply = await new Promise<string>((resolve, reject) => {
      let tls: TLSSocket | undefined = undefined;
      let received = '';
      const done = (error: Error | undefined, line?: string) => {
        clearTimeout(timer);
        tls?.destroy();
        if (error) reject(error);
        else resolve(line ?? '');
      };
      const timer = setTimeout(
        () => done(new AuthCheckError(`auth check of user ${secret.username} at ${where}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      tls = connect({ host: socket.host, port: socket.port, servername: socket.servername, ca: socket.ca }, () => {
        tls?.write(`*3\r\n${bulk('AUTH')}${bulk(secret.username)}${bulk(secret.password)}`);
      });
      tls.setEncoding('utf8');
      tls.on('data', (chunk: string) => {
        received += chunk;
        const end = received.indexOf('\r\n');
        if (end >= 0) done(undefined, received.slice(0, end));
      });
      // TLS failures (ERR_TLS_CERT_ALTNAME_INVALID, UNABLE_TO_VERIFY_LEAF_SIGNATURE ...) and network errors
      tls.on('error', (error: NodeJS.ErrnoException) =>
        done(new AuthCheckError(`auth check of user ${secret.username} at ${where}: ${error.code ?? error.name}: ${error.message}`)),
      );
      tls.on('close', () =>
        done(new AuthCheckError(`auth check of user ${secret.username} at ${where}: the connection closed before a reply`)),
      );
    });
    if (reply !== '+OK') {
      // the server's error line (e.g. WRONGPASS invalid username-password pair) never quotes the password
      throw new AuthCheckError(`auth check of user ${secret.username} at ${where}: AUTH refused: ${reply.replace(/^-/, '').slice(0, 200)}`);
    }
  };
}
