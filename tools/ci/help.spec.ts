// Every command the READMEs name prints its usage on --help and exits 0, run the way a reader runs it.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const workspace = resolve(__dirname, '..', '..');
const node = process.execPath;
const swc = ['-r', '@swc-node/register'];

const COMMANDS: Array<[string, string, string[]]> = [
  ['npm run local -- --help', 'npm', ['run', '--silent', 'local', '--', '--help']],
  ['npm run policy -- --help', 'npm', ['run', '--silent', 'policy', '--', '--help']],
  ['migration-check --help', node, ['tools/migration-check/bin/migration-check.cjs', '--help']],
  ['platform:audit (its script) --help', node, [...swc, 'apps/platform/src/audit/cli.ts', '--help']],
  ['the cdktf wrapper --help', node, ['tools/terraform/bin/cdktf.cjs', '--help']],
  ['synth.cjs --help', node, ['tools/terraform/bin/synth.cjs', '--help']],
  ['validate.cjs --help', node, ['tools/terraform/bin/validate.cjs', '--help']],
  // through Nx, as the README calls it: the executor forwards --help untouched
  [
    'npx nx run platform:audit -- --help',
    node,
    ['node_modules/nx/dist/bin/nx.js', 'run', 'platform:audit', '--output-style=static', '--', '--help'],
  ],
];

describe('--help', () => {
  it.each(COMMANDS)(
    '%s prints its usage and exits 0',
    (_name, command, args) => {
      const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
      const run = spawnSync(command, args, { cwd: workspace, env, encoding: 'utf8', timeout: 120_000 });
      expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({ status: 0, stderr: '' });
      expect(run.stdout).toMatch(/^usage(?: \(from an app folder\))?: /m);
    },
    120_000,
  );
});
