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

/** The stored envelope, or undefined for anything else (a foreign or corrupt value reads as a miss). */
export function decodeEnvelope(raw: string | null | undefined): Envelope | undefined {
  if (typeof raw !== 'string' || raw.charCodeAt(0) !== 123 /* { */) return undefined;
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
