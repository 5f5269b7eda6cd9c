import {
  alarmTopicParameterName,
  assertCellName,
  assertCellQuotas,
  assertServiceManifest,
  CACHE_METRIC_NAMESPACE,
  cacheMetricDimensions,
  ContractViolation,
  DEFAULT_CELL,
  placeService,
  platformExportNames,
  platformResourceNames,
  serviceManifestJsonSchema,
  type CellMember,
  type EnvironmentCells,
} from './index';

const member = (service: string, cell?: string, environments?: string[]): CellMember => ({
  service,
  keyspace: service,
  cell,
  environments,
});
const layout = (environment: string, ...cells: Array<[string, number]>): EnvironmentCells => ({
  environment,
  cells: cells.map(([name, maxUsers]) => ({ name, maxUsers })),
});

function violation(run: () => unknown): ContractViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error('expected a ContractViolation');
}

describe('cell names', () => {
  it('keeps the pre-cell names for the default cell and suffixes the others', () => {
    expect(platformResourceNames('dev', DEFAULT_CELL)).toEqual(platformResourceNames('dev'));
    expect(platformResourceNames('dev')).toMatchObject({
      cacheName: 'cache-platform-dev',
      userGroupId: 'cache-platform-dev-users',
      disabledDefaultUserId: 'cache-platform-dev-default-off',
    });
    expect(platformResourceNames('dev', 'b')).toEqual({
      cacheName: 'cache-platform-dev-b',
      userGroupId: 'cache-platform-dev-b-users',
      disabledDefaultUserId: 'cache-platform-dev-b-default-off',
      // the network and the rotation function are shared by every cell
      cacheSecurityGroupName: 'cache-platform-dev-cache',
      clientSecurityGroupName: 'cache-platform-dev-cache-clients',
      endpointSecurityGroupName: 'cache-platform-dev-secretsmanager-endpoint',
      secretsManagerCallersSecurityGroupName: 'cache-platform-dev-secretsmanager-callers',
      elasticacheCallersSecurityGroupName: 'cache-platform-dev-elasticache-callers',
      // one rotation function per environment, whatever the cell
      rotationFunctionName: 'cache-platform-dev-password-rotation',
      rotationRoleName: 'cache-platform-dev-password-rotation',
    });
    expect(platformExportNames('dev', DEFAULT_CELL)).toEqual(platformExportNames('dev'));
    expect(platformExportNames('dev').cacheName).toBe('/cache-platform/dev/exports/cache-name');
    expect(platformExportNames('dev', 'b').cacheName).toBe('/cache-platform/dev/cells/b/exports/cache-name');
  });

  it('refuses names that would collide or overflow, naming every rule', () => {
    expect(assertCellName('b2')).toBe('b2');
    expect(violation(() => assertCellName('Cell-B7x')).message).toBe(
      'invalid cell name "Cell-B7x": may only contain lower-case letters (a-z) and digits (0-9), starting with a letter; must be at most 6 characters (it has 8)',
    );
    // a 10-character environment with a 6-character cell: the disabled user id would be 44 characters
    expect(violation(() => platformResourceNames('abcdefghij', 'cellxy')).message).toMatch(
      /invalid ElastiCache user id "cache-platform-abcdefghij-cellxy-default-off": is 44 characters, over the AWS limit of 40/,
    );
  });
});

describe('assertCellQuotas', () => {
  const twoCells = layout('dev', [DEFAULT_CELL, 3], ['b', 100]);

  it('passes a cell at its quota: the disabled default user and two services', () => {
    expect(() => assertCellQuotas(twoCells, [member('a1'), member('a2'), member('b1', 'b')])).not.toThrow();
  });

  it('fails a third service in a cell of 3 users, naming the cell, the count and the quota', () => {
    const error = violation(() => assertCellQuotas(twoCells, [member('a1'), member('a2'), member('a3', DEFAULT_CELL)]));
    expect(error.message).toBe(
      'invalid service count of cell "main" in environment "dev" 3: 3 services + 1 disabled default user = 4 users, over the users-per-group quota of 3; ' +
        'move a service to another cell (its manifest\'s "cell"), add a cell, or raise maxUsers after AWS raised the account\'s quota',
    );
  });

  it('counts a service only in the environments it runs in', () => {
    const members = [member('a1'), member('a2'), member('a3', undefined, ['prod'])];
    expect(() => assertCellQuotas(twoCells, members)).not.toThrow();
    expect(() => assertCellQuotas({ ...twoCells, environment: 'prod' }, members)).toThrow(/cell "main" in environment "prod" 3/);
  });

  it('refuses a cell the environment does not have, naming the manifest', () => {
    const error = violation(() => assertCellQuotas(twoCells, [{ ...member('x1', 'zz'), source: 'apps/x1/cache-service.json' }]));
    expect(error.message).toBe(
      'apps/x1/cache-service.json: invalid cell "zz": service "x1" names a cell environment "dev" does not have (cells: main, b)',
    );
  });

  it('keeps keyspaces unique across cells', () => {
    const members: CellMember[] = [member('a1'), { service: 'b1', keyspace: 'a1', cell: 'b' }];
    expect(() => assertCellQuotas(twoCells, members)).toThrow(
      'invalid keyspace "a1": is already claimed by service "a1"; keyspaces must be unique',
    );
    // with the manifests known, both are named
    const sourced = members.map((m) => ({ ...m, source: `services/${m.service}/cache-service.json` }));
    expect(() => assertCellQuotas(twoCells, sourced)).toThrow(
      'services/b1/cache-service.json: invalid keyspace "a1": is already claimed by service "a1" (services/a1/cache-service.json); keyspaces must be unique',
    );
  });
});

