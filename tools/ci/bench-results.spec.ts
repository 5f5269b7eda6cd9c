// Benches write formatted figures to a git-ignored path, and the tracked record only on request.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspace = resolve(__dirname, '..', '..');
const { writeResults } = require('../../bench/results-file.cjs') as {
  writeResults(name: string, results: unknown, options?: { record?: boolean; root?: string }): string[];
};

// a shape like the scale run's: short arrays Prettier keeps on one line, JSON.stringify(…, 2) would not
const figures = { n: 150, loadBefore: [1.5, 2.25, 3], cells: { main: 99, b: 51 }, validate: [{ stack: 'platform-dev', init: 1.2 }] };

function prettierCheck(file: string): void {
  // throws (exit 1) when the file is not formatted as the workspace's `npm run format:check` wants it
  execFileSync(
    process.execPath,
    [join(workspace, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--config', join(workspace, '.prettierrc'), '--check', file],
    {
      cwd: workspace,
      stdio: 'pipe',
    },
  );
}

describe('bench results', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'bench-results-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('go to tmp/bench (git-ignored) by default, formatted, and never to the tracked file', () => {
    const written = writeResults('cells-scale-results.json', figures, { root });
    expect(written).toEqual([join(root, 'tmp', 'bench', 'cells-scale-results.json')]);
    expect(existsSync(join(root, 'bench', 'cells-scale-results.json'))).toBe(false);
    expect(JSON.parse(readFileSync(written[0] ?? '', 'utf8'))).toEqual(figures);
    expect(readFileSync(written[0] ?? '', 'utf8')).toContain('"loadBefore": [1.5, 2.25, 3]');
    // tmp/ is ignored by git in the real workspace: a bench run leaves `git status` clean
    expect(execFileSync('git', ['check-ignore', 'tmp/bench/cells-scale-results.json'], { cwd: workspace, encoding: 'utf8' }).trim()).toBe(
      'tmp/bench/cells-scale-results.json',
    );
  });

  it('update the tracked record with --record, in the form the format check accepts', () => {
    const written = writeResults('cells-scale-results.json', figures, { root, record: true });
    const tracked = join(root, 'bench', 'cells-scale-results.json');
    expect(written).toContain(tracked);
    expect(() => prettierCheck(tracked)).not.toThrow();
  });

  it('are what the scale bench writes with', () => {
    const bench = readFileSync(join(workspace, 'bench', 'cells-scale.bench.mjs'), 'utf8');
    expect(bench).toContain("writeResults('cells-scale-results.json', results)");
    expect(bench).not.toMatch(/writeFileSync\([^)]*cells-scale-results/);
  });
});
