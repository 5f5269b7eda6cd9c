import { formatKeyspaceClaim, parseKeyspaceClaim } from './index';

describe('keyspace claims', () => {
  const record = { service: 'orders-api', owner: 'team-orders', purpose: 'cache product lookups' };

  it('renders compact JSON with a fixed key order, whatever order the input has', () => {
    const shuffled = { purpose: record.purpose, owner: record.owner, service: record.service };
    expect(formatKeyspaceClaim(shuffled)).toBe('{"service":"orders-api","owner":"team-orders","purpose":"cache product lookups"}');
  });

  it('round-trips through parse', () => {
    expect(parseKeyspaceClaim('orders', formatKeyspaceClaim(record))).toEqual(record);
  });

  it('refuses bad fields with the value and the rule', () => {
    expect(() => formatKeyspaceClaim({ ...record, service: 'Orders' })).toThrow('invalid service name "Orders": must be lower case');
    expect(() => formatKeyspaceClaim({ ...record, owner: ' ' })).toThrow('invalid keyspace claim owner " ": must be a non-empty string');
    expect(() => formatKeyspaceClaim({ ...record, purpose: 'x'.repeat(257) })).toThrow('must be at most 256 characters (it has 257)');
  });

  it('refuses documents that are not a claim', () => {
    expect(() => parseKeyspaceClaim('orders', 'nope')).toThrow(
      'invalid claim of keyspace "orders" "nope": must be a JSON object {service, owner, purpose}',
    );
    expect(() => parseKeyspaceClaim('orders', '[1]')).toThrow('must be a JSON object');
    expect(() => parseKeyspaceClaim('orders', '{"service":"orders-api","owner":"t"}')).toThrow(
      'invalid keyspace claim purpose undefined: must be a non-empty string',
    );
    expect(() => parseKeyspaceClaim('a:b', formatKeyspaceClaim(record))).toThrow('invalid keyspace "a:b"');
  });
});
