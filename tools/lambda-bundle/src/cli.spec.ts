// The bundle CLI as every service's `bundle` target runs it: one line by default (a green run prints
// what a person needs), the heaviest modules with --verbose.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(__dirname, '..', 'bin', 'bundle.cjs');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('bundle.cjs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-cli-'));
    writeFileSync(join(dir, 'dep.ts'), "export const greet = (n: string) => 'hello ' + n;\n");
    writeFileSync(join(dir, 'entry.ts'), "import { greet } from './dep';\nexport const handler = async () => greet('x');\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one summary line by default, and the largest modules only with --verbose', () => {
    const quiet = run([join(dir, 'entry.ts'), join(dir, 'out')]);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toMatch(/^bundled .*index\.mjs: \d+ KB in \d+ ms\n$/);
    const verbose = run(['--verbose', join(dir, 'entry.ts'), join(dir, 'out')]);
    expect(verbose.status).toBe(0);
    const lines = verbose.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^bundled /);
    expect(lines.slice(1)).toEqual(expect.arrayContaining([expect.stringMatching(/^ +\d+ KB {2}.*entry\.ts$/)]));
    expect(lines.length).toBeGreaterThan(1);
  });

  it('prints its usage on --help (exit 0), and refuses an unknown option or a lone argument (exit 2)', () => {
    const help = run(['--help']);
    expect([help.status, help.stdout]).toEqual([0, expect.stringMatching(/^usage: bundle\.cjs \[--verbose\]/)]);
    const unknown = run(['--quiet']);
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/^bundle: unknown option "--quiet"\nusage: /)]);
    expect(run([join(dir, 'entry.ts')]).status).toBe(2);
  });
});
