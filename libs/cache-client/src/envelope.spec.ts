import { decodeEnvelope, encodeEnvelope } from './envelope';
import { assertKey, assertNamespace, lockKey, namespacedKey, namespaceVersionKey, newNamespaceVersion } from './keys';

describe('stored envelope', () => {
  it('round-trips values, null and undefined', () => {
    for (const value of [{ a: [1, 'x'] }, 'text', 0, false, []]) {
      expect(decodeEnvelope(encodeEnvelope(value, 42))).toEqual({ freshUntil: 42, negative: false, value });
    }
    expect(decodeEnvelope(encodeEnvelope(undefined, 7))).toEqual({ freshUntil: 7, negative: true, value: undefined });
    expect(decodeEnvelope(encodeEnvelope(null, 7))).toEqual({ freshUntil: 7, negative: true, value: null });
  });

  it('reads anything else as a miss', () => {
    for (const raw of [null, undefined, '', 'plain', '{"v":1}', '{"t":"1","v":1}', '{"t":1}', '{not json', '[1]']) {
      expect(decodeEnvelope(raw)).toBeUndefined();
    }
  });

  it('decodes the written layout on its fast path exactly as a full JSON.parse of the document would', () => {
    // the reference: the whole document through JSON.parse, then the envelope rules
    const reference = (raw: string) => {
      let doc: { t?: unknown; v?: unknown; n?: unknown };
      try {
        doc = JSON.parse(raw);
      } catch {
        return undefined;
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof doc.t !== 'number') return undefined;
      if (doc.n === 1 || doc.n === 2) return { freshUntil: doc.t, negative: true, value: doc.n === 2 ? null : undefined };
      return 'v' in doc ? { freshUntil: doc.t, negative: false, value: doc.v } : undefined;
    };
    const cases = [
      encodeEnvelope({ id: 1, text: '},"v":2}' }, 1767225600000),
      encodeEnvelope('}', 0),
      '{"t":0,"v":1}',
      '{"t":01,"v":1}', // a leading zero: not JSON
      '{"t":1,"v":1,"n":1}', // another key after the value: the full parse decides (negative)
      '{"t":1,"v":1,"v":2}', // a duplicate key: the last one wins, as in JSON.parse
      '{"t":1,"v":{"a":1},"x":[}', // invalid
      '{"t":1,"v":1 }',
      '{"t":1,"v":}',
      '{"t":1,"v":1',
      '{"t":1.5,"v":1}',
      '{"t":-1,"v":1}',
      '{"t":1e3,"v":1}',
      '{"t":1234567890123456,"v":1}', // 16 digits: beyond the fast path, the full parse decides
      '{"t":12345678901234567890,"v":1}',
      '{"t":1,"v":"x"}trailing',
      '{"t":1,"v":[1,2]}',
      '{"t":1 ,"v":1}',
    ];
    for (const raw of cases) expect([raw, decodeEnvelope(raw)]).toEqual([raw, reference(raw)]);
  });
});

describe('keys', () => {
  it('refuses keys the client reserves, empty or oversized keys', () => {
    expect(assertKey('user:1')).toBe('user:1');
    expect(() => assertKey('_l:x')).toThrow('invalid key "_l:x": must not start with "_"');
    expect(() => assertKey('')).toThrow('must be a non-empty string');
    expect(() => assertKey(5)).toThrow('invalid key 5: must be a non-empty string');
    expect(() => assertKey('x'.repeat(1025))).toThrow('must be at most 1024 characters (it has 1025)');
  });

  it('keeps namespaces one segment so versioned keys cannot collide', () => {
    expect(assertNamespace('product-list.v2')).toBe('product-list.v2');
    for (const bad of ['', 'a:b', '_x', 'a b', 'x'.repeat(65), '{tag}']) expect(() => assertNamespace(bad)).toThrow('invalid namespace');
  });

  it('lays out internal keys under reserved prefixes', () => {
    expect(namespaceVersionKey('products')).toBe('_nv:products');
    expect(namespacedKey('products', 'v1', 'id:1')).toBe('_n:products:v1:id:1');
    expect(lockKey('id:1')).toBe('_l:id:1');
    expect(newNamespaceVersion()).not.toBe(newNamespaceVersion());
  });
});
