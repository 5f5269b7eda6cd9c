/**
 * How values are stored: one JSON document per key, `{"t":<fresh until, epoch ms>,"v":<value>}`,
 * or `{"t":...,"n":1}` / `{"t":...,"n":2}` for a cached "not found" (`undefined` / `null`). One GET and one JSON.parse per hit, as with a
 * bare value, but the freshness deadline travels with the value (stale-while-revalidate needs it
 * and the key's TTL alone cannot tell fresh from stale).
 */
export interface Envelope {
  readonly freshUntil: number;
  readonly negative: boolean;
  readonly value: unknown;
}

export function encodeEnvelope(value: unknown, freshUntil: number): string {
  if (value === undefined) return `{"t":${freshUntil},"n":1}`;
  if (value === null) return `{"t":${freshUntil},"n":2}`;
  return `{"t":${freshUntil},"v":${JSON.stringify(value)}}`;
}

const VALUE_HEAD = '{"t":';
const VALUE_MID = ',"v":';
/** digits of `t` read on the fast path: up to 15 sum exactly in a double, as JSON.parse reads them */
const MAX_T_DIGITS = 15;

/** The stored envelope, or undefined for anything else (a foreign or corrupt value reads as a miss). */
export function decodeEnvelope(raw: string | null | undefined): Envelope | undefined {
  if (typeof raw !== 'string' || raw.charCodeAt(0) !== 123 /* { */) return undefined;
  return decodeValue(raw) ?? decodeAny(raw);
}

/**
 * The hit path's layout, exactly as {@link encodeEnvelope} writes a value: `{"t":<digits>,"v":<json>}`.
 * Parses only `<json>`, not the document around it (that wrapper object costs ~15 % of a 1 KB hit's
 * parse). The result is the one {@link decodeAny} would give: when the text between `,"v":` and the
 * final `}` is one JSON value, the whole string is the JSON object `{"t":N,"v":value}` and nothing
 * else. Anything that does not match (a negative entry, spaces, other keys, a leading zero, too many
 * digits, invalid JSON) is left to {@link decodeAny}: undefined here means "not on the fast path".
 */
function decodeValue(raw: string): Envelope | undefined {
  if (!raw.startsWith(VALUE_HEAD)) return undefined;
  const first = VALUE_HEAD.length;
  let end = first;
  let t = 0;
  for (let c = raw.charCodeAt(end); c >= 48 && c <= 57 /* 0-9 */; c = raw.charCodeAt(++end)) t = t * 10 + (c - 48);
  const digits = end - first;
  // JSON has no leading zeros ("01" is not a number)
  if (digits === 0 || digits > MAX_T_DIGITS || (digits > 1 && raw.charCodeAt(first) === 48)) return undefined;
  if (!raw.startsWith(VALUE_MID, end) || raw.charCodeAt(raw.length - 1) !== 125 /* } */) return undefined;
  try {
    return { freshUntil: t, negative: false, value: JSON.parse(raw.slice(end + VALUE_MID.length, -1)) };
  } catch {
    return undefined;
  }
}

/** Any JSON document: an envelope when it has a numeric `t` and a value or a negative marker. */
function decodeAny(raw: string): Envelope | undefined {
  let doc: { t?: unknown; v?: unknown; n?: unknown };
  try {
    doc = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || typeof doc.t !== 'number') return undefined;
  if (doc.n === 1 || doc.n === 2) return { freshUntil: doc.t, negative: true, value: doc.n === 2 ? null : undefined };
  if (!('v' in doc)) return undefined;
  return { freshUntil: doc.t, negative: false, value: doc.v };
}
