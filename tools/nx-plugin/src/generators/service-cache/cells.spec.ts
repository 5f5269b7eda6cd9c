import type { Tree } from '@nx/devkit';
import { DEFAULT_CELL } from '@cache-platform/cache-contract';
import { ENVIRONMENTS, type Environment } from '@cache-platform/platform-environments';
import { createTestTree } from '../../../test/tree';
import { serviceCacheGenerator } from './generator';

const base = { owner: 'team-a', purpose: 'cache expensive lookups' };

/** Every environment with cells `main` (3 users: the disabled default user and two services) and `b`. */
const smallCells = (bQuota = 100): Environment[] =>
  ENVIRONMENTS.map((e) => ({
    ...e,
    cells: [
      { name: DEFAULT_CELL, maxUsers: 3 },
      { name: 'b', maxUsers: bQuota },
    ],
  }));

const changes = (tree: Tree) =>
  tree
    .listChanges()
    .map((c) => `${c.type} ${c.path} ${c.content?.toString('utf8') ?? ''}`)
    .sort();
const manifestOf = (tree: Tree, service: string) => JSON.parse(tree.read(`apps/${service}/cache-service.json`, 'utf-8')!);

describe('service-cache generator: cells', () => {
  let tree: Tree;
  let cleanup: () => void;
  beforeEach(() => ({ tree, cleanup } = createTestTree()));
  afterEach(() => cleanup());

  it('leaves the default cell implicit, and puts the next service into the next cell with room', async () => {
    const environments = smallCells();
    await serviceCacheGenerator(tree, { name: 'svc-a', ...base }, environments);
    await serviceCacheGenerator(tree, { name: 'svc-b', ...base }, environments);
    expect(manifestOf(tree, 'svc-a')).not.toHaveProperty('cell');
    expect(manifestOf(tree, 'svc-b')).not.toHaveProperty('cell');
    await serviceCacheGenerator(tree, { name: 'svc-c', ...base }, environments);
    expect(manifestOf(tree, 'svc-c').cell).toBe('b');
    // --cell chooses a cell with room, even when the default has some
    await serviceCacheGenerator(tree, { name: 'svc-d', cell: 'b', ...base }, environments);
    expect(manifestOf(tree, 'svc-d').cell).toBe('b');
  });

  it('with a quota of 3 users, refuses a third service into that cell and leaves the tree untouched', async () => {
    const environments = smallCells();
    await serviceCacheGenerator(tree, { name: 'svc-a', ...base }, environments);
    await serviceCacheGenerator(tree, { name: 'svc-b', ...base }, environments);
    const before = changes(tree);
    await expect(serviceCacheGenerator(tree, { name: 'svc-c', cell: DEFAULT_CELL, ...base }, environments)).rejects.toThrow(
      'invalid service count of cell "main" in environment "dev" 3: 3 services + 1 disabled default user = 4 users, over the users-per-group quota of 3; ' +
        'cell "main" is full (2 services already); pick another cell with --cell, add a cell, or raise maxUsers',
    );
    expect(changes(tree)).toEqual(before);
  });

  it('refuses when every cell is full, and a cell no environment has', async () => {
    const environments = smallCells(2);
    await serviceCacheGenerator(tree, { name: 'svc-a', ...base }, environments);
    await serviceCacheGenerator(tree, { name: 'svc-b', ...base }, environments);
    await serviceCacheGenerator(tree, { name: 'svc-c', ...base }, environments);
    const before = changes(tree);
    await expect(serviceCacheGenerator(tree, { name: 'svc-d', ...base }, environments)).rejects.toThrow(
      /invalid service "svc-d": every cell is full: add a cell to the environment or raise a cell's maxUsers; .*cell "main" in environment "dev" 3.*cell "b" in environment "dev" 2/,
    );
    await expect(serviceCacheGenerator(tree, { name: 'svc-d', cell: 'zz', ...base }, environments)).rejects.toThrow(
      'invalid cell "zz": environment "dev" has no such cell (cells: main, b)',
    );
    expect(changes(tree)).toEqual(before);
  });
});
