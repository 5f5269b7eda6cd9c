// `describe` on both samples, synthesized for real (copied into the workspace's tmp/, at the depth of
// apps/, and bundled and synthesized with the commands of their Nx targets), checked against the
// workspace model; and on a hand-written stack for what the samples do not show (another cell, S3 state).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cellOf } from '@cache-platform/cache-contract';
import { serviceManifest } from '@cache-platform/cache-contract/testing';
import { readWorkspace } from '@cache-platform/platform-environments';
import { describeService, main, type ServiceDescription } from '../src/describe/describe';

const workspace = resolve(__dirname, '..', '..', '..');
const model = readWorkspace(workspace);
const samples = model.services.filter((s) => s.root.startsWith('apps/')).map((s) => s.manifest);

describe('describe: what a service owns, per environment', () => {
  let scratch: string;
  beforeAll(() => {
    mkdirSync(join(workspace, 'tmp'), { recursive: true });
    scratch = mkdtempSync(join(workspace, 'tmp', 'describe-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has both samples, one per auth mode', () => {
    expect(samples.map((m) => m.authMode).sort()).toEqual(['iam', 'password']);
  });

  it.each(samples.map((m) => [m.service, m] as const))(
    '%s: read from its synthesized stacks, as the model says',
    (name, manifest) => {
      const app = join(scratch, name);
      cpSync(join(workspace, 'apps', name), app, {
        recursive: true,
        filter: (path) => !/[/\\](cdktf\.out|dist|state|node_modules)$/.test(path),
      });
      const run = (script: string, ...args: string[]) =>
        execFileSync(process.execPath, [join(workspace, script), ...args], { cwd: app, stdio: 'pipe', encoding: 'utf8' });
      run('tools/lambda-bundle/bin/bundle.cjs');
      run('tools/terraform/bin/synth.cjs', join(workspace, 'libs/service-access/src/main.ts'));

      // the CLI, as the target runs it (under tmp/ the TypeScript loader may print a note first)
      const out = run('tools/nx-plugin/bin/describe.cjs', '--json');
      const description = JSON.parse(out.slice(out.indexOf('{\n'))) as ServiceDescription;
      expect(description).toEqual(describeService(app));
      expect(description.service).toBe(name);
      // the environments the service runs in, as far as this run synthesizes them
      const selected = process.env['CACHE_PLATFORM_ENVIRONMENTS']?.split(',').map((e) => e.trim());
      const expected = (manifest.environments ?? model.environments.map((e) => e.name)).filter((e) => !selected || selected.includes(e));
      expect(description.environments.map((e) => e.environment)).toEqual([...expected].sort());
      for (const e of description.environments) {
        expect(e.stack).toBe(`${name}-${e.environment}`);
        expect(e.redisUser).toMatchObject({ userId: `${name}-${e.environment}`, authMode: manifest.authMode });
        expect(e.redisUser.accessString).toMatch(new RegExp(`^on ~${manifest.keyspace}:\\* `));
        expect(e.keyspace).toBe(manifest.keyspace);
        expect(e.cell).toBe(cellOf(manifest));
        expect(e.secret.name).toBe(`cache-platform/${e.environment}/${name}/redis`);
        expect(e.secret.recoveryWindowDays).toBe(7);
        expect(e.function).toMatchObject({ name: `${name}-${e.environment}-handler`, runtime: 'nodejs22.x' });
        expect(e.state).toBe(`local state/${name}-${e.environment}.tfstate`);
        // least privilege, as granted: the secret's read on its own secret, by name
        expect(e.grants).toContainEqual({
          policy: `${name}-${e.environment}-secret-read`,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [`secret cache-platform/${e.environment}/${name}/redis`],
        });
        // IAM auth: elasticache:Connect on the cache and on its own user, nothing more
        const connect = e.grants.filter((g) => g.actions.includes('elasticache:Connect'));
        expect(connect).toEqual(
          manifest.authMode === 'iam'
            ? [
                {
                  policy: `${name}-${e.environment}-connect`,
                  actions: ['elasticache:Connect'],
                  resources: [`the value of /cache-platform/${e.environment}/exports/cache-arn`, `redis user ${name}-${e.environment}`],
                },
              ]
            : [],
        );
        expect(e.alarms.map((a) => a.name)).toEqual(
          ['cache-circuit-opens', 'cache-error-rate', 'cache-timeouts', 'function-errors', 'function-throttles'].map(
            (alarm) => `${name}-${e.environment}-${alarm}`,
          ),
        );
        expect(e.reads).toContain(`/cache-platform/${e.environment}/exports/user-group-id`);
      }

      const table = run('tools/nx-plugin/bin/describe.cjs');
      const [dev] = description.environments;
      expect(table).toContain(`${name}: what it owns, per environment`);
      expect(table).toContain(`redis user  ${dev!.redisUser.userId} (auth ${manifest.authMode})`);
      expect(table).toContain(`secret      ${dev!.secret.name}${manifest.authMode === 'password' ? ', rotated rate(' : ', 7-day'}`);
      expect(table).toContain(`cell        ${dev!.cell}`);
      expect(table).toContain(`alarm       ${name}-${dev!.environment}-cache-error-rate (math over CacheErrors, `);
    },
    120_000,
  );

  it('reads another cell from the exports it reads, and S3 state from the backend', () => {
    const app = join(scratch, 'cell-b-api');
    const stack = join(app, 'cdktf.out', 'stacks', 'cell-b-api-prod');
    mkdirSync(stack, { recursive: true });
    writeFileSync(join(app, 'cache-service.json'), JSON.stringify(serviceManifest('cell-b-api', { keyspace: 'cb', cell: 'b' })));
    const tags = { 'cache-platform:environment': 'prod' };
    writeFileSync(
      join(stack, 'cdk.tf.json'),
      JSON.stringify({
        terraform: { backend: { s3: { bucket: 'acme-tf-state', key: 'cache-platform/cell-b-api-prod.tfstate' } } },
        resource: {
          aws_elasticache_user: {
            u: { user_id: 'cell-b-api-prod', access_string: 'on ~cb:* +get', authentication_mode: { type: 'iam' }, tags },
          },
          aws_secretsmanager_secret: { s: { name: 'cache-platform/prod/cell-b-api/redis' } },
          aws_lambda_function: { f: { function_name: 'cell-b-api-prod-handler', runtime: 'nodejs22.x' } },
          aws_ssm_parameter: { c: { name: '/cache-platform/prod/keyspaces/cb' } },
        },
        data: { aws_ssm_parameter: { e: { name: '/cache-platform/prod/cells/b/exports/user-group-id' } } },
      }),
    );
    const [prod] = describeService(app).environments;
    expect(prod).toMatchObject({
      environment: 'prod',
      cell: 'b',
      keyspace: 'cb',
      state: 's3://acme-tf-state/cache-platform/cell-b-api-prod.tfstate',
    });
    expect(prod!.redisUser.authMode).toBe('iam');
  });

  it('refuses, in one line and exit 2, a folder that is not a service app or was never synthesized; --help exits 0', () => {
    const errors: string[] = [];
    const printed: string[] = [];
    const write = (t: string) => printed.push(t);
    const writeError = (t: string) => errors.push(t);
    expect(main([scratch], write, writeError)).toBe(2);
    expect(errors.pop()).toBe(`describe: ${scratch} holds no cache-service.json: describe reads a service app\n`);
    const unsynthesized = join(scratch, 'fresh-api');
    mkdirSync(unsynthesized);
    writeFileSync(join(unsynthesized, 'cache-service.json'), JSON.stringify(serviceManifest('fresh-api')));
    expect(main([unsynthesized], write, writeError)).toBe(2);
    expect(errors.pop()).toBe(
      `describe: no synthesized stacks in ${join(unsynthesized, 'cdktf.out', 'stacks')}: run npx nx run fresh-api:synth first\n`,
    );
    // the workspace model reads the manifest: a broken one is refused in one line naming the file
    const broken = join(scratch, 'broken-api');
    mkdirSync(broken);
    writeFileSync(join(broken, 'cache-service.json'), JSON.stringify(serviceManifest('broken-api', { accessProfile: 'admin' })));
    expect(main([broken], write, writeError)).toBe(2);
    expect(errors.pop()).toMatch(
      new RegExp(`^describe: ${join(broken, 'cache-service.json')}: invalid field accessProfile "admin": must be one of .+\n$`),
    );
    writeFileSync(join(broken, 'cache-service.json'), '{ "service": "broken-api",');
    expect(main([broken], write, writeError)).toBe(2);
    expect(errors.pop()).toMatch(
      new RegExp(`^describe: ${join(broken, 'cache-service.json')}: invalid JSON .+: the manifest must be valid JSON\n$`),
    );
    expect(main(['--nope'], write, writeError)).toBe(2);
    expect(errors.pop()).toMatch(/^describe: unknown option "--nope"\nusage: describe /);
    expect(main(['--help'], write, writeError)).toBe(0);
    expect(printed.pop()).toMatch(/^usage: describe \[<app folder>\] \[--json\]\n/);
  });
});
