import { readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { serviceCacheGenerator } from './generator';

const base = { owner: 'team-a', purpose: 'cache expensive lookups' };

function snapshotTree(tree: Tree): string[] {
  return tree.listChanges().map((c) => `${c.type} ${c.path}`).sort();
}

describe('service-cache generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('writes a complete app with every target', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    const project = readProjectConfiguration(tree, 'probe-svc');
    expect(project.root).toBe('apps/probe-svc');
    expect(Object.keys(project.targets ?? {}).sort()).toEqual(['bundle', 'deploy', 'destroy', 'diff', 'synth', 'typecheck', 'validate']);
    expect(project.targets!['deploy']!.dependsOn).toEqual(expect.arrayContaining([{ projects: ['platform'], target: 'deploy' }]));
    expect(project.tags).toContain('type:app');
    for (const file of [
      'cache-service.json',
      'cdktf.json',
      'tsconfig.json',
      'jest.config.cjs',
      'eslint.config.mjs',
      'MIGRATION.md',
      'src/main.ts',
      'src/environments.ts',
      'src/stacks/service-stack.ts',
      'src/stacks/service-stack.spec.ts',
      'src/handler/index.ts',
    ]) {
      expect(tree.exists(`apps/probe-svc/${file}`)).toBe(true);
    }
  });

  it('records owner, purpose and keyspace in the manifest, defaulting the keyspace to the name', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    expect(JSON.parse(tree.read('apps/probe-svc/cache-service.json', 'utf-8')!)).toEqual({
      service: 'probe-svc',
      keyspace: 'probe-svc',
      owner: 'team-a',
      purpose: 'cache expensive lookups',
      authMode: 'password',
      accessProfile: 'readwrite',
    });
  });

  it('fills the stack, handler and migration checklist in for the service', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', keyspace: 'probe', ...base });
    expect(tree.read('apps/probe-svc/src/stacks/service-stack.ts', 'utf-8')).toContain('export class ProbeSvcStack extends TerraformStack');
    expect(tree.read('apps/probe-svc/src/main.ts', 'utf-8')).toContain('`probe-svc-${name}`');
    const migration = tree.read('apps/probe-svc/MIGRATION.md', 'utf-8')!;
    expect(migration).toContain('Keyspace: **`probe:*`**');
    expect(migration.match(/^## \d\. /gm)).toHaveLength(6);
    expect(tree.read('apps/probe-svc/cdktf.json', 'utf-8')).toContain('../../tools/lambda-bundle/bin/bundle.cjs');
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
    expect(readProjectConfiguration(tree, 'probe-svc').root).toBe('apps/team-a/probe-svc');
    expect(tree.read('apps/team-a/probe-svc/tsconfig.json', 'utf-8')).toContain('"../../../tsconfig.base.json"');
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
      [{ name: 'probe', purpose: 'uses <redis>' }, 'AWS tag values allow only'],
      [{ name: 'probe', authMode: 'token' }, 'invalid authMode "token": must be one of password, iam'],
      [{ name: 'probe', directory: '../outside' }, 'invalid directory "../outside": must be a relative folder inside the workspace'],
    ])('%j', async (override, message) => {
      const before = snapshotTree(tree);
      await expect(serviceCacheGenerator(tree, { ...base, ...override } as never)).rejects.toThrow(message);
      expect(snapshotTree(tree)).toEqual(before);
    });

    it('a name that is already a project', async () => {
      await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
      const before = snapshotTree(tree);
      await expect(serviceCacheGenerator(tree, { name: 'probe-svc', keyspace: 'other', ...base })).rejects.toThrow(
        'invalid service name "probe-svc": a project with that name already exists at apps/probe-svc',
      );
      expect(snapshotTree(tree)).toEqual(before);
    });

    it('a keyspace another service already claims', async () => {
      await serviceCacheGenerator(tree, { name: 'orders-api', keyspace: 'orders', ...base });
      const before = snapshotTree(tree);
      await expect(serviceCacheGenerator(tree, { name: 'orders-worker', keyspace: 'orders', ...base })).rejects.toThrow(
        'invalid keyspace "orders": is already claimed by service "orders-api"; keyspaces must be unique',
      );
      expect(snapshotTree(tree)).toEqual(before);
    });

    it('a keyspace equal to another service\'s defaulted keyspace', async () => {
      await serviceCacheGenerator(tree, { name: 'catalog', ...base });
      await expect(serviceCacheGenerator(tree, { name: 'catalog-v2', keyspace: 'catalog', ...base })).rejects.toThrow(
        'is already claimed by service "catalog"',
      );
    });

    it('a folder that exists with files in it', async () => {
      tree.write('apps/probe-svc/notes.txt', 'hand-made');
      await expect(serviceCacheGenerator(tree, { name: 'probe-svc', ...base })).rejects.toThrow('the folder apps/probe-svc already exists and is not empty');
    });
  });
});
