import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  awsProviderRequirement,
  findProviderMirror,
  MIRROR_ENV_VAR,
  mirrorCliConfig,
  terraformEnv,
  terraformPlatform,
  validateStack,
  validateStacks,
  validateStacksAsModules,
  synthesizedStacks,
} from './index';

const provider = awsProviderRequirement();

function stackJson(resources: Record<string, unknown>) {
  return {
    terraform: { required_providers: { aws: { source: 'aws', version: provider.version } } },
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: resources,
  };
}

describe('provider mirror discovery', () => {
  let scratch: string;
  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), 'tf-mirror-'))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('pins the provider version the bindings were generated for', () => {
    expect(provider).toEqual({ source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' });
  });

  it('accepts an explicit mirror that has the provider for this platform', () => {
    mkdirSync(join(scratch, 'registry.terraform.io', 'hashicorp', 'aws', provider.version, terraformPlatform()), { recursive: true });
    expect(findProviderMirror(provider, { [MIRROR_ENV_VAR]: scratch })).toBe(scratch);
  });

  it('refuses an explicit mirror without the provider instead of silently going online', () => {
    expect(() => findProviderMirror(provider, { [MIRROR_ENV_VAR]: scratch })).toThrow(
      `${MIRROR_ENV_VAR}=${scratch} does not hold registry.terraform.io/hashicorp/aws 5.100.0 for ${terraformPlatform()}`,
    );
  });

  it('writes a CLI config that takes only the AWS provider from the mirror', () => {
    const config = mirrorCliConfig('/some/mirror');
    expect(config).toContain('filesystem_mirror {\n    path    = "/some/mirror"\n    include = ["registry.terraform.io/hashicorp/aws"]');
    expect(config).toContain('direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]');
  });

  it('drops a TF_CLI_CONFIG_FILE that points at a missing file', () => {
    const env = terraformEnv({
      baseEnv: { PATH: process.env['PATH'], HOME: process.env['HOME'], TF_CLI_CONFIG_FILE: join(scratch, 'missing.tfrc') },
      scratchDir: scratch,
    });
    expect(env['TF_CLI_CONFIG_FILE']).not.toBe(join(scratch, 'missing.tfrc'));
    expect(env['CHECKPOINT_DISABLE']).toBe('1');
    if (env['TF_CLI_CONFIG_FILE']) expect(readFileSync(env['TF_CLI_CONFIG_FILE'], 'utf8')).toContain('filesystem_mirror');
    else {
      expect(env['TF_PLUGIN_CACHE_DIR']).toBe(join(scratch, 'plugin-cache'));
      expect(env['TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE']).toBe('true');
    }
  });
});

