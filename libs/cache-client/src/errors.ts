import { types } from 'node:util';
import { ClientOfflineError, ErrorReply, SocketClosedUnexpectedlyError } from '@redis/client';
import { SecretPayloadError } from '@cache-platform/cache-contract';

/** Base class of the errors this library raises itself. */
export class CacheClientError extends Error {
  override readonly name: string = 'CacheClientError';
}

/**
 * A caller passed something this library cannot work with (a bad option, key or namespace).
 * These are programming errors: they are thrown, never swallowed by fail-open.
 */
export class CacheUsageError extends CacheClientError {
  override readonly name = 'CacheUsageError';
  constructor(
    /** the option or argument, e.g. `getOrLoad options.ttlSeconds` */
    readonly field: string,
    readonly value: unknown,
    /** the rule it broke */
    readonly rule: string,
  ) {
    super(`invalid ${field} ${safeValue(value)}: ${rule}`);
  }
}

/** `value` when it is a finite number > 0 (>= 0 with `allowZero`); else a {@link CacheUsageError} naming `field`. */
export function assertPositive(field: string, value: unknown, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new CacheUsageError(field, value, allowZero ? 'must be a finite number >= 0' : 'must be a finite number > 0');
  }
  return value;
}

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

/**
 * Stands in for a value an error must not show: a setting that should name the secret may hold the
 * secret itself, pasted into the wrong place. Only what kind of value it was appears in messages.
 */
export class Undisclosed {
  constructor(
    /** e.g. `not shown; it looks like a JSON document` */
    readonly description: string,
  ) {}
}

// a JSON object or array where a name or a key was expected is most likely a pasted secret document
const looksLikeJson = (text: string) => /^\s*[{[]/.test(text);

/** What kind of value `text` is, for settings whose value is never shown. */
export function undisclosed(text: string): Undisclosed {
  return new Undisclosed(looksLikeJson(text) ? 'not shown; it looks like a JSON document, not a name' : 'not shown');
}

function safeValue(value: unknown): string {
  if (value instanceof Undisclosed) return `(${value.description})`;
  if (typeof value === 'string' && looksLikeJson(value)) return '(a JSON document, not shown)';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
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
