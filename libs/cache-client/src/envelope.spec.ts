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
