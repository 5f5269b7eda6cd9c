#!/usr/bin/env node
// How the workspace scales with the number of services: in a scratch copy with N services, time
// project inference (`nx show projects` with the project-graph cache off, so every manifest is read
// and every service's targets inferred), `nx show projects --affected` and `nx affected -t test` after
// a one-service change, and (with --full) the whole `nx run-many -t test`. Also times `nx g
// service-cache` and the synth of one service stack. Usage: node bench/affected.bench.mjs [--full] 2 50
// Prints a table and writes bench/affected-results.json.
import { execFileSync, execSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** progress on stderr, so the results on stdout stay as they were */
const log = (...a) => console.error(new Date().toISOString().slice(11, 19), ...a);
const workspace = resolve(new URL('..', import.meta.url).pathname);
const counts = process.argv.slice(2).map(Number).filter(Boolean);
const full = process.argv.includes('--full');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const SKIP = new Set(['node_modules', '.git', '.nx', 'tmp', 'cdktf.out', 'dist', 'state', '.terraform', 'coverage']);
const env = {
  ...process.env,
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  CI: 'true',
  FORCE_COLOR: '0',
  CACHE_PLATFORM_ENVIRONMENTS: 'dev',
};

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'affected-bench-'));
  cpSync(workspace, dir, {
    recursive: true,
    filter: (src) =>
      !relative(workspace, src)
        .split('/')
        .some((p) => SKIP.has(p)),
  });
  symlinkSync(join(workspace, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=bench@local', '-c', 'user.name=bench', 'add', '-A');
  git('-c', 'user.email=bench@local', '-c', 'user.name=bench', 'commit', '-qm', 'base');
  return {
    dir,
    commit: (msg) => (
      git('add', '-A'),
      git('-c', 'user.email=bench@local', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', msg)
    ),
  };
}

function timed(cwd, command, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const out = execSync(command, {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ran = out.match(/Successfully ran target test for (\d+) projects?/) ?? out.match(/Successfully ran target test for project/);
  const projects = ran ? (ran[1] ? Number(ran[1]) : 1) : 0;
  return { seconds, projects, out };
}

/** Median of three runs, in seconds. */
const median3 = (cwd, command, extraEnv) => median([0, 1, 2].map(() => timed(cwd, command, extraEnv).seconds));

const serviceCount = (dir) => readdirSync(join(dir, 'apps')).filter((a) => existsSync(join(dir, 'apps', a, 'cache-service.json'))).length;

const results = { machine: `${cpus().length} cores, Node ${process.version}`, runs: [] };
const { dir, commit } = scratch();
try {
  // nx g wall time, through the real CLI
  const gen = [];
  log('timing nx g service-cache (3 runs)');
  for (let i = 0; i < 3; i++) {
    const t = timed(dir, `npx nx g service-cache gen-probe-${i} --owner=team-bench --purpose="time the generator" --no-interactive`);
    gen.push(t.seconds);
  }
  results.generatorSeconds = gen;
  // one service stack, in process, as the synth target runs it (bundle built first)
  const app = join(dir, 'apps', 'catalog-api');
  log('timing the synth of one service stack (median of 3)');
  timed(app, 'node ../../tools/lambda-bundle/bin/bundle.cjs');
  results.synthOneStackSeconds = median3(app, 'node ../../tools/terraform/bin/synth.cjs ../../libs/service-access/src/main.ts', {
    CACHE_PLATFORM_ENVIRONMENTS: 'dev',
  });
  for (let i = 0; i < 3; i++) rmSync(join(dir, 'apps', `gen-probe-${i}`), { recursive: true, force: true });
  commit('base without probes');

  for (const n of counts) {
    // grow to n services with the real generator (in-process, which is what `nx g` runs)
    if (serviceCount(dir) < n) {
      log(`growing to ${n} services`);
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
    const noGraphCache = { NX_CACHE_PROJECT_GRAPH: 'false' };
    log(`${n} services: timing nx show projects, --affected and affected -t test${full ? ' and run-many -t test' : ''}`);
    const showProjects = median3(dir, 'npx nx show projects', noGraphCache);
    const showAffected = median3(dir, 'npx nx show projects --affected --base=HEAD~1', noGraphCache);
    const affectedList = timed(dir, 'npx nx show projects --affected --base=HEAD~1').out.trim().split('\n');
    const { out: _o, ...affected } = timed(dir, 'npx nx affected -t test --base=HEAD~1 --skip-nx-cache --parallel=2');
    const runMany = full ? (({ out: _x, ...r }) => r)(timed(dir, 'npx nx run-many -t test --skip-nx-cache --parallel=2')) : undefined;
    const run = {
      services,
      showProjectsSeconds: showProjects,
      showAffectedSeconds: showAffected,
      affectedProjects: affectedList,
      affected,
      runMany,
    };
    results.runs.push(run);
    console.log(
      `${services} services: nx show projects ${showProjects.toFixed(2)} s, show --affected ${showAffected.toFixed(2)} s (${affectedList.join(', ')}), ` +
        `affected -t test ${affected.seconds.toFixed(1)} s (${affected.projects} project(s))` +
        (runMany ? `, run-many ${runMany.seconds.toFixed(1)} s (${runMany.projects} projects)` : ''),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`nx g service-cache: ${results.generatorSeconds.map((s) => s.toFixed(1)).join(' s, ')} s`);
console.log(`synth of one service stack (median of 3): ${results.synthOneStackSeconds.toFixed(2)} s`);
writeFileSync(join(workspace, 'bench', 'affected-results.json'), JSON.stringify(results, null, 2) + '\n');
