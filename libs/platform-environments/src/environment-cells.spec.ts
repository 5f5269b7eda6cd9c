import { DEFAULT_CELL } from '@cache-platform/cache-contract';
import { environmentCell, environmentCells, type Environment } from './index';

const env = (extra: Partial<Environment> = {}): Environment => ({
  name: 'dev',
  region: 'eu-west-1',
  platform: {
    owner: 't',
    vpcId: 'vpc-00000000',
    subnetIds: [],
    cache: { engine: 'valkey', majorEngineVersion: '8', snapshotRetentionLimit: 7, usageLimits: { dataStorageGb: { maximum: 5 } } },
  },
  ...extra,
});

describe('environmentCells: every cell resolved in one place', () => {
  it('has the default cell first, with platform.cache, whether listed or not', () => {
    expect(environmentCells(env()).cells).toEqual([{ name: DEFAULT_CELL, maxUsers: 100, cache: env().platform.cache }]);
    const listedLast = environmentCells(env({ cells: [{ name: 'b' }, { name: DEFAULT_CELL, maxUsers: 40 }] })).cells;
    expect(listedLast.map((c) => [c.name, c.maxUsers])).toEqual([
      [DEFAULT_CELL, 40],
      ['b', 100],
    ]);
  });

  it("spreads a cell's own cache over platform.cache field by field, the default cell's entry too", () => {
    const cells = environmentCells(
      env({
        cells: [
          { name: DEFAULT_CELL, cache: { preventDestroy: false } },
          { name: 'b', cache: { engine: 'redis', majorEngineVersion: '7', usageLimits: { ecpuPerSecond: { maximum: 2000 } } } },
        ],
      }),
    ).cells;
    expect(cells.map((c) => [c.name, c.cache])).toEqual([
      [
        DEFAULT_CELL,
        {
          engine: 'valkey',
          majorEngineVersion: '8',
          snapshotRetentionLimit: 7,
          usageLimits: { dataStorageGb: { maximum: 5 } },
          preventDestroy: false,
        },
      ],
      // a whole field is replaced, not merged into: b's limits are its own
      ['b', { engine: 'redis', majorEngineVersion: '7', snapshotRetentionLimit: 7, usageLimits: { ecpuPerSecond: { maximum: 2000 } } }],
    ]);
  });

  it('finds one cell by name, the default cell when none is named, and nothing for a cell the environment lacks', () => {
    const environment = env({ cells: [{ name: 'b', cache: { engine: 'redis', majorEngineVersion: '7' } }] });
    expect(environmentCell(environment)?.cache.engine).toBe('valkey');
    expect(environmentCell(environment, 'b')?.cache.engine).toBe('redis');
    expect(environmentCell(environment, 'c')).toBeUndefined();
  });

  it('refuses bad names, bad quotas and duplicates, all at once, naming the environment', () => {
    expect(() => environmentCells(env({ cells: [{ name: 'B' }, { name: 'c', maxUsers: 1 }, { name: 'c' }] }))).toThrow(
      [
        'environment dev: 3 problems:',
        '  - invalid cell name "B": may only contain lower-case letters (a-z) and digits (0-9), starting with a letter',
        '  - invalid users-per-group quota 1: must be an integer of at least 2 (the disabled default user and one service)',
        '  - invalid cell name "c": is listed more than once',
      ].join('\n'),
    );
  });
});
