#!/usr/bin/env node
// The scale run of cells: a scratch copy of the workspace (outside the repo) whose environments have
// two cells (`main`, `b`, quota 100 users each), grown to N services with the real generator (which
// fills `main` to 99 services, then `b`). Times: every generator call (the last through the real
// `nx g` CLI), the platform synth and every service synth (one process each, as the synth target runs
// them), `terraform validate` of the platform stacks and a sample of service stacks, `nx show
// projects` and `nx show projects --affected` / `nx affected -t synth` after a one-service change, and
// the in-process cost of the synth-time quota check. Also the size of the platform stacks' JSON.
// Usage: node bench/cells-scale.bench.mjs [N=150] [validate sample=6] [--keep] [--skip-validate] [--record]
//        node bench/cells-scale.bench.mjs N --affected-validate [--batch-only] [--record]
// --affected-validate: grows the copy to N services, then times `npx nx affected -t validate` (bundle,
// synth and validate of every affected stack) after a one-line change in libs/service-access, one by
// one (`--batch=false`, the commands as they run without a batch) and through the batch executors
// (`--batch`), and the same after a change in one service's handler; writes
// cells-scale-affected-<N>.json. --batch-only leaves out the one-by-one runs (at 150 services they
// take about half an hour here; the side-by-side figures come from smaller N).
// Prints progress and writes tmp/bench/cells-scale-results.json (git-ignored); --record also updates the
// tracked bench/cells-scale-results.json that docs/benchmarks.md cites (bench/results-file.cjs).
import { execFileSync, execSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const { writeResults } = createRequire(import.meta.url)('./results-file.cjs');

const workspace = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(args[0] ?? 150);
const VALIDATE_SAMPLE = Number(args[1] ?? 6);
const keep = process.argv.includes('--keep');
const skipValidate = process.argv.includes('--skip-validate');
const affectedValidate = process.argv.includes('--affected-validate');
const batchOnly = process.argv.includes('--batch-only');
const SKIP = new Set(['node_modules', '.git', '.nx', 'tmp', 'cdktf.out', 'dist', 'state', '.terraform', 'coverage']);
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0' };
delete env.CACHE_PLATFORM_ENVIRONMENTS;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e9;
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);
/** a progress line every this many services, in the two per-service loops (generate, synth) */
const PROGRESS_EVERY = 10;

function timed(cwd, command, extraEnv = {}) {
  const t0 = now();
  const out = execSync(command, {
    cwd,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 << 20,
  });
  return { seconds: now() - t0, out };
}

