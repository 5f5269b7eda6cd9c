// @ts-check
// The validate target: `validate.cjs <app>` runs `terraform init` + `validate` once per stack; in a
// batch, every stack of every app is one child module of a generated root, so the provider schema
// loads once (`validateAppsAsBatch`), and each app gets its own stacks' verdict and diagnostics.
const { join, resolve } = require('node:path');
const { captureOutput, nodeScriptArgs, registerTypeScript, runCommand, runTarget, taskResult, tasksInOrder } = require('./batch.cjs');

/** @typedef {{ command: string, cwd?: string }} Options */

/**
 * @param {import('nx/src/config/task-graph').TaskGraph} taskGraph
 * @param {Record<string, Options>} inputs
 * @param {Record<string, unknown>} _overrides
 * @param {import('@nx/devkit').ExecutorContext} context
 */
async function* batch(taskGraph, inputs, _overrides, context) {
  registerTypeScript(context.root);
  const { validateAppsAsBatch } = require(join(context.root, 'tools', 'terraform', 'src', 'validate-cli.ts'));
  const jobs = tasksInOrder(taskGraph).map((task) => {
    const options = inputs[task.id];
    const cwd = resolve(context.root, options.cwd ?? '.');
    const args = nodeScriptArgs(options.command, 'validate.cjs');
    const apps = args && args.length > 0 && !args.some((a) => a.startsWith('-')) ? args.map((a) => resolve(cwd, a)) : undefined;
    return { id: task.id, cwd, command: options.command, apps };
  });
  const t0 = Date.now();
  /** @type {Map<string, { ok: boolean, output: string, stacks: unknown[] }>} */
  const reports = await validateAppsAsBatch([...new Set(jobs.flatMap((j) => j.apps ?? []))]);
  // one run validated every stack: each task is given its share of that time, by its stack count, so
  // the recorded per-project durations (affected.mjs --record-durations) still add up to the run
  const stacksOf = (/** @type {string[] | undefined} */ apps) =>
    (apps ?? []).reduce((n, app) => n + (reports.get(app)?.stacks.length ?? 0), 0);
  const total = Math.max(1, stacksOf(jobs.flatMap((j) => j.apps ?? [])));
  const elapsed = Date.now() - t0;
  let shareStart = t0;
  for (const job of jobs) {
    const startTime = job.apps ? shareStart : Date.now();
    shareStart += Math.round((elapsed * stacksOf(job.apps)) / total);
    const { result, output } = await captureOutput(async () => {
      if (!job.apps) return (await runCommand(job.command, job.cwd, (text) => process.stdout.write(text))) === 0;
      let ok = true;
      for (const app of job.apps) {
        const report = /** @type {{ ok: boolean, output: string }} */ (reports.get(app));
        (report.ok ? console.log : console.error)(report.output);
        ok &&= report.ok;
      }
      return ok;
    });
    yield { task: job.id, result: { ...taskResult(result, output, startTime), ...(job.apps ? { endTime: shareStart } : {}) } };
  }
}

module.exports = runTarget;
module.exports.batch = batch;
