import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleHandler, bundleHandlers } from './bundle';

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

    it('a batch of services with different auth modes bundles each as it would alone, in order', async () => {
      const modes = ['password', 'iam', 'password'] as const;
      const jobs = modes.map((authMode, i) => ({ entry: join(appDir, 'entry.ts'), outdir: join(appDir, `batch-${i}`), authMode }));
      const results = await bundleHandlers(jobs);
      const alone = await Promise.all(
        jobs.map(async (j, i) => readFileSync((await bundleHandler({ ...j, outdir: join(appDir, `alone-${i}`) })).file)),
      );
      expect(results.map((r) => (r instanceof Error ? r.message : signerIn(r.inputs)))).toEqual([false, true, false]);
      expect(jobs.map((j) => readFileSync(join(j.outdir, 'index.mjs')))).toEqual(alone);
    }, 120_000);
  });
});

describe('bundleHandlers (the Nx batch of bundle targets)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bundles-'));
    for (const name of ['a', 'b']) {
      mkdirSync(join(dir, name, 'src'), { recursive: true });
      writeFileSync(join(dir, name, 'src', 'index.ts'), `export const handler = async () => ({ from: '${name}', at: Date.now() > 0 });\n`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const job = (name: string) => ({ entry: join(dir, name, 'src', 'index.ts'), outdir: join(dir, name, 'dist', 'handler') });

  it('writes each handler to its own folder, byte for byte what bundleHandler writes alone', async () => {
    const alone = await Promise.all(['a', 'b'].map(async (n) => readFileSync((await bundleHandler(job(n))).file)));
    writeFileSync(join(dir, 'a', 'dist', 'handler', 'stale.txt'), 'x');
    const results = await bundleHandlers([job('a'), job('b')]);
    expect(results.map((r) => (r instanceof Error ? r.message : r.file))).toEqual([
      join(dir, 'a', 'dist', 'handler', 'index.mjs'),
      join(dir, 'b', 'dist', 'handler', 'index.mjs'),
    ]);
    expect(['a', 'b'].map((n) => readFileSync(join(dir, n, 'dist', 'handler', 'index.mjs')))).toEqual(alone);
    expect(existsSync(join(dir, 'a', 'dist', 'handler', 'stale.txt'))).toBe(false);
    expect(results.every((r) => !(r instanceof Error) && r.bytes > 0 && r.largestInputs.length > 0)).toBe(true);
  });

  it('fails only the broken handler, with esbuild naming its file', async () => {
    mkdirSync(join(dir, 'broken', 'src'), { recursive: true });
    writeFileSync(join(dir, 'broken', 'src', 'index.ts'), "import { nothing } from './missing';\nexport const handler = nothing;\n");
    const [a, broken, b] = await bundleHandlers([job('a'), job('broken'), job('b')]);
    expect(a).not.toBeInstanceOf(Error);
    expect(b).not.toBeInstanceOf(Error);
    expect(broken).toBeInstanceOf(Error);
    expect((broken as Error).message).toMatch(/Could not resolve "\.\/missing"/);
    expect((broken as Error).message).toContain(join('broken', 'src', 'index.ts'));
  });
});