describe('placeService', () => {
  const layouts = [layout('dev', [DEFAULT_CELL, 3], ['b', 3]), layout('prod', [DEFAULT_CELL, 3], ['b', 3])];

  it('puts a new service in the default cell while it has room, then in the next cell', () => {
    expect(placeService(layouts, [member('a1')], { service: 'new' })).toBe(DEFAULT_CELL);
    expect(placeService(layouts, [member('a1'), member('a2')], { service: 'new' })).toBe('b');
  });

  it('needs room in every environment the service runs in', () => {
    const members = [member('a1'), member('a2', undefined, ['prod'])];
    expect(placeService(layouts, members, { service: 'new' })).toBe('b');
    expect(placeService(layouts, members, { service: 'new', environments: ['dev'] })).toBe(DEFAULT_CELL);
  });

  it('refuses a requested cell that is full, naming the cell, the count and the quota', () => {
    const error = violation(() => placeService(layouts, [member('a1'), member('a2')], { service: 'new', requested: DEFAULT_CELL }));
    expect(error.message).toBe(
      'invalid service count of cell "main" in environment "dev" 3: 3 services + 1 disabled default user = 4 users, over the users-per-group quota of 3; ' +
        'cell "main" is full (2 services already); pick another cell with --cell, add a cell, or raise maxUsers',
    );
    expect(() => placeService(layouts, [], { service: 'new', requested: 'zz' })).toThrow(
      'invalid cell "zz": environment "dev" has no such cell (cells: main, b)',
    );
  });

  it('refuses when every cell is full, listing each', () => {
    const members = [member('a1'), member('a2'), member('b1', 'b'), member('b2', 'b')];
    const error = violation(() => placeService(layouts, members, { service: 'new' }));
    expect(error.rules[0]).toBe("every cell is full: add a cell to the environment or raise a cell's maxUsers");
    expect(error.rules.slice(1).map((r) => r.split(':')[0])).toEqual([
      'invalid service count of cell "main" in environment "dev" 3',
      'invalid service count of cell "b" in environment "dev" 3',
    ]);
  });
});

describe('manifest cell and alarms', () => {
  const base = {
    service: 'orders-api',
    keyspace: 'orders',
    owner: 'team-orders',
    purpose: 'cache product lookups',
    authMode: 'password',
    accessProfile: 'readwrite',
  };

  it('accepts a cell and alarm overrides, and leaves them out when absent', () => {
    expect(assertServiceManifest(base, 'm.json')).not.toHaveProperty('cell');
    const m = assertServiceManifest({ ...base, cell: 'b', alarms: { errorRatePercent: 2.5, timeouts: 50 } }, 'm.json');
    expect(m.cell).toBe('b');
    expect(m.alarms).toEqual({ errorRatePercent: 2.5, timeouts: 50 });
  });

  it('refuses a bad cell and bad thresholds, all at once', () => {
    const error = violation(() =>
      assertServiceManifest({ ...base, cell: 'B-1', alarms: { errorRatePercent: 0, timeouts: 1.5, pages: 1 } }, 'm.json'),
    );
    expect(error.message).toBe(
      [
        'm.json: 4 problems:',
        '  - invalid field cell "B-1": may only contain lower-case letters (a-z) and digits (0-9), starting with a letter',
        '  - invalid field alarms.errorRatePercent 0: must be a percentage from 0.1 to 100',
        '  - invalid field alarms.timeouts 1.5: must be an integer of at least 1',
        '  - invalid field alarms.pages 1: unknown field; allowed fields are errorRatePercent, circuitOpens, timeouts, functionErrors, functionThrottles',
      ].join('\n'),
    );
  });

  it('describes both in the JSON schema', () => {
    const properties = serviceManifestJsonSchema()['properties'] as Record<string, Record<string, unknown>>;
    expect(properties['cell']).toMatchObject({ pattern: '^[a-z][a-z0-9]*$', maxLength: 6 });
    expect(Object.keys(properties['alarms']!['properties'] as object)).toEqual([
      'errorRatePercent',
      'circuitOpens',
      'timeouts',
      'functionErrors',
      'functionThrottles',
    ]);
  });
});

describe('metric definition', () => {
  it('names the namespace, the keyspace dimension and the alarm topic parameter', () => {
    expect(CACHE_METRIC_NAMESPACE).toBe('CachePlatform');
    expect(cacheMetricDimensions('orders')).toEqual({ Keyspace: 'orders' });
    expect(alarmTopicParameterName('dev')).toBe('/cache-platform/dev/alarms/topic-arn');
  });
});
