import { types } from 'node:util';
import { ClientOfflineError, ErrorReply, SocketClosedUnexpectedlyError } from '@redis/client';
import { SecretPayloadError } from '@cache-platform/cache-contract';
import { CacheClientError, CacheUsageError } from './usage-error';

export { assertPositive, CacheClientError, CacheUsageError, Undisclosed, undisclosed } from './usage-error';

/** A cache operation did not finish within its time budget. */
export class CacheTimeoutError extends CacheClientError {
  override readonly name = 'CacheTimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`cache ${operation} took longer than ${timeoutMs} ms`);
  }
}

/**
 * The cache secret could not be read. The message names the source (an ARN or a file path) for the
 * logs; `problem` says what went wrong without naming the source or quoting upstream text, for
 * places that may be public (health reports).
 */
export class CacheSecretError extends CacheClientError {
  override readonly name = 'CacheSecretError';
  constructor(
    /** the secret's ARN or file path */
    readonly source: string,
    /** what went wrong, e.g. `cannot read the file (ENOENT)` */
    readonly problem: string,
    /** upstream text (an SDK error's message) for the logs only */
    detail?: string,
  ) {
    super(`cache secret ${source}: ${problem}${detail ? `: ${detail}` : ''}`);
  }
}

/**
 * A command failed because its connection dropped, and it was not retried (only commands that are
 * safe to send twice are). The drop was already counted toward the circuit, once for all the
 * commands it failed.
 */
export class CacheConnectionDropError extends CacheClientError {
  override readonly name = 'CacheConnectionDropError';
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`cache ${operation}: the connection dropped (${describeError(cause)})`, { cause });
  }
}

/** The circuit breaker is open: Redis is skipped until the cool-down ends. */
export class CacheUnavailableError extends CacheClientError {
  override readonly name = 'CacheUnavailableError';
  constructor(reason: string) {
    super(`cache unavailable: ${reason}`);
  }
}

const AUTH_ERROR = /^(WRONGPASS|NOAUTH)\b|invalid (username-password pair|password)/i;

/**
 * True for the replies Redis gives when credentials are wrong or missing: the signal to re-read the
 * secret (a rotation may have removed the password this environment still holds).
 */
export function isAuthError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return AUTH_ERROR.test(message);
}

// socket errors Node reports when the peer goes away mid-conversation
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * True when a command failed because its connection went away (the server or a proxy closed it:
 * failover, node replacement, `CLIENT KILL`, the 12-hour limit of IAM connections) or was not back
 * yet when the command was sent: the client reconnects by itself, so the command may work a moment
 * later. Not a stalled server (that is a timeout), not a refusal (an error reply), and not a
 * connection this library closed itself (`DisconnectsClientError`, `ClientClosedError`: the circuit
 * or a credential refresh dropped it on purpose).
 */
export function isConnectionDrop(error: unknown): boolean {
  if (error instanceof SocketClosedUnexpectedlyError || error instanceof ClientOfflineError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && DROP_CODES.has(code);
}

/**
 * One-line description of an error for logs and health reports. Redis and TLS errors carry no
 * credentials (node-redis never echoes AUTH arguments); the message is capped all the same.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message && error.errors.length > 0) {
    // net.connect to a name with several addresses fails with an empty AggregateError
    return describeError(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text = `${error.name}${code ? ` ${code}` : ''}: ${error.message}`;
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  }
  return String(error).slice(0, 300);
}

/**
 * The cause of a failure for `checkHealth().error`, which services may return on a public health
 * path: the error class (with a Node error code or a Redis reply code) and, for this library's and
 * the contract's own errors, the rule. Never upstream text (a Secrets Manager AccessDenied names
 * roles and ARNs, a socket or TLS error names hosts), never the secret's ARN or path, never an
 * offending value. The logs get the full {@link describeError}.
 */
export function describeErrorForHealth(error: unknown): string {
  if (error instanceof AggregateError && !error.message && error.errors.length > 0) return describeErrorForHealth(error.errors[0]);
  if (!isError(error)) return 'unknown error';
  if (error instanceof CacheUsageError) return `${error.name}: invalid ${error.field}: ${error.rule}`;
  if (error instanceof CacheSecretError) return `${error.name}: ${error.problem}`;
  if (error instanceof SecretPayloadError) {
    // the message is `cache secret <source>: field "<field>" <rule>`: keep the field and the rule
    const at = error.message.indexOf(`field "${error.field}"`);
    return `${error.name}: ${at >= 0 ? error.message.slice(at) : `field "${error.field}" is invalid`}`;
  }
  // their messages are this library's own words (operation, milliseconds, reason)
  if (error instanceof CacheTimeoutError || error instanceof CacheUnavailableError) return `${error.name}: ${error.message}`;
  const kind = errorKind(error);
  // a wrapper (the connection that gave up) is explained by its cause: a socket, TLS or Redis error
  return isError(error.cause) ? `${kind} (${describeErrorForHealth(error.cause)})` : kind;
}

// Node's own errors (sockets, TLS) fail `instanceof Error` under a test runner's separate realm
const isError = (value: unknown): value is Error => value instanceof Error || types.isNativeError(value);

function errorKind(error: Error): string {
  // @redis/client's errors do not set `name`: their class says what they are (ConnectionTimeoutError...)
  const name = error.name !== 'Error' ? error.name : error.constructor.name || 'Error';
  const code = (error as NodeJS.ErrnoException).code;
  // a Redis error reply starts with its code (WRONGPASS, NOAUTH, NOPERM, LOADING): the server's fixed words
  const reply = error instanceof ErrorReply ? /^[A-Z][A-Z_]+(?=\s|$)/.exec(error.message)?.[0] : undefined;
  return [name, typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : undefined, reply].filter(Boolean).join(' ');
}
