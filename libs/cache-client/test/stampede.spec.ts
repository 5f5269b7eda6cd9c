import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedis, type RedisServer } from './redis-harness';

const USER = { name: 'svc-alpha', keyspace: 'alpha', passwords: ['alpha-password-0000000001'] };
const PROCESSES = 5;

// the esbuild binary, not its JS API: the API refuses to run inside jest's sandboxed globals
async function bundle(entry: string, outfile: string): Promise<void> {
  const esbuild = join(require.resolve('esbuild/package.json'), '..', 'bin', 'esbuild');
  // @node-rs/xxhash: optional native peer of @redis/client (digest() only), loaded by dynamic import
  await promisify(execFile)(esbuild, [
    entry,
    '--bundle',
    '--platform=node',
    '--target=node20',
    '--external:@node-rs/xxhash',
    `--outfile=${outfile}`,
    '--log-level=error',
  ]);
}

interface ChildReport {
  loaderCalls: number;
  values: string[];
  errors: number;
  failOpen: number;
}

describe('stampede across processes (cross-instance lock) on a real redis-server', () => {
  let server: RedisServer;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cache-client-stampede-'));
    // plain node children start in ~50 ms; a bundle avoids a TypeScript loader per process
    const bundled = bundle(join(__dirname, 'fixtures/stampede-child.ts'), join(dir, 'child.js'));
    bundled.catch(() => undefined);
    server = await startRedis({ users: [USER] });
    await bundled;
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${PROCESSES} processes x 20 concurrent misses on one key: the loader runs once between them`, async () => {
    const env = {
      ...process.env,
      STAMPEDE_SECRET: JSON.stringify(server.secretFor(USER.name)),
      STAMPEDE_CA: server.caPem,
      STAMPEDE_KEY: 'hot-key',
    };
    const reports = Array.from({ length: PROCESSES }, () => {
      const child = spawn(process.execPath, [join(dir, 'child.js')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', () => out.includes('READY\n') && resolve());
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before READY: ${err}`)));
      });
      const report = new Promise<ChildReport>((resolve, reject) =>
        child.once('exit', (code) => {
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (code === 0 && line) resolve(JSON.parse(line));
          else reject(new Error(`child exited with ${code}: ${err}`));
        }),
      );
      report.catch(() => undefined);
      return { child, ready, report };
    });
    // everyone connected first, then all start at once
    await Promise.all(reports.map((r) => r.ready));
    for (const { child } of reports) child.stdin!.write('GO\n');
    const results = await Promise.all(reports.map((r) => r.report));

    expect(results.reduce((sum, r) => sum + r.loaderCalls, 0)).toBe(1);
    const values = new Set(results.flatMap((r) => r.values));
    expect(values.size).toBe(1);
    expect(results.every((r) => r.errors === 0 && r.failOpen === 0)).toBe(true);
    expect(await server.admin('EXISTS', 'alpha:_l:hot-key')).toBe('0');
  });
});
