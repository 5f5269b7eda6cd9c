import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleHandler } from './bundle';

describe('bundleHandler', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'bundle-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces a loadable ESM bundle whose CommonJS dependencies can still require node built-ins', async () => {
    writeFileSync(
      join(dir, 'dep.cjs'),
      "const { createHash } = require('node:crypto'); module.exports = (s) => createHash('sha256').update(s).digest('hex');",
    );
    writeFileSync(
      join(dir, 'entry.ts'),
      "import hash from './dep.cjs';\nexport const handler = async (e: { v: string }) => ({ hash: hash(e.v) });\n",
    );
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'stale.txt'), 'x');
    const result = await bundleHandler({ entry: join(dir, 'entry.ts'), outdir: out });
    expect(result.file).toBe(join(out, 'index.mjs'));
    expect(result.bytes).toBe(readFileSync(result.file).length);
    expect(result.largestInputs.length).toBeGreaterThan(0);
    // the Lambda runtime imports index.mjs and calls handler: do exactly that in a child process
    const { execFileSync } = await import('node:child_process');
    const stdout = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(pathToFileURL(result.file).href)}); console.log(JSON.stringify(await m.handler({ v: 'abc' })));`,
    ]).toString();
    expect(JSON.parse(stdout).hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('takes the ES module build of a package that ships both (tree-shakeable), the CommonJS one otherwise', async () => {
    const pkg = (name: string, fields: Record<string, string>) => {
      mkdirSync(join(dir, 'node_modules', name), { recursive: true });
      writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...fields }));
      writeFileSync(join(dir, 'node_modules', name, 'cjs.js'), "exports.build = 'commonjs'; exports.unused = 'UNUSED-CJS';");
      writeFileSync(join(dir, 'node_modules', name, 'esm.js'), "export const build = 'esm'; export const unused = 'UNUSED-ESM';");
    };
    pkg('dual', { main: 'cjs.js', module: 'esm.js' });
    pkg('cjs-only', { main: 'cjs.js' });
    writeFileSync(
      join(dir, 'entry3.ts'),
      "import { build as a } from 'dual';\nimport { build as b } from 'cjs-only';\nexport const handler = async () => [a, b];\n",
    );
    const result = await bundleHandler({ entry: join(dir, 'entry3.ts'), outdir: join(dir, 'out3') });
    const text = readFileSync(result.file, 'utf8');
    // the unused export of the ES build is dropped; CommonJS cannot be tree-shaken
    expect(text).not.toContain('UNUSED-ESM');
    expect(text).toContain('UNUSED-CJS');
    const { execFileSync } = await import('node:child_process');
    const stdout = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(pathToFileURL(result.file).href)}); console.log(JSON.stringify(await m.handler()));`,
    ]).toString();
    expect(JSON.parse(stdout)).toEqual(['esm', 'commonjs']);
  });

  it('empties the output folder first', async () => {
    const out = join(dir, 'out2');
    writeFileSync(join(dir, 'entry2.ts'), 'export const handler = async () => 1;\n');
    await bundleHandler({ entry: join(dir, 'entry2.ts'), outdir: out });
    writeFileSync(join(out, 'stale.js'), 'x');
    await bundleHandler({ entry: join(dir, 'entry2.ts'), outdir: out });
    expect(existsSync(join(out, 'stale.js'))).toBe(false);
  });

  describe("a service's auth mode decides whether the IAM token signer is bundled (the client reads the mode from the secret)", () => {
    // inside the workspace, so the entry resolves @cache-platform/cache-client as a handler does
    let appDir: string;
    beforeAll(() => {
      mkdirSync(join(__dirname, '..', 'tmp'), { recursive: true });
      appDir = mkdtempSync(join(__dirname, '..', 'tmp', 'auth-'));
      writeFileSync(
        join(appDir, 'entry.ts'),
        "import { createServiceCache, withServiceCache } from '@cache-platform/cache-client';\n" +
          'const cache = createServiceCache();\nexport const handler = withServiceCache(cache, async () => (await cache.checkHealth()).status);\n',
      );
    });
    afterAll(() => rmSync(appDir, { recursive: true, force: true }));

    const signerIn = (inputs: readonly string[]) => inputs.some((path) => path.endsWith('cache-client/src/iam-auth.ts'));

    it.each([
      ['password', false],
      ['iam', true],
      [undefined, true],
    ] as const)(
      'authMode %s: signer bundled %s',
      async (authMode, bundled) => {
        const result = await bundleHandler({ entry: join(appDir, 'entry.ts'), outdir: join(appDir, `out-${authMode}`), authMode });
        expect(signerIn(result.inputs)).toBe(bundled);
        // the presigned token's marker: present exactly where the signer is
        expect(readFileSync(result.file, 'utf8').includes('ServerlessCache')).toBe(bundled);
      },
      60_000,
    );
  });
});
