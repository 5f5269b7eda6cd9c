import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';

const nodeScript = require('../executors/node-script.cjs') as (
  options: { script: string; __unparsed__?: string[] },
  context: Pick<ExecutorContext, 'root'>,
) => Promise<{ success: boolean }>;

const workspace = resolve(__dirname, '..', '..', '..');
const dir = join(workspace, 'tmp', `node-script-${process.pid}`);

describe('the node-script executor (platform:audit)', () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    // a TypeScript script: it records its arguments and exits with the code it is given
    writeFileSync(
      join(dir, 'script.ts'),
      "import { writeFileSync } from 'node:fs';\nconst args: string[] = process.argv.slice(2);\nwriteFileSync(__dirname + '/args.json', JSON.stringify(args));\nprocess.exitCode = Number(args[args.length - 1]);\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('forwards every argument unchanged (an --env too) and succeeds only on exit 0', async () => {
    const script = `tmp/node-script-${process.pid}/script.ts`;
    expect(await nodeScript({ script, __unparsed__: ['--env', 'dev', '--json', '0'] }, { root: workspace })).toEqual({ success: true });
    expect(require(join(dir, 'args.json'))).toEqual(['--env', 'dev', '--json', '0']);
    expect(await nodeScript({ script, __unparsed__: ['--env', 'dev', '2'] }, { root: workspace })).toEqual({ success: false });
  }, 30_000);
});
