// "One definition per service", proven on the real workspace: the wiring lives in the library, so a
// change there reaches every service's synthesized stacks with no edit under apps/, and the project
// graph knows it (a change to the library or the build tools marks every service affected).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENVIRONMENTS } from '@cache-platform/platform-environments';
import { BUILD_OUTPUTS, nx, scratchWorkspace, workspace } from './scratch';

/** The service apps of the workspace (folders holding a cache-service.json under apps/). */
function services(root: string): Array<{ name: string; root: string }> {
  const found: Array<{ name: string; root: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (BUILD_OUTPUTS.has(entry)) continue;
      const path = join(dir, entry);
      if (entry === 'cache-service.json') found.push({ name: JSON.parse(readFileSync(path, 'utf8')).service, root: relative(root, dir) });
      else if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(join(root, 'apps'));
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Hash of every source file under apps/ (build outputs left out). */
function appsDigest(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (BUILD_OUTPUTS.has(entry)) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  walk(join(root, 'apps'));
  return hash.digest('hex');
}

/** A digest of every file under `root` (build outputs left out), by relative path. */
function fileDigests(root: string): Map<string, string> {
  const digests = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (BUILD_OUTPUTS.has(entry)) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else digests.set(relative(root, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(root);
  return digests;
}

/** The files of `root` added, removed or changed since `baseline` was taken, sorted. */
function changedFiles(root: string, baseline: Map<string, string>): string[] {
  const now = fileDigests(root);
  return [...new Set([...now.keys(), ...baseline.keys()])].filter((path) => now.get(path) !== baseline.get(path)).sort();
}

/** The synthesized stack of a service in one environment, from `dir`'s cdktf.out. */
function stackOf(dir: string, service: { name: string; root: string }, environment: string) {
  const file = join(dir, service.root, 'cdktf.out', 'stacks', `${service.name}-${environment}`, 'cdk.tf.json');
  expect(`${service.name}: ${existsSync(file)}`).toBe(`${service.name}: true`);
  return JSON.parse(readFileSync(file, 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
}

describe('one definition per service', () => {
  const all = services(workspace);

  it('has service apps to prove it on', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps every platform fact out of apps/: no platform path, lifecycle call, auth mode or environment in a service file', () => {
    for (const service of all) {
      const app = join(workspace, service.root);
      // cdktf in the app folder runs the service's own synth target, by project name
      expect(JSON.parse(readFileSync(join(app, 'cdktf.json'), 'utf8')).app).toBe(`npx nx run ${service.name}:synth`);
      const handler = readFileSync(join(app, 'src', 'handler', 'index.ts'), 'utf8');
      expect(`${service.name}: ${handler.match(/settle\(|flushMetrics\(|iam-auth|authTokenProvider/g)}`).toBe(`${service.name}: null`);
      expect(handler).toContain('withServiceCache(cache, ');
      const migration = readFileSync(join(app, 'MIGRATION.md'), 'utf8');
      for (const e of ENVIRONMENTS) {
        expect(`${service.name}: ${e.region} ${migration.includes(e.region)}`).toBe(`${service.name}: ${e.region} false`);
        expect(`${service.name}: ${e.name} ${new RegExp(`[-=]${e.name}\\b`).test(migration)}`).toBe(`${service.name}: ${e.name} false`);
      }
      expect(migration).toContain(`npm run -s environments -- ${service.name}`);
    }
  });

  describe('a change to the library reaches every service', () => {
    // one scratch copy for every change below; each test edits one library file, checks that it is the
    // only file changed, runs what a team runs, and puts the file back
    let dir: string;
    let before: string;
    let baseline: Map<string, string>;
    beforeAll(() => {
      dir = scratchWorkspace('one-definition-');
      before = appsDigest(dir);
      baseline = fileDigests(dir);
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Replaces `anchor` in one file of the scratch copy; returns the function that restores it. */
    const edit = (file: string, anchor: string, replacement: string): (() => void) => {
      const path = join(dir, file);
      const source = readFileSync(path, 'utf8');
      expect(`${file}: ${source.includes(anchor)}`).toBe(`${file}: true`);
      writeFileSync(path, source.replace(anchor, replacement));
      return () => writeFileSync(path, source);
    };

    it('the stack and the synth entry, each written once in libs/service-access, reach every service stack, through nx and through cdktf in the app folder', () => {
      const stackFile = 'libs/service-access/src/service-stack.ts';
      const entryFile = 'libs/service-access/src/main.ts';
      const restores: Array<() => void> = [];
      try {
        restores.push(
          edit(
            stackFile,
            "    this.handler = new CacheFunction(this, 'handler', {",
            "    this.access.user.addOverride('tags.library-probe', 'reached');\n    this.handler = new CacheFunction(this, 'handler', {",
          ),
        );
        expect(changedFiles(dir, baseline)).toEqual([stackFile]);
        restores.push(
          edit(
            entryFile,
            'synthServiceApp({ appDir: process.cwd() });',
            "import { buildServiceApp } from './service-app';\nconst built = buildServiceApp({ appDir: process.cwd() });\nfor (const stack of built.stacks) stack.access.user.addOverride('tags.entry-probe', 'reached');\nbuilt.app.synth();",
          ),
        );
        // each change is one library file; one synth run checks both
        expect(changedFiles(dir, baseline)).toEqual([entryFile, stackFile]);

        // `cdktf synth` where a team runs it: cdktf.json names the service's synth target, nothing else
        const [first] = services(dir);
        execFileSync(join(dir, 'node_modules', '.bin', 'cdktf'), ['synth'], {
          cwd: join(dir, first!.root),
          env: {
            ...process.env,
            CACHE_PLATFORM_ENVIRONMENTS: 'dev',
            CHECKPOINT_DISABLE: '1',
            NX_DAEMON: 'false',
            NX_NO_CLOUD: 'true',
            CI: 'true',
          },
          stdio: 'pipe',
        });
        const viaCdktf = Object.values(stackOf(dir, first!, 'dev').resource['aws_elasticache_user']!) as Array<{
          tags: Record<string, string>;
        }>;
        expect(viaCdktf.map((u) => [u.tags['library-probe'], u.tags['entry-probe']])).toEqual([['reached', 'reached']]);

        nx(dir, ['run-many', '-t', 'synth', '--projects=tag:kind:service', '--skip-nx-cache', '--output-style=static'], {
          CACHE_PLATFORM_ENVIRONMENTS: 'dev',
        });
        for (const service of services(dir)) {
          const users = Object.values(stackOf(dir, service, 'dev').resource['aws_elasticache_user']!) as Array<{
            tags: Record<string, string>;
          }>;
          expect(users.map((u) => `${service.name}: ${u.tags['library-probe']} ${u.tags['entry-probe']}`)).toEqual([
            `${service.name}: reached reached`,
          ]);
        }
      } finally {
        for (const restore of restores) restore();
      }
      // and not one file under apps/ changed to get there
      expect(appsDigest(dir)).toBe(before);
      expect(changedFiles(dir, baseline)).toEqual([]);
    }, 300_000);

    it('the handler lifecycle, written once in libs/cache-client, runs in every bundled handler', () => {
      const restore = edit(
        'libs/cache-client/src/lambda-handler.ts',
        '      cache.flushMetrics();',
        "      cache.flushMetrics();\n      process.stdout.write('lifecycle-probe\\n');",
      );
      try {
        expect(changedFiles(dir, baseline)).toEqual(['libs/cache-client/src/lambda-handler.ts']);
        nx(dir, ['run-many', '-t', 'bundle', '--projects=tag:kind:service', '--skip-nx-cache', '--output-style=static']);
        for (const service of services(dir)) {
          const bundle = join(dir, service.root, 'dist', 'handler', 'index.mjs');
          // the Lambda runtime's call: import index.mjs, call handler; no secret here, so the cache fails open
          const stdout = execFileSync(
            process.execPath,
            [
              '--input-type=module',
              '-e',
              `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); const r = await m.handler({ rawPath: '/health' }); console.log('status ' + r.statusCode);`,
            ],
            { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          expect(`${service.name}: ${stdout.includes('lifecycle-probe')} ${stdout.includes('status 200')}`).toBe(
            `${service.name}: true true`,
          );
        }
      } finally {
        restore();
      }
      expect(appsDigest(dir)).toBe(before);
    }, 300_000);

    it("the Lambda runtime, written once in libs/cache-contract, is every service function's runtime and the bundler's target", () => {
      const restore = edit(
        'libs/cache-contract/src/lambda.ts',
        "export const LAMBDA_RUNTIME = 'nodejs22.x';",
        "export const LAMBDA_RUNTIME = 'nodejs20.x';",
      );
      const out = mkdtempSync(join(tmpdir(), 'one-definition-runtime-'));
      try {
        expect(changedFiles(dir, baseline)).toEqual(['libs/cache-contract/src/lambda.ts']);
        // the synth entry run directly: the policy pack (which `synth` runs) rightly refuses an end-of-life runtime
        for (const service of services(dir)) {
          execFileSync(process.execPath, ['-r', '@swc-node/register', join(dir, 'libs', 'service-access', 'src', 'main.ts')], {
            cwd: join(dir, service.root),
            env: { ...process.env, CACHE_PLATFORM_ENVIRONMENTS: 'dev', CDKTF_OUTDIR: join(out, service.name) },
            stdio: 'pipe',
          });
          const stack = JSON.parse(readFileSync(join(out, service.name, 'stacks', `${service.name}-dev`, 'cdk.tf.json'), 'utf8'));
          const runtimes = Object.values(stack.resource.aws_lambda_function as Record<string, { runtime: string }>).map((f) => f.runtime);
          expect(`${service.name}: ${[...new Set(runtimes)]}`).toBe(`${service.name}: nodejs20.x`);
        }
        const target = execFileSync(
          process.execPath,
          ['-r', '@swc-node/register', '-e', "process.stdout.write(require('./tools/lambda-bundle/src/bundle.ts').LAMBDA_NODE_TARGET)"],
          { cwd: dir, encoding: 'utf8' },
        );
        expect(target).toBe('node20');
      } finally {
        restore();
        rmSync(out, { recursive: true, force: true });
      }
      expect(appsDigest(dir)).toBe(before);
    }, 300_000);
  });

  describe('the project graph has real edges', () => {
    const affectedBy = (file: string) =>
      JSON.parse(nx(workspace, ['show', 'projects', '--affected', `--files=${file}`, '--json'])) as string[];
    const names = all.map((s) => s.name);

    it.each([
      'tools/lambda-bundle/src/bundle.ts',
      'tools/terraform/src/validate.ts',
      'libs/service-access/src/service-stack.ts',
      'libs/cache-contract/src/access-string.ts',
    ])(
      'a change in %s marks every service affected',
      (file) => {
        expect(affectedBy(file)).toEqual(expect.arrayContaining(names));
      },
      60_000,
    );

    it('diff and deploy depend on synth for every cdktf app, so the cdktf wrapper may skip its own synth there', () => {
      // one project-graph computation for every app
      const out = mkdtempSync(join(tmpdir(), 'one-definition-graph-'));
      try {
        nx(workspace, ['graph', `--file=${join(out, 'graph.json')}`]);
        const nodes = JSON.parse(readFileSync(join(out, 'graph.json'), 'utf8')).graph.nodes as Record<
          string,
          { data: { targets: Record<string, { dependsOn?: unknown[] }> } }
        >;
        for (const project of [...names, 'platform']) {
          for (const target of ['diff', 'deploy']) {
            const synthFirst = (nodes[project]?.data.targets[target]?.dependsOn ?? []).some(
              (d) =>
                d === 'synth' ||
                (typeof d === 'object' &&
                  d !== null &&
                  (d as { target?: string }).target === 'synth' &&
                  !(d as { projects?: unknown }).projects),
            );
            expect(`${project}:${target} ${synthFirst}`).toBe(`${project}:${target} true`);
          }
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 60_000);

    it("a change in one service's handler marks only that service", () => {
      const [first] = all;
      expect(affectedBy(join(first!.root, 'src', 'handler', 'index.ts'))).toEqual([first!.name]);
    }, 60_000);
  });
});
