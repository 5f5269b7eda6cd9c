// @ts-check
// What the bundle, synth and validate executors share. Each target keeps the command it always had
// (the one-by-one path, one process per project, exactly as before); the batch implementation Nx
// calls under `--batch` / NX_BATCH_MODE=true runs the same steps for every project of the batch in
// one Node process. Nx still hashes, caches and reports each task on its own.
const { spawn } = require('node:child_process');
const { basename, join, resolve } = require('node:path');

/**
 * Runs a target's command in its folder, output streamed, as `nx:run-commands` does.
 * @param {string} command
 * @param {string} cwd
 * @param {(text: string) => void} [write] where the output goes (default: this process's stdout/stderr)
 * @returns {Promise<number>} the exit code
 */
function runCommand(command, cwd, write) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, { cwd, shell: true, stdio: write ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (write) {
      child.stdout?.on('data', (chunk) => write(String(chunk)));
      child.stderr?.on('data', (chunk) => write(String(chunk)));
    }
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      write?.(`${error.message}\n`);
      resolvePromise(1);
    });
  });
}

/**
 * The single-task implementation every one of these executors shares: the target's own command.
 * @param {{ command: string, cwd?: string }} options
 * @param {{ root: string }} context
 */
async function runTarget(options, context) {
  return { success: (await runCommand(options.command, resolve(context.root, options.cwd ?? '.'))) === 0 };
}

/**
 * The arguments of `node <…/script> <args…>` when the command is exactly that (plain words, no shell
 * syntax); undefined otherwise, and the batch then runs that task's command as it is.
 * @param {string} command
 * @param {string} script the script's file name, e.g. `synth.cjs`
 * @returns {string[] | undefined}
 */
function nodeScriptArgs(command, script) {
  if (/[|&;<>()$`'"\\*?{}[\]~]/.test(command)) return undefined;
  const [node, path, ...args] = command.trim().split(/\s+/);
  return node === 'node' && path && basename(path) === script ? args : undefined;
}

/**
 * Calls `fn` with everything written to stdout and stderr meanwhile captured, so each task of a batch
 * carries its own output (Nx prints it under the task's name as the task completes).
 * @template T
 * @param {() => Promise<T> | T} fn
 * @returns {Promise<{ result: T, output: string }>}
 */
async function captureOutput(fn) {
  let output = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = /** @type {typeof process.stdout.write} */ (
    (/** @type {string | Uint8Array} */ chunk, /** @type {unknown[]} */ ...rest) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r) => typeof r === 'function');
      if (done) /** @type {() => void} */ (done)();
      return true;
    }
  );
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    const result = await fn();
    return { result, output };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/**
 * The batch's tasks with each after the ones it depends on (these executors' batches hold one target,
 * so there are no edges in practice; the order still never breaks one).
 * @param {import('nx/src/config/task-graph').TaskGraph} taskGraph
 */
function tasksInOrder(taskGraph) {
  /** @type {string[]} */
  const order = [];
  const seen = new Set();
  /** @param {string} id */
  const visit = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of taskGraph.dependencies[id] ?? []) if (taskGraph.tasks[dep]) visit(dep);
    order.push(id);
  };
  for (const id of Object.keys(taskGraph.tasks).sort()) visit(id);
  return order.map((id) => taskGraph.tasks[id]);
}

/**
 * TypeScript for the batch process: one swc registration for every project, compiled with the
 * workspace's base options (what each app's tsconfig extends, adding only editor types).
 * @param {string} root
 */
function registerTypeScript(root) {
  if (!process.env['SWC_NODE_PROJECT'] && !process.env['TS_NODE_PROJECT'])
    process.env['SWC_NODE_PROJECT'] = join(root, 'tsconfig.base.json');
  // a side effect only: hooks require() for .ts files
  require(/** @type {string} */ ('@swc-node/register'));
}

/**
 * @param {boolean} success
 * @param {string} output
 * @param {number} startTime
 */
function taskResult(success, output, startTime) {
  /** @type {'success' | 'failure'} */
  const status = success ? 'success' : 'failure';
  return {
    success,
    status,
    terminalOutput: output,
    startTime,
    endTime: Date.now(),
  };
}

module.exports = { runCommand, runTarget, nodeScriptArgs, captureOutput, tasksInOrder, registerTypeScript, taskResult };
