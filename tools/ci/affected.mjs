#!/usr/bin/env node
// Runs `nx affected -t <targets>` against a base that actually means something in CI.
//
// How the base is chosen (first that applies):
//   1. NX_BASE (and NX_HEAD) from the environment: CI systems that know the PR base set this.
//   2. On a branch other than the default branch: the merge base with it (origin/<default> if fetched,
//      else the local branch) — i.e. everything this branch changed.
//   3. On the default branch itself: HEAD~1 — what the last commit changed. (Nx's own default, `main`,
//      would compare main with itself and run nothing.)
//   4. No usable base (a single-commit clone): everything, via `nx run-many`.
// Uncommitted changes are included unless NX_HEAD is set (Nx compares the working tree when no head is given).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
if (targets.length === 0) {
  console.error('usage: node tools/ci/affected.mjs <target>[,<target>...] [nx options]');
  process.exit(2);
}

const git = (...args) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

function chooseBase() {
  if (process.env.NX_BASE) return { base: process.env.NX_BASE, why: 'NX_BASE from the environment' };
  const defaultBranch = JSON.parse(readFileSync(new URL('../../nx.json', import.meta.url), 'utf8')).defaultBase ?? 'main';
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  if (branch && branch !== defaultBranch && branch !== 'HEAD') {
    for (const ref of [`origin/${defaultBranch}`, defaultBranch]) {
      const mergeBase = git('merge-base', 'HEAD', ref);
      if (mergeBase) return { base: mergeBase, why: `merge base of ${branch} with ${ref}` };
    }
  }
  const previous = git('rev-parse', '--verify', '--quiet', 'HEAD~1');
  if (previous) return { base: previous, why: `HEAD~1 (on ${branch ?? 'a detached HEAD'}: what the last commit changed)` };
  return undefined;
}

const choice = chooseBase();
const nxArgs = choice
  ? ['nx', 'affected', '-t', targets.join(','), `--base=${choice.base}`, ...(process.env.NX_HEAD ? [`--head=${process.env.NX_HEAD}`] : []), ...passThrough]
  : ['nx', 'run-many', '-t', targets.join(','), ...passThrough];
console.log(choice ? `affected base: ${choice.base} (${choice.why})` : 'no base commit to compare with: running every project');
const result = spawnSync('npx', nxArgs, { stdio: 'inherit', env: { NX_NO_CLOUD: 'true', ...process.env } });
process.exit(result.status ?? 1);