// Real terraform against the real provider schema: the whole point of `validate`.
describe('without a mirror', () => {
  it('shares one plugin cache across stacks even though synthesized stacks have no lock file', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'tf-nomirror-'));
    try {
      // HOME without plugins and no explicit mirror: only the shallow /opt-style scan could find one
      const env = terraformEnv({ baseEnv: { PATH: process.env['PATH'], HOME: scratch, TF_PLUGIN_CACHE_DIR: '' }, scratchDir: scratch });
      if (!env['TF_CLI_CONFIG_FILE']) {
        expect(env['TF_PLUGIN_CACHE_DIR']).toBe(join(scratch, 'plugin-cache'));
        expect(env['TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE']).toBe('true');
      } else {
        // this machine has a mirror under a scanned folder: the generated config must name it
        expect(readFileSync(env['TF_CLI_CONFIG_FILE'], 'utf8')).toContain('filesystem_mirror');
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('validate against the real provider schema', () => {
  let app: string;
  beforeAll(() => (app = mkdtempSync(join(tmpdir(), 'tf-validate-'))));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  function writeStack(name: string, json: unknown): string {
    const dir = join(app, 'cdktf.out', 'stacks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
    return dir;
  }

  it('passes a valid stack and links the provider instead of copying it', async () => {
    const dir = writeStack('good', stackJson({ aws_ssm_parameter: { p: { name: '/x', type: 'String', value: 'v' } } }));
    expect(synthesizedStacks(app)).toContain(dir);
    const result = await validateStack(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
    const versionDir = join(
      dir,
      '.terraform',
      'providers',
      'registry.terraform.io',
      'hashicorp',
      'aws',
      provider.version,
      terraformPlatform(),
    );
    // either the platform dir itself or the binary in it is a link into the mirror/cache, never a fresh copy
    const entries = [versionDir, ...readdirSync(versionDir).map((f) => join(versionDir, f))];
    expect(entries.some((p) => lstatSync(p).isSymbolicLink() || /plugin-cache|mirror|plugins/.test(safeReadlink(p)))).toBe(true);
  }, 120_000);

  it('fails on an attribute the schema does not have, naming it', async () => {
    const dir = writeStack(
      'bad-attribute',
      stackJson({ aws_ssm_parameter: { p: { name: '/x', type: 'String', value: 'v', not_an_attribute: 1 } } }),
    );
    const result = await validateStack(dir);
    expect(result.valid).toBe(false);
    expect(result.diagnostics.map((d) => `${d.summary} ${d.detail}`).join('\n')).toMatch(/not_an_attribute/);
  }, 120_000);

  it('fails on an enum value the schema refuses (Lambda runtime)', async () => {
    const dir = writeStack(
      'bad-runtime',
      stackJson({
        aws_lambda_function: {
          f: {
            function_name: 'f',
            role: 'arn:aws:iam::123456789012:role/r',
            runtime: 'nodejs99.x',
            handler: 'index.handler',
            filename: 'x.zip',
          },
        },
      }),
    );
    const result = await validateStack(dir);
    expect(result.valid).toBe(false);
    expect(result.diagnostics.map((d) => `${d.summary} ${d.detail}`).join('\n')).toMatch(/nodejs99\.x/);
  }, 120_000);
});

describe('validate as modules of one root (the batch), one provider process for stacks whose provider blocks share a shape', () => {
  let app: string;
  beforeAll(() => (app = mkdtempSync(join(tmpdir(), 'tf-validate-batch-'))));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  const withProvider = (config: Record<string, unknown>, resources: Record<string, unknown>) => ({
    ...stackJson(resources),
    terraform: { ...stackJson({}).terraform, backend: { local: { path: 'state.tfstate' } } },
    provider: { aws: [config] },
  });
  const parameter = (name: string, extra: Record<string, unknown> = {}) => ({
    aws_ssm_parameter: { p: { name, type: 'String', value: 'v', ...extra } },
  });

  it('gives every stack the verdict and the errors it gets alone', async () => {
    const stacks: Array<[string, unknown]> = [
      // three of one shape (different tag values): they share one provider configuration
      ['a', withProvider({ region: 'eu-west-1', default_tags: [{ tags: { svc: 'a' } }] }, parameter('/a'))],
      ['b', withProvider({ region: 'eu-west-1', default_tags: [{ tags: { svc: 'b' } }] }, parameter('/b'))],
      [
        'bad-resource',
        withProvider({ region: 'eu-west-1', default_tags: [{ tags: { svc: 'c' } }] }, parameter('/c', { not_an_attribute: 1 })),
      ],
      // a provider argument the schema does not have: another shape, so this block is checked as written
      ['bad-provider', withProvider({ region: 'eu-west-1', not_a_provider_argument: true }, parameter('/d'))],
    ];
    const dirs = stacks.map(([name, json]) => {
      const dir = join(app, 'cdktf.out', 'stacks', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
      return dir;
    });
    const verdicts = (results: Awaited<ReturnType<typeof validateStacks>>) =>
      results.map((r) => ({
        stack: r.stack,
        valid: r.valid,
        errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.detail),
      }));
    const batch = verdicts(await validateStacksAsModules(dirs));
    expect(batch).toEqual(verdicts(await validateStacks(dirs)));
    expect(batch.map((v) => [v.stack, v.valid])).toEqual([
      ['a', true],
      ['b', true],
      ['bad-resource', false],
      ['bad-provider', false],
    ]);
    expect(batch[2]?.errors.join('\n')).toMatch(/not_an_attribute/);
    expect(batch[3]?.errors.join('\n')).toMatch(/not_a_provider_argument/);
  }, 240_000);
});

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
