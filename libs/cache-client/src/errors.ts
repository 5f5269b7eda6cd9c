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

/** The circuit breaker is open: Redis is skipped until the cool-down ends. */
export class CacheUnavailableError extends CacheClientError {
  override readonly name = 'CacheUnavailableError';
  constructor(reason: string) {
    super(`cache unavailable: ${reason}`);
  }
}

function safeValue(value: unknown): string {
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
