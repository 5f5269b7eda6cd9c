import {
  ContractViolation,
  formatKeyspaceClaim,
  keyspaceClaimParameterName,
  keyspaceClaimsPath,
  listKeyspaceClaims,
  parseKeyspaceClaim,
} from './index';

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

describe('listKeyspaceClaims', () => {
  const value = (service: string) => formatKeyspaceClaim({ service, owner: 'team-a', purpose: 'cache lookups' });
  const path = '/cache-platform/prod/keyspaces';

  it('reads every page of the claims path, non-recursively, and parses each claim', async () => {
    const requests: unknown[] = [];
    const pages = [
      { Parameters: [{ Name: `${path}/orders`, Value: value('orders-api') }], NextToken: 'next' },
      { Parameters: [{ Name: `${path}/billing`, Value: value('billing-api') }] },
    ];
    const claims = await listKeyspaceClaims('prod', async (input) => {
      requests.push(input);
      return pages[requests.length - 1]!;
    });
    expect(requests).toEqual([
      { Path: path, Recursive: false, NextToken: undefined },
      { Path: path, Recursive: false, NextToken: 'next' },
    ]);
    expect(claims).toEqual([
      { keyspace: 'orders', record: { service: 'orders-api', owner: 'team-a', purpose: 'cache lookups' } },
      { keyspace: 'billing', record: { service: 'billing-api', owner: 'team-a', purpose: 'cache lookups' } },
    ]);
    expect(keyspaceClaimsPath('prod')).toBe(path);
    expect(keyspaceClaimParameterName('prod', 'orders')).toBe(`${path}/orders`);
  });

  it('keeps an unreadable claim, with the refusal located at its parameter', async () => {
    const [broken, empty] = await listKeyspaceClaims('prod', async () => ({
      Parameters: [{ Name: `${path}/broken`, Value: 'not json' }, { Name: `${path}/empty` }],
    }));
    expect(broken?.keyspace).toBe('broken');
    expect(broken?.record).toBeUndefined();
    expect(broken?.problem).toBeInstanceOf(ContractViolation);
    expect(broken?.problem?.message).toBe(
      `SSM parameter ${path}/broken: invalid claim of keyspace "broken" "not json": must be a JSON object {service, owner, purpose}`,
    );
    expect(empty?.problem?.message).toBe(
      `SSM parameter ${path}/empty: invalid claim of keyspace "empty" "": must be a JSON object {service, owner, purpose}`,
    );
  });

  it('passes on what is not a broken claim: a failed call', async () => {
    await expect(listKeyspaceClaims('prod', () => Promise.reject(new Error('AccessDeniedException: no')))).rejects.toThrow(
      'AccessDeniedException: no',
    );
    await expect(listKeyspaceClaims('Prod', async () => ({}))).rejects.toThrow('invalid environment name "Prod"');
  });
});