const results = { machine: `${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`, n: N, loadBefore: loadavg() };
const DONE = Symbol('done');
const resultsFile = affectedValidate ? `cells-scale-affected-${N}.json` : 'cells-scale-results.json';
const dir = mkdtempSync(join(tmpdir(), 'cells-scale-'));
log(`scratch workspace ${dir}`);
try {
  cpSync(workspace, dir, {
    recursive: true,
    filter: (src) =>
      !relative(workspace, src)
        .split('/')
        .some((p) => SKIP.has(p)),
  });
  // node_modules: every package linked from the workspace, except the workspace's own packages
  // (npm workspaces link them to ../../libs/*), which must be the scratch copy's, patched below
  mkdirSync(join(dir, 'node_modules', '@cache-platform'), { recursive: true });
  for (const entry of readdirSync(join(workspace, 'node_modules'))) {
    if (entry !== '@cache-platform') symlinkSync(join(workspace, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  for (const entry of readdirSync(join(workspace, 'node_modules', '@cache-platform'))) {
    const target = readlinkSync(join(workspace, 'node_modules', '@cache-platform', entry));
    symlinkSync(target, join(dir, 'node_modules', '@cache-platform', entry));
  }
  // two cells in every environment, default quota (100 users: 99 services each)
  const envFile = join(dir, 'libs/platform-environments/src/environments.ts');
  let envText = readFileSync(envFile, 'utf8');
  for (const name of ['dev', 'prod'])
    envText = envText.replace(`name: '${name}',`, `name: '${name}',\n    cells: [{ name: 'main' }, { name: 'b' }],`);
  if ((envText.match(/cells: \[\{ name: 'main' \}, \{ name: 'b' \}\]/g) ?? []).length !== 2)
    throw new Error('could not add the cells to environments.ts');
  writeFileSync(envFile, envText);
  const git = (...a) => execFileSync('git', ['-c', 'user.email=bench@local', '-c', 'user.name=bench', ...a], { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');

  const services = () => readdirSync(join(dir, 'apps')).filter((a) => existsSync(join(dir, 'apps', a, 'cache-service.json')));
  // 1. grow to N-1 services in process (what `nx g` runs), timing each generator call
  const start = services().length;
  // the affected run counts the sample apps among its N; the scale run leaves room for the last one, made through `nx g`
  const target = affectedValidate ? N : N - 1;
  const script = `
    require('@swc-node/register');
    const { FsTree, flushChanges } = require('nx/src/generators/tree');
    const { serviceCacheGenerator } = require('./tools/nx-plugin/src/generators/service-cache/generator.ts');
    (async () => {
      const ms = [];
      for (let i = ${start}; i < ${target}; i++) {
        const t0 = performance.now();
        const tree = new FsTree(process.cwd(), false);
        await serviceCacheGenerator(tree, { name: 'scale-svc-' + i, owner: 'team-bench', purpose: 'scale run service' });
        flushChanges(process.cwd(), tree.listChanges());
        ms.push(performance.now() - t0);
        // progress on stderr (inherited); stdout carries only the timings
        if ((i + 1) % ${PROGRESS_EVERY} === 0) console.error('  ' + (i + 1) + ' of ${target} services');
      }
      console.log(JSON.stringify(ms));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  log(`generating ${target - start} services in process (progress every ${PROGRESS_EVERY})`);
  const gen = JSON.parse(
    execFileSync(process.execPath, ['-e', script], {
      cwd: dir,
      env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop(),
  );
  results.generatorInProcessMs = { count: gen.length, first5: gen.slice(0, 5).map(Math.round), last5: gen.slice(-5).map(Math.round) };
  log(
    `generated ${gen.length} services in process: first ${results.generatorInProcessMs.first5.join(', ')} ms, last ${results.generatorInProcessMs.last5.join(', ')} ms`,
  );
  if (affectedValidate) {
    git('add', '-A');
    git('commit', '-qm', `${N} services`, '--allow-empty');
    await benchAffectedValidate({ git, services });
    // the scale run's other steps are not part of this one
    throw DONE;
  }
  // 2. the N-th service through the real CLI
  const cli = timed(dir, `npx nx g service-cache scale-svc-${N - 1} --owner=team-bench --purpose="scale run service" --no-interactive`);
  results.generatorCliSeconds = cli.seconds;
  const cellOf = (svc) => JSON.parse(readFileSync(join(dir, 'apps', svc, 'cache-service.json'), 'utf8')).cell ?? 'main';
  results.cells = services().reduce((acc, s) => ({ ...acc, [cellOf(s)]: (acc[cellOf(s)] ?? 0) + 1 }), {});
  results.lastServiceCell = cellOf(`scale-svc-${N - 1}`);
  log(
    `${N}th service via nx g: ${cli.seconds.toFixed(1)} s, into cell ${results.lastServiceCell}; services per cell ${JSON.stringify(results.cells)}`,
  );
  git('add', '-A');
  git('commit', '-qm', `${N} services`);

  // 3. the synth-time quota check alone, in process, at N services (median of 5)
  const check = `
    require('@swc-node/register');
    const { assertWorkspaceCells, readWorkspace } = require('./libs/platform-environments/src/index.ts');
    const read = [], checkMs = [];
    for (let i = 0; i < 5; i++) {
      // the workspace model, as every synth reads it (readManifestsMs: the walk and every manifest)
      let t0 = performance.now(); const w = readWorkspace(process.cwd()); read.push(performance.now() - t0);
      t0 = performance.now(); assertWorkspaceCells(w.environments, w.services); checkMs.push(performance.now() - t0);
    }
    const med = (xs) => xs.sort((a, b) => a - b)[2];
    console.log(JSON.stringify({ readManifestsMs: med(read), checkMs: med(checkMs) }));`;
  results.quotaCheck = JSON.parse(
    execFileSync(process.execPath, ['-e', check], { cwd: dir, env, encoding: 'utf8' }).trim().split('\n').pop(),
  );
  log(
    `quota check at ${N}: read manifests ${results.quotaCheck.readManifestsMs.toFixed(1)} ms, check ${results.quotaCheck.checkMs.toFixed(1)} ms`,
  );

  // 4. one bundle, copied to every service (synth packages whatever dist/handler holds)
  const sampleApp = join(dir, 'apps', 'catalog-api');
  log('bundling catalog-api once and copying the bundle to every service');
  results.bundleOneSeconds = timed(sampleApp, 'node ../../tools/lambda-bundle/bin/bundle.cjs').seconds;
  for (const svc of services())
    if (svc !== 'catalog-api') cpSync(join(sampleApp, 'dist', 'handler'), join(dir, 'apps', svc, 'dist', 'handler'), { recursive: true });

  // the platform packages the rotation function's bundle; where its lib has not been bundled (or does
  // not exist yet), a placeholder handler stands in: synth only zips the folder
  const rotationBundle = join(dir, 'libs', 'secret-rotation', 'dist', 'handler');
  if (!existsSync(join(rotationBundle, 'index.js')) && !existsSync(join(rotationBundle, 'index.mjs'))) {
    mkdirSync(rotationBundle, { recursive: true });
    writeFileSync(join(rotationBundle, 'index.js'), 'exports.handler = async () => undefined;\n');
    results.rotationBundle = 'placeholder';
  }
  // 5. synth: the platform, then every service app (both environments), one process each
  log('synthesizing the platform');
  const platform = timed(join(dir, 'apps', 'platform'), 'node ../../tools/terraform/bin/synth.cjs src/main.ts');
  results.platformSynthSeconds = platform.seconds;
  results.platformJsonBytes = Object.fromEntries(
    ['dev', 'prod'].map((e) => [e, statSync(join(dir, 'apps', 'platform', 'cdktf.out', 'stacks', `platform-${e}`, 'cdk.tf.json')).size]),
  );
  log(`platform synth ${platform.seconds.toFixed(2)} s, JSON ${JSON.stringify(results.platformJsonBytes)}`);
  const synthSeconds = {};
  const t0 = now();
  const toSynth = services();
  log(`synthesizing ${toSynth.length} service apps, one process each (progress every ${PROGRESS_EVERY})`);
  for (const [i, svc] of toSynth.entries()) {
    synthSeconds[svc] = timed(
      join(dir, 'apps', svc),
      'node ../../tools/terraform/bin/synth.cjs ../../libs/service-access/src/main.ts',
    ).seconds;
    if ((i + 1) % PROGRESS_EVERY === 0 || i + 1 === toSynth.length) {
      const elapsed = now() - t0;
      const left = (elapsed / (i + 1)) * (toSynth.length - i - 1);
      log(`  synthesized ${i + 1}/${toSynth.length} apps in ${elapsed.toFixed(0)} s (about ${left.toFixed(0)} s left)`);
    }
  }
  const perService = Object.values(synthSeconds);
  results.serviceSynth = {
    apps: perService.length,
    stacks: perService.length * 2,
    totalSeconds: now() - t0,
    medianSeconds: median(perService),
    minSeconds: Math.min(...perService),
    maxSeconds: Math.max(...perService),
    first5: perService.slice(0, 5),
  };
  results.serviceStackJsonBytes = statSync(join(dir, 'apps', 'catalog-api', 'cdktf.out', 'stacks', 'catalog-api-dev', 'cdk.tf.json')).size;
  log(
    `service synth: ${perService.length} apps in ${results.serviceSynth.totalSeconds.toFixed(0)} s (median ${results.serviceSynth.medianSeconds.toFixed(2)} s per app)`,
  );
  writeResults('cells-scale-results.json', results);

  // 6. validate: the platform and a sample of service apps (one of them in cell b), one at a time
  const bServices = services().filter((s) => cellOf(s) === 'b');
  const sample = [
    'platform',
    'catalog-api',
    'enrollment-api',
    ...services()
      .filter((s) => s.startsWith('scale-svc-'))
      .slice(0, VALIDATE_SAMPLE - 3),
    bServices[bServices.length - 1],
  ].filter(Boolean);
  results.validate = [];
  for (const app of skipValidate ? [] : sample) {
    const { out, seconds } = timed(dir, `node tools/terraform/bin/validate.cjs apps/${app}`);
    for (const m of out.matchAll(/ok\s+\S*stacks\/(\S+) \(init ([\d.]+) s, validate ([\d.]+) s\)/g)) {
      results.validate.push({ stack: m[1], init: Number(m[2]), validate: Number(m[3]) });
    }
    log(`validate apps/${app}: ${seconds.toFixed(1)} s`);
  }
  writeResults('cells-scale-results.json', results);

  // 7. Nx after a one-service change
  appendFileSync(join(dir, 'apps', 'catalog-api', 'src', 'handler', 'index.ts'), '\n// scale run change\n');
  git('add', '-A');
  git('commit', '-qm', 'touch catalog-api');
  log('timing nx show projects (3 runs), --affected (3 runs) and affected -t synth');
  const noGraphCache = { NX_CACHE_PROJECT_GRAPH: 'false' };
  // each run takes tens of seconds at scale: one line per run
  const nxRun = (command, extraEnv = {}) => {
    const run = timed(dir, command, extraEnv);
    log(`  ${command}: ${run.seconds.toFixed(1)} s`);
    return run;
  };
  results.nxShowProjectsSeconds = [0, 1, 2].map(() => nxRun('npx nx show projects', noGraphCache).seconds);
  results.nxShowAffectedSeconds = [0, 1, 2].map(() => nxRun('npx nx show projects --affected --base=HEAD~1', noGraphCache).seconds);
  results.affectedProjects = nxRun('npx nx show projects --affected --base=HEAD~1').out.trim().split('\n');
  results.nxAffectedSynthSeconds = nxRun('npx nx affected -t synth --base=HEAD~1 --skip-nx-cache', {
    CACHE_PLATFORM_ENVIRONMENTS: 'dev',
  }).seconds;
  results.projects = nxRun('npx nx show projects').out.trim().split('\n').length;
  log(
    `nx show projects ${results.nxShowProjectsSeconds.map((s) => s.toFixed(1)).join('/')} s (${results.projects} projects), ` +
      `--affected ${results.nxShowAffectedSeconds.map((s) => s.toFixed(1)).join('/')} s (${results.affectedProjects.join(', ')}), ` +
      `affected -t synth ${results.nxAffectedSynthSeconds.toFixed(1)} s`,
  );
  results.loadAfter = loadavg();
} catch (error) {
  if (error !== DONE) throw error;
} finally {
  results.loadAfter = loadavg();
  writeResults(resultsFile, results);
  if (keep) log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

/**
 * `nx affected -t validate` one by one and batched, after a platform change (every service affected)
 * and after one handler change (one service). Each run starts from an empty Nx cache and no synth
 * output, so both do all the work; stacks and verdicts must match.
 */
async function benchAffectedValidate({ git, services }) {
  results.services = services().length;
  const run = (label, extra) => {
    rmSync(join(dir, '.nx'), { recursive: true, force: true });
    for (const app of readdirSync(join(dir, 'apps'))) rmSync(join(dir, 'apps', app, 'cdktf.out'), { recursive: true, force: true });
    const t0 = now();
    let out;
    let ok = true;
    try {
      out = execSync(`npx nx affected -t validate --base=HEAD~1 --skip-nx-cache --nx-bail=false --output-style=static ${extra}`, {
        cwd: dir,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 << 20,
      });
    } catch (error) {
      ok = false;
      out = `${error.stdout}\n${error.stderr}`;
    }
    const seconds = now() - t0;
    // the whole nx output, for where the time went (each batch prints its own timings)
    mkdirSync(join(workspace, 'tmp', 'bench'), { recursive: true });
    writeFileSync(join(workspace, 'tmp', 'bench', `cells-scale-affected-${N}-${label.replace(/[^a-z0-9]+/gi, '-')}.log`), out);
    const valid = [...out.matchAll(/^ok\s+(\S+)/gm)].map((m) => m[1]).sort();
    const failed = [...out.matchAll(/^FAIL (\S+)/gm)].map((m) => m[1]).sort();
    const tasks = /Successfully ran target validate for (\d+) projects? and (\d+) tasks?/.exec(out);
    log(`${label}: ${seconds.toFixed(1)} s, ${valid.length} stack(s) valid, ${failed.length} failed${ok ? '' : ' (nx failed)'}`);
    if (!ok) log(out.slice(-3000));
    return { seconds, ok, validStacks: valid.length, failedStacks: failed, projects: tasks ? Number(tasks[1]) : undefined, valid };
  };
  // a one-line change in the library every service builds on
  appendFileSync(join(dir, 'libs', 'service-access', 'src', 'service-app.ts'), '\n// scale run change\n');
  git('add', '-A');
  git('commit', '-qm', 'touch service-access');
  results.platformChange = {};
  const modes = [
    ['oneByOne', '--batch=false'],
    ['batch', '--batch'],
  ].filter(([label]) => !batchOnly || label === 'batch');
  for (const [label, extra] of modes) {
    const r = run(`platform change, ${label}`, extra);
    results.platformChange[label] = { ...r, valid: undefined };
    results.platformChange[`${label}Valid`] = r.valid;
    writeResults(resultsFile, results);
  }
  if (!batchOnly)
    results.platformChange.sameVerdicts =
      JSON.stringify(results.platformChange.oneByOneValid) === JSON.stringify(results.platformChange.batchValid);
  delete results.platformChange.oneByOneValid;
  delete results.platformChange.batchValid;
  // a handler change: one service
  git('reset', '-q', '--hard', 'HEAD~1');
  appendFileSync(join(dir, 'apps', 'catalog-api', 'src', 'handler', 'index.ts'), '\n// scale run change\n');
  git('add', '-A');
  git('commit', '-qm', 'touch catalog-api');
  results.handlerChange = {};
  for (const [label, extra] of modes) {
    const r = run(`handler change, ${label}`, extra);
    results.handlerChange[label] = { ...r, valid: undefined };
    writeResults(resultsFile, results);
  }
}
