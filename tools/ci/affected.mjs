#!/usr/bin/env node
// `npm run affected:test`: `nx affected -t <targets>` with the settings of `.ci/run`, against the same
// base `npx nx affected` uses, and a plain sentence when nothing is affected.
//
// The base is NX_BASE when CI provides it (a pull request's target), else nx.json's `defaultBase`
// (main) - exactly what `npx nx affected` compares with. Nx compares with the merge base of that and
// the head, and counts uncommitted changes unless NX_HEAD is set: on a branch, everything the branch
// changed; on main itself, only what is not committed yet.
//
// `--shard=K/N` runs a deterministic, balanced K-th of the affected projects (tools/ci/shard.cjs), so
// N CI machines share one change; `--durations=<file>` (JSON: project → seconds, e.g. from earlier
// runs) balances on time instead of project count. `--record-durations=<file>` writes that file after
// the run, from Nx's own task timings (NX_PROFILE), merged over what the file held.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CI_ENV } from './ci-env.mjs';
import shard from './shard.cjs';
import durationsFile from './durations.cjs';

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ours = (a) => a.startsWith('--shard=') || a.startsWith('--durations=') || a.startsWith('--record-durations=');
const targets = args.filter((a) => !a.startsWith('-'));
const passThrough = args.filter((a) => a.startsWith('-') && !ours(a));
if (targets.length === 0) {
  console.error(
    'usage: node tools/ci/affected.mjs <target>[,<target>...] [--shard=K/N] [--durations=<file>] [--record-durations=<file>] [nx options]',
  );
  process.exit(2);
}
let shardSpec;
let durations = {};
try {
  shardSpec = option('shard') === undefined ? undefined : shard.parseShard(option('shard'));
  const file = option('durations');
  if (file !== undefined) {
    if (!existsSync(file)) throw new Error(`invalid --durations ${JSON.stringify(file)}: no such file`);
    durations = JSON.parse(readFileSync(file, 'utf8'));
  }
} catch (error) {
  console.error(error.message);
  process.exit(2);
}

const defaultBase = JSON.parse(readFileSync(new URL('../../nx.json', import.meta.url), 'utf8')).defaultBase ?? 'main';
const base = process.env.NX_BASE || defaultBase;
const head = process.env.NX_HEAD;
const env = { ...process.env, ...CI_ENV };
const record = option('record-durations');
// Nx resolves NX_PROFILE against its working directory: a relative path, under the ignored tmp/
const profile = `tmp/ci/nx-profile-${process.pid}.json`;
if (record !== undefined) {
  mkdirSync(dirname(profile), { recursive: true });
  env.NX_PROFILE = profile;
}
/** Exits with the run's status, after writing the durations file when asked to. */
function finish(status) {
  if (record !== undefined && existsSync(profile)) {
    try {
      const previous = existsSync(record) ? JSON.parse(readFileSync(record, 'utf8')) : {};
      const merged = durationsFile.durationsFromProfile(JSON.parse(readFileSync(profile, 'utf8')), previous, profile);
      mkdirSync(dirname(record), { recursive: true });
      writeFileSync(record, `${JSON.stringify(merged, null, 2)}\n`);
      console.log(`recorded the durations of ${Object.keys(merged).length} project(s) in ${record}`);
    } catch (error) {
      console.error(`could not record durations in ${record}: ${error.message}`);
      status ||= 1;
    } finally {
      rmSync(profile, { force: true });
    }
  }
  process.exit(status ?? 1);
}
const range = [`--base=${base}`, ...(head ? [`--head=${head}`] : [])];
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let affected;
try {
  const out = execFileSync(npx, ['nx', 'show', 'projects', '--affected', '-t', ...targets, ...range, '--json'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  affected = JSON.parse(out);
} catch (error) {
  console.error(`could not compute affected projects against ${base}: ${(error.stderr || error.message || '').toString().trim()}`);
  process.exit(1);
}
const against = `${base}${head ? `..${head}` : ' (and uncommitted changes)'}`;
if (affected.length === 0) {
  console.log(`nothing affected against ${against}: no ${targets.join(', ')} to run`);
  process.exit(0);
}
console.log(`affected against ${against}: ${affected.join(', ')}`);
if (shardSpec) {
  const mine = shard.shardProjects(affected, shardSpec, durations);
  const label = `shard ${shardSpec.index}/${shardSpec.total}`;
  if (mine.length === 0) {
    console.log(`${label}: nothing to run (${affected.length} affected project(s) over ${shardSpec.total} shards)`);
    process.exit(0);
  }
  console.log(`${label}: ${mine.join(', ')}`);
  const result = spawnSync(npx, ['nx', 'run-many', '-t', targets.join(','), '-p', mine.join(','), ...passThrough], {
    stdio: 'inherit',
    env,
  });
  finish(result.status);
}
const result = spawnSync(npx, ['nx', 'affected', '-t', targets.join(','), ...range, ...passThrough], { stdio: 'inherit', env });
finish(result.status);
