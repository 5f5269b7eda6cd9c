// Every TypeScript block in the READMEs compiles as written (with the workspace's tsconfig paths),
// so a reader who pastes one into a generated service gets no type errors.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const workspace = resolve(__dirname, '..', '..');
const DOCS = ['README.md', 'libs/service-access/README.md', 'libs/cache-client/README.md', 'libs/secret-rotation/README.md'];

function tsBlocks(doc: string): string[] {
  const text = readFileSync(join(workspace, doc), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('README code blocks', () => {
  // inside the workspace (git-ignored tmp/) so packages and tsconfig paths resolve as in an app
  const dir = join(workspace, 'tmp', `readme-blocks-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the main README has a handler example', () => {
    expect(tsBlocks('README.md').some((block) => block.includes('createServiceCache'))).toBe(true);
  });

  it('every ts block typechecks, each as its own module', () => {
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const doc of DOCS) {
      tsBlocks(doc).forEach((block, i) => {
        const file = `${doc.replace(/[/.]/g, '_')}_${i}.ts`;
        // a block without imports or exports is a fragment: make it a module so names do not clash
        writeFileSync(join(dir, file), /^(import|export) /m.test(block) ? block : `export {};\n${block}`);
        files.push(file);
      });
    }
    expect(files.length).toBeGreaterThan(2);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { noUnusedLocals: false, types: ['node'] },
        include: ['*.ts'],
        exclude: [],
      }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', join(dir, 'tsconfig.json')], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output).toBe('');
  }, 120_000);
});
