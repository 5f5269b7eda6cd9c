import { addProjectConfiguration, logger, type Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushChanges } from 'nx/src/generators/tree';
import { createTestTree } from '../../../test/tree';
import { assertServiceManifest, MIN_PURPOSE_LENGTH } from '@cache-platform/cache-contract';
import { ENVIRONMENTS, readWorkspace } from '@cache-platform/platform-environments';
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
    // cdktf in the app folder runs the service's own synth target: no platform path, nothing to keep in step
    expect(JSON.parse(tree.read('apps/probe-svc/cdktf.json', 'utf-8')!).app).toBe('npx nx run probe-svc:synth');
  });

  it('writes generated-doc commands that run as written: known targets, environments named where required', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    const migration = tree.read('apps/probe-svc/MIGRATION.md', 'utf-8')!;
    const commands = [...migration.matchAll(/`((?:[A-Z_]+=\S+ )*npx nx run ([\w-]+):([\w-]+)[^`]*)`/g)];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const inferred = Object.keys(serviceTargets('apps/probe-svc'));
    for (const [, command, project, target] of commands) {
      expect(`${command}: ${['probe-svc', 'platform'].includes(project!)}`).toBe(`${command}: true`);
      if (project === 'probe-svc') expect(`${command}: ${inferred.includes(target!)}`).toBe(`${command}: true`);
      // the deploy wrapper refuses these without an environment
      if (['deploy', 'diff', 'destroy'].includes(target!)) expect(command).toMatch(/^CACHE_PLATFORM_ENVIRONMENTS=<env> /);
    }
    // a first deploy with local state is refused without the wrapper's flag, after nx's `--`
    expect(commands.map(([, command]) => command)).toContain(
      'CACHE_PLATFORM_ENVIRONMENTS=<env> npx nx run probe-svc:deploy -- --first-deploy',
    );
    // the environments and their regions come from the command that reads the list, never from a copy
    expect(migration).toContain('npm run -s environments -- probe-svc');
  });

  it('writes nothing that depends on the environment list: a platform change to it leaves generated files as they are', async () => {
    const [dev] = ENVIRONMENTS;
    const changed = [
      { ...dev!, name: 'qa', region: 'ap-southeast-2' },
      { ...dev!, name: 'live', region: 'us-west-2', protected: true },
    ];
    const other = createTestTree();
    try {
      for (const [target, environments] of [
        [tree, ENVIRONMENTS],
        [other.tree, changed],
      ] as const) {
        await serviceCacheGenerator(target, { name: 'probe-svc', ...base }, environments);
        await serviceCacheGenerator(target, { name: 'iam-svc', authMode: 'iam', directory: 'services/payments', ...base }, environments);
      }
      const files = (t: Tree) =>
        t
          .listChanges()
          .filter((c) => c.type === 'CREATE')
          .map((c) => [c.path, t.read(c.path, 'utf-8')] as const);
      expect(files(other.tree)).toEqual(files(tree));
      const written = files(tree)
        .map(([, text]) => text)
        .join('\n');
      for (const e of [...ENVIRONMENTS, ...changed]) {
        expect(`${e.region}: ${written.includes(e.region)}`).toBe(`${e.region}: false`);
        expect(`${e.name}: ${new RegExp(`[-=]${e.name}\\b`).test(written)}`).toBe(`${e.name}: false`);
      }
    } finally {
      other.cleanup();
    }
  });

  it('states the auth mode once, in the manifest: the handler of an iam service is the password one (the secret says which)', async () => {
    await serviceCacheGenerator(tree, { name: 'iam-svc', authMode: 'iam', ...base });
    await serviceCacheGenerator(tree, { name: 'pw-svc', ...base });
    expect(JSON.parse(tree.read('apps/iam-svc/cache-service.json', 'utf-8')!).authMode).toBe('iam');
    const iamHandler = tree.read('apps/iam-svc/src/handler/index.ts', 'utf-8')!;
    const passwordHandler = tree.read('apps/pw-svc/src/handler/index.ts', 'utf-8')!;
    expect(iamHandler.replaceAll('iam-svc', 'pw-svc')).toBe(passwordHandler);
    expect(iamHandler).not.toMatch(/iam-auth|authTokenProvider|authMode/);
    expect(iamHandler).toContain('export const handler = createHandler(createServiceCache());');
  });

  it('leaves the invocation lifecycle to the library: the handler wraps itself in withServiceCache and states no lifecycle call', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
    const handler = tree.read('apps/probe-svc/src/handler/index.ts', 'utf-8')!;
    expect(handler).toContain('return withServiceCache(cache, async (event: HandlerEvent): Promise<HandlerResponse> => {');
    expect(handler).not.toMatch(/settle\(|flushMetrics\(/);
  });

  it('honours a nested directory in relative paths', async () => {
    await serviceCacheGenerator(tree, { name: 'probe-svc', directory: 'apps/team-a', ...base });
    expect(tree.read('apps/team-a/probe-svc/tsconfig.json', 'utf-8')).toContain('"../../../tsconfig.base.json"');
    // cdktf.json names the project, not a path: the same at any depth
    expect(JSON.parse(tree.read('apps/team-a/probe-svc/cdktf.json', 'utf-8')!).app).toBe('npx nx run probe-svc:synth');
    expect(JSON.parse(tree.read('apps/team-a/probe-svc/cache-service.json', 'utf-8')!).$schema).toBe(
      '../../../libs/cache-contract/cache-service.schema.json',
    );
  });

  it('puts a service under --directory=services/payments, where it counts for the generator and the workspace model alike', async () => {
    await serviceCacheGenerator(tree, { name: 'payments-api', directory: 'services/payments', ...base });
    expect(tree.exists('services/payments/payments-api/cache-service.json')).toBe(true);
    await expect(serviceCacheGenerator(tree, { name: 'refunds-api', keyspace: 'payments-api', ...base })).rejects.toThrow(
      'invalid keyspace "payments-api": is already claimed by service "payments-api"',
    );
    // on disk, the model every tool reads (synth, audit, policy, local run) finds it where it was put
    flushChanges(tree.root, tree.listChanges());
    const workspace = readWorkspace(tree.root);
    expect(workspace.services.map((s) => [s.root, s.manifest.service, s.source])).toEqual([
      ['services/payments/payments-api', 'payments-api', 'services/payments/payments-api/cache-service.json'],
    ]);
    expect(workspace.cdktfApps).toEqual(['services/payments/payments-api']);
  });

  it('names the file of a manifest that is not JSON, and leaves the tree untouched', async () => {
    tree.write('services/broken/cache-service.json', '{ not json');
    const before = snapshotTree(tree);
    await expect(serviceCacheGenerator(tree, { name: 'probe-svc', ...base })).rejects.toThrow(
      /^services\/broken\/cache-service\.json: invalid JSON ".*": the manifest must be valid JSON$/,
    );
    expect(snapshotTree(tree)).toEqual(before);
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
      [{ name: 'probe', owner: '' }, 'invalid --owner "": must be a non-empty string'],
      [{ name: 'probe', owner: undefined }, /^--owner is required: pass it, e.g. --owner=team-orders$/],
      [
        { name: 'probe', purpose: undefined },
        /^--purpose is required: pass it, e.g. --purpose="cache product lookups in front of the catalog DB"$/,
      ],
      [
        { name: 'probe', purpose: 'x' },
        `invalid --purpose "x": must say why the service needs the cache in at least ${MIN_PURPOSE_LENGTH} characters`,
      ],
      [{ name: 'probe', purpose: '   cache   ' }, 'invalid --purpose "cache": must say why the service needs the cache in at least 10'],
      [{ name: undefined }, /^service name is required: pass the service name first, e.g. nx g service-cache orders-api /],
      [{ name: '  ' }, /^service name is required: /],
      [{ name: 'probe', purpose: 'uses <redis>' }, 'AWS tag values allow only'],
      [{ name: 'probe', authMode: 'token' }, 'invalid authMode "token": must be one of password, iam'],
      [{ name: 'probe', directory: '../outside' }, 'invalid directory "../outside": must be a relative folder inside the workspace'],
      [
        { name: 'probe', directory: 'services/dist' },
        'invalid directory "services/dist": dist holds build output or tool state, which neither Nx nor any platform tool reads',
      ],
    ])('%j', async (override, message) => {
      const before = snapshotTree(tree);
      await expect(serviceCacheGenerator(tree, { ...base, ...override } as never)).rejects.toThrow(message);
      await expect(serviceCacheGenerator(tree, { ...base, ...override } as never)).rejects.not.toThrow('undefined');
      expect(snapshotTree(tree)).toEqual(before);
    });

    it('names every problem of a run at once: a bad name, a claimed keyspace and an unknown cell are three lines of one error', async () => {
      await serviceCacheGenerator(tree, { name: 'orders-api', keyspace: 'orders', ...base });
      const before = snapshotTree(tree);
      const refusal = serviceCacheGenerator(tree, { ...base, name: 'Orders', keyspace: 'orders', cell: 'nope' });
      await expect(refusal).rejects.toThrow(
        [
          '3 problems:',
          '  - invalid service name "Orders": must be lower case (ElastiCache stores user ids lower-cased, so upper case would collide)',
          '  - invalid keyspace "orders": is already claimed by service "orders-api"; keyspaces must be unique',
          '  - invalid cell "nope": environment "dev" has no such cell (cells: main)',
        ].join('\n'),
      );
      expect(snapshotTree(tree)).toEqual(before);
    });

    it("keeps each line's file when a manifest in the workspace has problems of its own", async () => {
      const manifest = { service: 'Broken', keyspace: 'b*', owner: 'team-b', purpose: 'cache broken lookups', authMode: 'password' };
      tree.write('services/broken/cache-service.json', JSON.stringify({ ...manifest, accessProfile: 'readwrite' }));
      await expect(serviceCacheGenerator(tree, { ...base, name: 'Probe' })).rejects.toThrow(
        /^3 problems:\n {2}- invalid service name "Probe": .*\n {2}- services\/broken\/cache-service\.json: invalid field service "Broken": .*\n {2}- services\/broken\/cache-service\.json: invalid field keyspace "b\*": /,
      );
    });

    it('names both missing flags, --owner and --purpose, and no "undefined"', async () => {
      const refusal = serviceCacheGenerator(tree, { name: 'probe' } as never);
      await expect(refusal).rejects.toThrow(
        '2 problems:\n  - --owner is required: pass it, e.g. --owner=team-orders\n  - --purpose is required: pass it, e.g. --purpose=',
      );
      await expect(serviceCacheGenerator(tree, {} as never)).rejects.toThrow(
        /^3 problems:\n {2}- service name is required: .*\n {2}- --owner is required: .*\n {2}- --purpose is required: [^\n]*$/,
      );
    });

    it(`accepts a purpose of exactly ${MIN_PURPOSE_LENGTH} characters`, async () => {
      await serviceCacheGenerator(tree, { name: 'probe', owner: 'team-a', purpose: 'p'.repeat(MIN_PURPOSE_LENGTH) });
      expect(JSON.parse(tree.read('apps/probe/cache-service.json', 'utf-8')!).purpose).toBe('p'.repeat(MIN_PURPOSE_LENGTH));
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
      await expect(serviceCacheGenerator(tree, { name: 'platform-x', ...base })).resolves.toEqual(expect.any(Function));
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

  describe('--existing: adopts an app that already exists, without touching its code', () => {
    const HANDLER =
      "import { createClient } from '@redis/client';\nexport const handler = async () => createClient({ url: process.env.REDIS_URL });\n";
    const TSCONFIG = '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "strict": true } }\n';
    const addLegacyApp = (name = 'legacy-api', handlerPath = 'src/handler/index.ts') => {
      addProjectConfiguration(tree, name, { root: `apps/${name}`, projectType: 'application' });
      tree.write(`apps/${name}/${handlerPath}`, HANDLER);
      tree.write(`apps/${name}/tsconfig.json`, TSCONFIG);
    };
    const changed = () => tree.listChanges().map((c) => `${c.type} ${c.path}`);

    it('writes the manifest, the stack extension, the checklist and cdktf.json next to the untouched handler', async () => {
      addLegacyApp();
      const before = new Set(changed());
      await serviceCacheGenerator(tree, { name: 'legacy-api', existing: true, ...base });
      const added = changed()
        .filter((c) => !before.has(c))
        .sort();
      expect(added).toEqual([
        'CREATE apps/legacy-api/MIGRATION.md',
        'CREATE apps/legacy-api/cache-service.json',
        'CREATE apps/legacy-api/cdktf.json',
        'CREATE apps/legacy-api/src/stack.ts',
      ]);
      expect(tree.read('apps/legacy-api/src/handler/index.ts', 'utf-8')).toBe(HANDLER);
      expect(tree.read('apps/legacy-api/tsconfig.json', 'utf-8')).toBe(TSCONFIG);
      expect(tree.exists('apps/legacy-api/src/handler/handler.spec.ts')).toBe(false);
      const manifest = JSON.parse(tree.read('apps/legacy-api/cache-service.json', 'utf-8')!);
      expect(manifest).toMatchObject({
        service: 'legacy-api',
        keyspace: 'legacy-api',
        handler: 'src/handler/index.ts',
        stackExtension: 'src/stack.ts',
      });
      expect(() => assertServiceManifest(manifest, 'cache-service.json')).not.toThrow();
      const checklist = tree.read('apps/legacy-api/MIGRATION.md', 'utf-8')!;
      expect(checklist).toContain(
        '`nx g service-cache legacy-api --existing` added `cache-service.json` (handler: `src/handler/index.ts`)',
      );
      expect(checklist).toContain('npx nx run legacy-api:migration-check');
      expect(checklist.match(/^## \d\. /gm)).toHaveLength(6);
    });

    it('finds the handler entry where the app keeps it, or where --handler says', async () => {
      addLegacyApp('flat-api', 'src/index.ts');
      await serviceCacheGenerator(tree, { name: 'flat-api', existing: true, ...base });
      expect(JSON.parse(tree.read('apps/flat-api/cache-service.json', 'utf-8')!).handler).toBe('src/index.ts');
      addLegacyApp('odd-api', 'src/lambda/entry.ts');
      await serviceCacheGenerator(tree, { name: 'odd-api', existing: true, handler: 'src/lambda/entry.ts', ...base });
      expect(JSON.parse(tree.read('apps/odd-api/cache-service.json', 'utf-8')!).handler).toBe('src/lambda/entry.ts');
    });

    describe('refuses with the value and the rule, and leaves the tree untouched', () => {
      const refused = async (schema: Record<string, unknown>, message: string) => {
        const before = snapshotTree(tree);
        await expect(serviceCacheGenerator(tree, { ...base, existing: true, ...schema } as never)).rejects.toThrow(message);
        expect(snapshotTree(tree)).toEqual(before);
      };

      it('an app that is not found', async () => {
        addLegacyApp();
        await refused(
          { name: 'ghost-api' },
          'invalid --existing "ghost-api": no Nx project with that name (a project.json "name") in the workspace (projects: legacy-api): name an existing app, or leave out --existing to create a new one',
        );
      });

      it('an app that is already wired', async () => {
        addLegacyApp();
        await serviceCacheGenerator(tree, { name: 'legacy-api', existing: true, ...base });
        await refused(
          { name: 'legacy-api' },
          'invalid --existing "legacy-api": is already wired to the shared cache: apps/legacy-api/cache-service.json exists',
        );
        // a generated service (no project.json) is wired too
        await serviceCacheGenerator(tree, { name: 'new-api', ...base });
        await refused(
          { name: 'new-api' },
          'invalid --existing "new-api": is already wired to the shared cache: apps/new-api/cache-service.json exists',
        );
      });

      it('a keyspace another service claims', async () => {
        await serviceCacheGenerator(tree, { name: 'orders-api', keyspace: 'orders', ...base });
        addLegacyApp();
        await refused(
          { name: 'legacy-api', keyspace: 'orders' },
          'invalid keyspace "orders": is already claimed by service "orders-api"; keyspaces must be unique',
        );
      });

      it('an app whose handler entry is not found', async () => {
        addLegacyApp('worker-api', 'lib/worker.ts');
        await refused(
          { name: 'worker-api' },
          'invalid handler entry "src/handler/index.ts, src/handler.ts, src/index.ts, src/main.ts": none of these is in apps/worker-api: pass the entry file with --handler=<path inside the app>',
        );
        await refused({ name: 'worker-api', handler: 'lib/nope.ts' }, 'invalid --handler "lib/nope.ts": is not a file in apps/worker-api');
      });

      it('an app with its own cdktf.json or stack.ts (adoption would overwrite them)', async () => {
        addLegacyApp();
        tree.write('apps/legacy-api/cdktf.json', '{ "app": "npx ts-node main.ts" }');
        await refused({ name: 'legacy-api' }, 'adoption writes apps/legacy-api/cdktf.json, which already exist');
      });

      it('--directory or --handler where they do not apply', async () => {
        addLegacyApp();
        await refused(
          { name: 'legacy-api', directory: 'apps/x' },
          'invalid --directory "apps/x": is for a new app: --existing adopts the app where it is',
        );
        await refused({ name: 'other-api', existing: false, handler: 'src/x.ts' }, 'invalid --handler "src/x.ts": is for --existing');
      });
    });
  });
  describe('after success, and in --help', () => {
    it('prints the next steps with the service filled in, once the files are written', async () => {
      const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
      try {
        const afterWrite = await serviceCacheGenerator(tree, { name: 'probe-svc', ...base });
        expect(info).not.toHaveBeenCalled();
        afterWrite();
        const printed = info.mock.calls.map((c) => String(c[0])).join('\n');
        expect(printed).toMatch(/^next steps for probe-svc \(apps\/probe-svc\):/);
        for (const command of [
          'npx nx test probe-svc',
          'npx nx run probe-svc:validate',
          'npx nx run probe-svc:describe',
          'npx nx run probe-svc:migration-check',
          'CACHE_PLATFORM_ENVIRONMENTS=dev npx nx run probe-svc:deploy',
        ]) {
          expect(printed).toContain(command);
        }
        // every target named is one the plugin infers for the service
        const targets = Object.keys(serviceTargets('apps/probe-svc'));
        for (const [, target] of printed.matchAll(/nx run probe-svc:([a-z-]+)/g)) expect(targets).toContain(target);
      } finally {
        info.mockRestore();
      }
    });

    it('gives --help a description, and takes the missing-name message from the generator (no `required` for Nx to answer first)', () => {
      const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8'));
      const generators = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'generators.json'), 'utf8'));
      expect(schema.description).toMatch(/^Scaffold a service onto the shared cache/);
      expect(generators.generators['service-cache'].description).toMatch(/^Scaffold a service stack onto the shared cache/);
      expect(schema.required).toBeUndefined();
      // the purpose minimum, as the flag's help states it, is the contract's
      expect(schema.properties.purpose.description).toContain(`at least ${MIN_PURPOSE_LENGTH} characters`);
    });
  });
});
