// @ts-check
// The synth target: `synth.cjs <entry>` in the app folder, one process per app; in a batch, every
// app's synth in this one process (Node, swc, cdktf and the provider bindings load once), through the
// same `synthApp` the script runs, so the stacks and the policy report are the same either way.
const { join, resolve } = require('node:path');
const { captureOutput, nodeScriptArgs, registerTypeScript, runCommand, runTarget, taskResult, tasksInOrder } = require('./batch.cjs');

/** @typedef {{ command: string, cwd?: string }} Options */

/**
 * @param {import('nx/src/config/task-graph').TaskGraph} taskGraph
 * @param {Record<string, Options>} inputs
 * @param {Record<string, unknown>} overrides
 * @param {import('@nx/devkit').ExecutorContext} context
 */
async function* batch(taskGraph, inputs, overrides, context) {
  registerTypeScript(context.root);
  const { synthApp } = require(join(context.root, 'tools', 'terraform', 'bin', 'synth-app.cjs'));
  const verbose = overrides['verbose'] === true || process.env['NX_VERBOSE_LOGGING'] === 'true';
  for (const task of tasksInOrder(taskGraph)) {
    const options = inputs[task.id];
    const cwd = resolve(context.root, options.cwd ?? '.');
    const args = nodeScriptArgs(options.command, 'synth.cjs');
    const entry = args?.filter((a) => !a.startsWith('--'));
    const startTime = Date.now();
    const { result, output } = await captureOutput(async () =>
      // anything but `synth.cjs <entry>` runs as its own command, as without a batch
      entry?.length === 1 && !args?.includes('--help')
        ? synthApp(cwd, entry[0], { verbose: verbose || args?.includes('--verbose') })
        : (await runCommand(options.command, cwd, (text) => process.stdout.write(text))) === 0,
    );
    yield { task: task.id, result: taskResult(result, output, startTime) };
  }
}

module.exports = runTarget;
module.exports.batch = batch;
