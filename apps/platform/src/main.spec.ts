import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PLATFORM_ENVIRONMENTS, platformStackId } from './environments';

// runs the real entry point the way `nx run platform:synth` and `cdktf synth` do, in a scratch folder
describe('main.ts', () => {
  const appDir = path.resolve(__dirname, '..');
  let workDir: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-synth-'));
    execFileSync(process.execPath, ['-r', require.resolve('@swc-node/register'), path.join(appDir, 'src', 'main.ts')], {
      cwd: workDir,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(appDir, 'tsconfig.json') },
      stdio: 'pipe',
    });
  }, 60_000);

  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it('synthesizes one stack per environment into cdktf.out', () => {
    const stacks = fs.readdirSync(path.join(workDir, 'cdktf.out', 'stacks')).sort();
    expect(stacks).toEqual(PLATFORM_ENVIRONMENTS.map((e) => platformStackId(e.name)).sort());
    for (const stack of stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(workDir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(json.resource.aws_elasticache_serverless_cache)).toHaveLength(1);
    }
  });

  it('writes no password value anywhere in the output', () => {
    for (const stack of fs.readdirSync(path.join(workDir, 'cdktf.out', 'stacks'))) {
      const text = fs.readFileSync(path.join(workDir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8');
      // the only password-shaped values are references to AWS's random password data source
      for (const match of text.matchAll(/"passwords?"\s*:\s*\[?\s*"([^"]*)"/g)) {
        expect(match[1]).toMatch(/^\$\{data\.aws_secretsmanager_random_password\.[^}]+\}$/);
      }
    }
  });
});
