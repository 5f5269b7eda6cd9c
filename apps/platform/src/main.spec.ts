import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENVIRONMENTS, ENVIRONMENTS_ENV_VAR } from '@cache-platform/platform-environments';
import { platformStackId } from './stacks/platform-stack';

// runs the real entry point the way `nx run platform:synth` and `cdktf synth` do, in a scratch folder
const appDir = path.resolve(__dirname, '..');

function runMain(extraEnv: Record<string, string> = {}): string {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-synth-'));
  // a surrounding `cdktf` run or a developer's shell must not change what this test synthesizes
  const env = { ...process.env };
  delete env[ENVIRONMENTS_ENV_VAR];
  delete env['CDKTF_OUTDIR'];
  execFileSync(process.execPath, ['-r', require.resolve('@swc-node/register'), path.join(appDir, 'src', 'main.ts')], {
    cwd: workDir,
    env: { ...env, SWC_NODE_PROJECT: path.join(appDir, 'tsconfig.json'), ...extraEnv },
    stdio: 'pipe',
  });
  return workDir;
}

function stacksIn(workDir: string): string[] {
  return fs.readdirSync(path.join(workDir, 'cdktf.out', 'stacks')).sort();
}

describe('main.ts', () => {
  const workDirs: string[] = [];
  let all: string;

  beforeAll(() => {
    all = runMain();
    workDirs.push(all);
  }, 60_000);

  afterAll(() => workDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('synthesizes one stack per environment into cdktf.out', () => {
    expect(stacksIn(all)).toEqual(ENVIRONMENTS.map((e) => platformStackId(e.name)).sort());
    for (const stack of stacksIn(all)) {
      const json = JSON.parse(fs.readFileSync(path.join(all, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(json.resource.aws_elasticache_serverless_cache)).toHaveLength(1);
    }
  });

  it('writes no password value anywhere in the output', () => {
    for (const stack of stacksIn(all)) {
      const text = fs.readFileSync(path.join(all, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8');
      // the only password-shaped values are references to AWS's random password data source
      for (const match of text.matchAll(/"passwords?"\s*:\s*\[?\s*"([^"]*)"/g)) {
        expect(match[1]).toMatch(/^\$\{data\.aws_secretsmanager_random_password\.[^}]+\}$/);
      }
    }
  });

  it(`synthesizes only the environments named in ${ENVIRONMENTS_ENV_VAR}`, () => {
    const dir = runMain({ [ENVIRONMENTS_ENV_VAR]: 'dev' });
    workDirs.push(dir);
    expect(stacksIn(dir)).toEqual([platformStackId('dev')]);
  }, 60_000);
});
