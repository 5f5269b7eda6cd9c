// The errors a caller's mistake raises, apart from errors.ts (which imports @redis/client to classify
// its errors): the connection-config entry point (own-client-config.ts) needs these and no Redis client.

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
