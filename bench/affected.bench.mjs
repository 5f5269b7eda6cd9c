#!/usr/bin/env node
// How CI cost scales with the number of services: in a scratch copy of the workspace with N services,
// time `nx affected -t test` after a one-service change against the full `nx run-many -t test`.
// Also times `nx g service-cache`. Usage: node bench/affected.bench.mjs [2 20]
// Prints a table and writes bench/affected-results.json.
import { execFileSync, execSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const workspace = resolve(new URL('..', import.meta.url).pathname);
const counts = process.argv.slice(2).map(Number).filter(Boolean);
const SKIP = new Set(['node_modules', '.git', '.nx', 'tmp', 'cdktf.out', 'dist', 'state', '.terraform', 'coverage']);
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', CACHE_PLATFORM_ENVIRONMENTS: 'dev' };

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'affected-bench-'));
  cpSync(workspace, dir, { recursive: true, filter: (src) => !relative(workspace, src).split('/').some((p) => SKIP.has(p)) });
  symlinkSync(join(workspace, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=bench@local', '-c', 'user.name=bench', 'add', '-A');
  git('-c', 'user.email=bench@local', '-c', 'user.name=bench', 'commit', '-qm', 'base');
  return { dir, commit: (msg) => (git('add', '-A'), git('-c', 'user.email=bench@local', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', msg)) };
}

function timed(cwd, command) {
  const t0 = process.hrtime.bigint();
  const out = execSync(command, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ran = out.match(/Successfully ran target test for (\d+) projects?/) ?? out.match(/Successfully ran target test for project/);
  const projects = ran ? (ran[1] ? Number(ran[1]) : 1) : 0;
  return { seconds, projects };
}

const serviceCount = (dir) => readdirSync(join(dir, 'apps')).filter((a) => existsSync(join(dir, 'apps', a, 'cache-service.json'))).length;

const results = { machine: `${cpus().length} cores, Node ${process.version}`, runs: [] };
const { dir, commit } = scratch();
try {
  // nx g wall time, through the real CLI
  const gen = [];
  for (let i = 0; i < 3; i++) {
    const t = timed(dir, `npx nx g service-cache gen-probe-${i} --owner=team-bench --purpose="time the generator" --no-interactive`);
    gen.push(t.seconds);
  }
  results.generatorSeconds = gen;
  for (let i = 0; i < 3; i++) rmSync(join(dir, 'apps', `gen-probe-${i}`), { recursive: true, force: true });
  commit('base without probes');

  for (const n of counts) {
    // grow to n services with the real generator (in-process, which is what `nx g` runs)
    if (serviceCount(dir) < n) {
      const script = `
        require('@swc-node/register');
        const { FsTree, flushChanges } = require('nx/src/generators/tree');
        const { serviceCacheGenerator } = require('./tools/nx-plugin/src/generators/service-cache/generator.ts');
        (async () => {
          for (let i = ${serviceCount(dir)}; i < ${n}; i++) {
            const tree = new FsTree(process.cwd(), false);
            await serviceCacheGenerator(tree, { name: 'bench-svc-' + i, owner: 'team-bench', purpose: 'benchmark service' });
            flushChanges(process.cwd(), tree.listChanges());
          }
        })().catch((e) => { console.error(e); process.exit(1); });`;
      execFileSync(process.execPath, ['-e', script], { cwd: dir, env, stdio: 'inherit' });
      commit(`${n} services`);
    }
    const services = serviceCount(dir);
    // a one-service change
    appendFileSync(join(dir, 'apps', 'catalog-api', 'src', 'handler', 'index.ts'), `\n// bench change ${n}\n`);
    commit(`touch catalog-api (${n})`);
    const affected = timed(dir, 'npx nx affected -t test --base=HEAD~1 --skip-nx-cache --parallel=2');
    const full = timed(dir, 'npx nx run-many -t test --skip-nx-cache --parallel=2');
    const run = { services, affected, full };
    results.runs.push(run);
    console.log(`${services} services: affected ${affected.seconds.toFixed(1)} s (${affected.projects} project(s)), run-many ${full.seconds.toFixed(1)} s (${full.projects} projects)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`nx g service-cache: ${results.generatorSeconds.map((s) => s.toFixed(1)).join(' s, ')} s`);
writeFileSync(join(workspace, 'bench', 'affected-results.json'), JSON.stringify(results, null, 2) + '\n');
