import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTestTree } from '../../../test/tree';
import { assertServiceManifest } from '@cache-platform/cache-contract';
import { serviceTargets } from '../../../plugin.cjs';
import { serviceCacheGenerator } from './generator';

const base = { owner: 'team-a', purpose: 'cache expensive lookups' };

function snapshotTree(tree: Tree): string[] {
  return tree
    .listChanges()
    .map((c) => `${c.type} ${c.path}`)
    .sort();
}

describe('service-cache generator', () => {
  let tree: Tree;
  let cleanup: () => void;
  beforeEach(() => {
    ({ tree, cleanup } = createTestTree());
  });
  afterEach(() => cleanup());

  const TEAM_FILES = [
    'MIGRATION.md',
    'cache-service.json',
    'cdktf.json',
    'src/handler/handler.spec.ts',
    'src/handler/index.ts',
    'src/stack.ts',
    'tsconfig.json',
  ];

  it('writes only what a team owns: no project.json, no platform wiring', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    const created = tree
      .listChanges()
      .filter((c) => c.type === 'CREATE' && c.path.startsWith('apps/probe-svc/'))
      .map((c) => c.path.slice('apps/probe-svc/'.length))
      .sort();
    expect(created).toEqual(TEAM_FILES);
    for (const file of created) {
      const text = tree.read(`apps/probe-svc/${file}`, 'utf-8')!;
      for (const wiring of ['new ServiceCacheAccess', 'new CacheFunction', 'configureAwsStack', 'selectEnvironments', 'TerraformStack']) {
        expect(`${file}: ${text.includes(wiring)}`).toBe(`${file}: false`);
      }
    }
  });

  it('records owner, purpose, keyspace, handler and extension point in the manifest, defaulting the keyspace to the name', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    const written = JSON.parse(tree.read('apps/probe-svc/cache-service.json', 'utf-8')!);
    expect(written).toEqual({
      $schema: '../../libs/cache-contract/cache-service.schema.json',
      service: 'probe-svc',
      keyspace: 'probe-svc',
      owner: 'team-a',
      purpose: 'cache expensive lookups',
      authMode: 'password',
      accessProfile: 'readwrite',
      handler: 'src/handler/index.ts',
      stackExtension: 'src/stack.ts',
    });
    // what the generator writes is what the synth accepts
    expect(() => assertServiceManifest(written, 'cache-service.json')).not.toThrow();
  });

  it('fills the handler, extension point and migration checklist in for the service', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', keyspace: 'probe', ...base });
    expect(tree.read('apps/probe-svc/src/stack.ts', 'utf-8')).toContain('export function extendStack(stack: ServiceStack): void');
    const migration = tree.read('apps/probe-svc/MIGRATION.md', 'utf-8')!;
    expect(migration).toContain('Keyspace: **`probe:*`**');
    expect(migration.match(/^## \d\. /gm)).toHaveLength(6);
    expect(tree.read('apps/probe-svc/cdktf.json', 'utf-8')).toContain(
      '../../tools/lambda-bundle/bin/bundle.cjs && node -r @swc-node/register ../../libs/service-access/src/main.ts',
    );
  });

  it('writes generated-doc commands that run as written: known targets, environments named where required', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    const migration = tree.read('apps/probe-svc/MIGRATION.md', 'utf-8')!;
    const commands = [...migration.matchAll(/`((?:[A-Z_]+=\S+ )*npx nx run ([\w-]+):(\w+)[^`]*)`/g)];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const inferred = Object.keys(serviceTargets('apps/probe-svc'));
    for (const [, command, project, target] of commands) {
      expect(`${command}: ${['probe-svc', 'platform'].includes(project!)}`).toBe(`${command}: true`);
      if (project === 'probe-svc') expect(`${command}: ${inferred.includes(target!)}`).toBe(`${command}: true`);
      // the deploy wrapper refuses these without an environment
      if (['deploy', 'diff', 'destroy'].includes(target!)) expect(command).toMatch(/^CACHE_PLATFORM_ENVIRONMENTS=\w+ /);
    }
  });

  it('wires IAM token auth into the handler of an iam service, and keeps SigV4 out of password services', async () => {
    await serviceCacheGenerator(tree, { name: 'iam-svc', authMode: 'iam', ...base });
    const iamHandler = tree.read('apps/iam-svc/src/handler/index.ts', 'utf-8')!;
    expect(iamHandler).toContain("import { iamAuthTokenProvider } from '@cache-platform/cache-client/iam-auth';");
    expect(iamHandler).toContain('createServiceCache({ authTokenProvider: iamAuthTokenProvider() })');
    expect(JSON.parse(tree.read('apps/iam-svc/cache-service.json', 'utf-8')!).authMode).toBe('iam');
    await serviceCacheGenerator(tree, { name: 'pw-svc', ...base });
    const passwordHandler = tree.read('apps/pw-svc/src/handler/index.ts', 'utf-8')!;
    expect(passwordHandler).not.toContain('iam-auth');
    expect(passwordHandler).toContain('createServiceCache()');
  });

  it('honours a nested directory in relative paths', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', directory: 'apps/team-a', ...base });
    expect(tree.read('apps/team-a/probe-svc/tsconfig.json', 'utf-8')).toContain('"../../../tsconfig.base.json"');
    expect(tree.read('apps/team-a/probe-svc/cdktf.json', 'utf-8')).toContain('node ../../../tools/lambda-bundle/bin/bundle.cjs');
    expect(JSON.parse(tree.read('apps/team-a/probe-svc/cache-service.json', 'utf-8')!).$schema).toBe(
      '../../../libs/cache-contract/cache-service.schema.json',
    );
  });

  describe('refuses bad input with one clear message and leaves the tree untouched', () => {
    it.each([
      [{ name: 'Probe' }, 'invalid service name "Probe": must be lower case'],
      [{ name: 'probe:svc' }, 'invalid service name "probe:svc": must not contain ":"'],
      [{ name: 'default' }, 'invalid service name "default": is reserved'],
      [{ name: 'probe--svc' }, 'must not contain consecutive hyphens'],
      [{ name: 'x'.repeat(29) }, 'must be at most 28 characters'],
      [{ name: 'probe', keyspace: 'a*' }, 'invalid keyspace "a*": must not contain "*"'],
      [{ name: 'probe', keyspace: 'default' }, 'invalid keyspace "default": is reserved'],
      [{ name: 'probe', owner: '' }, 'invalid tag cache-platform:owner "": must be a non-empty string'],
      [{ name: 'probe', owner: undefined }, 'invalid --owner undefined: is required: pass it, e.g. --owner=team-orders'],
      [
        { name: 'probe', purpose: undefined },
        'invalid --purpose undefined: is required: pass it, e.g. --purpose="cache product lookups in front of the catalog DB"',
      ],
      [{ name: 'probe', purpose: 'uses <redis>' }, 'AWS tag values allow only'],
      [{ name: 'probe', authMode: 'token' }, 'invalid authMode "token": must be one of password, iam'],
      [{ name: 'probe', directory: '../outside' }, 'invalid directory "../outside": must be a relative folder inside the workspace'],
    ])('%j', async (override, message) => {
      const before = snapshotTree(tree);
      await expect(serviceCacheGenerator(tree, { ...base, ...override } as never)).rejects.toThrow(message);
      expect(snapshotTree(tree)).toEqual(before);
    });

    it('a name that is already a service (inferred from its manifest, no project.json)', async () => {
      await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
      const before = snapshotTree(tree);
      await expect(
        serviceCacheGenerator(tree, { name: 'probe-svc', keyspace: 'other', directory: 'apps/elsewhere', ...base }),
      ).rejects.toThrow('invalid service name "probe-svc": a project with that name already exists at apps/probe-svc');
      expect(snapshotTree(tree)).toEqual(before);
    });

    it('a name that is already a project.json project', async () => {
      addProjectConfiguration(tree, 'platform', { root: 'apps/platform' });
      await expect(serviceCacheGenerator(tree, { name: 'platform-x', ...base })).resolves.toBeUndefined();
      addProjectConfiguration(tree, 'billing', { root: 'libs/billing' });
      await expect(serviceCacheGenerator(tree, { name: 'billing', ...base })).rejects.toThrow(
        'a project with that name already exists at libs/billing',
      );
    });

    it('a keyspace another service already claims', async () => {
      await serviceCacheGenerator(tree, { name: 'orders-api', keyspace: 'orders', ...base });
      const before = snapshotTree(tree);
      await expect(serviceCacheGenerator(tree, { name: 'orders-worker', keyspace: 'orders', ...base })).rejects.toThrow(
        'invalid keyspace "orders": is already claimed by service "orders-api"; keyspaces must be unique',
      );
      expect(snapshotTree(tree)).toEqual(before);
    });

    it("a keyspace equal to another service's defaulted keyspace", async () => {
      await serviceCacheGenerator(tree, { name: 'catalog', ...base });
      await expect(serviceCacheGenerator(tree, { name: 'catalog-v2', keyspace: 'catalog', ...base })).rejects.toThrow(
        'is already claimed by service "catalog"',
      );
    });

    it('a folder that exists with files in it', async () => {
      tree.write('apps/probe-svc/notes.txt', 'hand-made');
      await expect(serviceCacheGenerator(tree, { name: 'probe-svc', ...base })).rejects.toThrow(
        'the folder apps/probe-svc already exists and is not empty',
      );
    });
  });
});
