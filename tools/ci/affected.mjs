#!/usr/bin/env node
// `npm run affected:test`: `nx affected -t <targets>` with the settings of `.ci/run`, against the same
// base `npx nx affected` uses, and a plain sentence when nothing is affected.
//
// The base is NX_BASE when CI provides it (a pull request's target), else nx.json's `defaultBase`
// (main) - exactly what `npx nx affected` compares with. Nx compares with the merge base of that and
// the head, and counts uncommitted changes unless NX_HEAD is set: on a branch, everything the branch
// changed; on main itself, only what is not committed yet.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CI_ENV } from './ci-env.mjs';

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
if (targets.length === 0) {
  console.error('usage: node tools/ci/affected.mjs <target>[,<target>...] [nx options]');
  process.exit(2);
}

const defaultBase = JSON.parse(readFileSync(new URL('../../nx.json', import.meta.url), 'utf8')).defaultBase ?? 'main';
const base = process.env.NX_BASE || defaultBase;
const head = process.env.NX_HEAD;
const env = { ...process.env, ...CI_ENV };
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
const result = spawnSync(npx, ['nx', 'affected', '-t', targets.join(','), ...range, ...passThrough], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
