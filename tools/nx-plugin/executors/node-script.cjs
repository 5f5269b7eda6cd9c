// @ts-check
// Plain CommonJS like the plugin: an executor that runs a workspace TypeScript script with its
// arguments untouched. `nx:run-commands` cannot carry `-- --env dev` (it owns an `env` option and
// refuses the string), which is exactly how `npx nx run platform:audit -- --env dev` is called.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

/**
 * @param {{ script: string, __unparsed__?: string[] }} options
 * @param {import('@nx/devkit').ExecutorContext} context
 * @returns {Promise<{ success: boolean }>}
 */
module.exports = async function nodeScript(options, context) {
  const args = ['-r', '@swc-node/register', join(context.root, options.script), ...(options.__unparsed__ ?? [])];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: context.root, stdio: 'inherit' });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
  // Nx reports any failure as exit 1; the script's own code (1 drift, 2 unreadable) is in its output
  return { success: code === 0 };
};
