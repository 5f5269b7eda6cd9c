// The progress reporter every project's jest runs with (jest.preset.cjs): a line for each slow test
// as it ends, while its file is still running; nothing for fast tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const workspace = resolve(__dirname, '..', '..');
const preset = require(join(workspace, 'jest.preset.cjs')) as { reporters: unknown[] };

describe('jest progress reporter', () => {
  const dir = join(workspace, 'tmp', `jest-progress-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one of the preset reporters, next to the default one', () => {
    expect(preset.reporters).toEqual(['default', join(workspace, 'tools', 'ci', 'jest-progress.cjs')]);
  });

  it('prints a line for each test over the threshold, before the file ends, and none for the fast ones', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'slow.spec.ts'),
      [
        'const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));',
        "it('waits for the slow thing', () => sleep(700));",
        "it('is quick', () => expect(1).toBe(1));",
        // the marker shows the slow line came out while the file still ran
        "it('ends the file', async () => { await sleep(700); process.stderr.write('FILE-END\\n'); });",
      ].join('\n'),
    );
    const config = JSON.stringify({
      ...require(join(workspace, 'jest.preset.cjs')),
      rootDir: dir,
      reporters: [[join(workspace, 'tools', 'ci', 'jest-progress.cjs'), { thresholdMs: 500 }]],
    });
    const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--runInBand'], {
      cwd: workspace,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const lines = run.stderr.split('\n').filter(Boolean);
    const slow = lines.filter((l) => l.includes('slow.spec.ts'));
    expect(slow).toEqual([
      expect.stringMatching(/^ {2}passed after 0\.\d s: slow\.spec\.ts › waits for the slow thing$/),
      expect.stringMatching(/^ {2}passed after 0\.\d s: slow\.spec\.ts › ends the file$/),
    ]);
    expect(lines.indexOf(slow[0]!)).toBeLessThan(lines.indexOf('FILE-END'));
  });
});
