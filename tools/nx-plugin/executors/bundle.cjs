// @ts-check
// The bundle target: `bundle.cjs [<entry> <outdir>]` in the project folder, one process per project;
// in a batch, every handler in one esbuild call (`bundleHandlers`), with the same build options.
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
  const { bundleHandlers, serviceBundlePaths } = require(join(context.root, 'tools', 'lambda-bundle', 'src', 'index.ts'));
  const t0 = Date.now();
  /** @type {Array<{ id: string, cwd: string, command: string, paths?: { entry: string, outdir: string, authMode?: string }, error?: string }>} */
  const jobs = [];
  for (const task of tasksInOrder(taskGraph)) {
    const options = inputs[task.id];
    const cwd = resolve(context.root, options.cwd ?? '.');
    const args = nodeScriptArgs(options.command, 'bundle.cjs');
    const job = { id: task.id, cwd, command: options.command };
    if (args?.length === 2) jobs.push({ ...job, paths: { entry: resolve(cwd, args[0]), outdir: resolve(cwd, args[1]) } });
    else if (args?.length === 0) {
      try {
        const paths = serviceBundlePaths(cwd);
        // the manifest's auth mode is compiled in, as bundle.cjs does one by one (a password bundle carries no token signer)
        jobs.push({ ...job, paths: { entry: resolve(cwd, paths.entry), outdir: resolve(cwd, paths.outdir), authMode: paths.authMode } });
      } catch (error) {
        jobs.push({ ...job, error: error instanceof Error ? error.message : String(error) });
      }
    } else jobs.push(job);
  }
  const batched = jobs.filter((j) => j.paths);
  const results = await bundleHandlers(batched.map((j) => j.paths));
  const ms = Date.now() - t0;
  // one esbuild call built every handler: each task is given an equal share of its time, so the
  // recorded per-project durations (affected.mjs --record-durations) still add up to the run
  let shareStart = t0;
  for (const job of jobs) {
    const startTime = job.paths ? shareStart : Date.now();
    if (job.paths) shareStart += Math.round(ms / batched.length);
    const { result, output } = await captureOutput(async () => {
      if (job.error) {
        console.error(job.error);
        return false;
      }
      if (!job.paths) return (await runCommand(job.command, job.cwd, (text) => process.stdout.write(text))) === 0;
      const r = results[batched.indexOf(job)];
      if (r instanceof Error) {
        console.error(r.message);
        return false;
      }
      console.log(`bundled ${r.file}: ${(r.bytes / 1024).toFixed(0)} KB in ${ms} ms, in a batch of ${batched.length}`);
      for (const i of r.largestInputs) console.log(`  ${(i.bytes / 1024).toFixed(0).padStart(5)} KB  ${i.path}`);
      return true;
    });
    yield { task: job.id, result: { ...taskResult(result, output, startTime), ...(job.paths ? { endTime: shareStart } : {}) } };
  }
}

module.exports = runTarget;
module.exports.batch = batch;
