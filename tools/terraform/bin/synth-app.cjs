// @ts-check
// One app's synth, shared by `synth.cjs` (one process per app) and the Nx batch executor (every app
// of a batch in one process, so Node, swc and cdktf start once): the same steps in both, which is
// what keeps a batch's cdk.tf.json and policy report identical to a one-by-one run's.
const { rmSync, readdirSync, existsSync } = require('node:fs');
const { resolve, join } = require('node:path');

/**
 * Empties `<appDir>/cdktf.out`, runs the app entry with the app folder as working directory (the
 * service entry reads its app from there), then runs the policy pack on what was written.
 * @param {string} appDir the app folder
 * @param {string} entry the app entry, relative to appDir or absolute
 * @param {{ verbose?: boolean }} [options]
 * @returns {boolean} false when the synth or the policy pack failed (the reason is printed)
 */
function synthApp(appDir, entry, options = {}) {
  const dir = resolve(appDir);
  const t0 = Date.now();
  // a stack that is no longer synthesized (an environment left out by CACHE_PLATFORM_ENVIRONMENTS)
  // can never be validated or deployed from a stale copy
  rmSync(join(dir, 'cdktf.out'), { recursive: true, force: true });
  require('@swc-node/register');
  const previous = process.cwd();
  const path = resolve(dir, entry);
  try {
    process.chdir(dir);
    // the entry synthesizes when loaded: in a batch it must run again for every app
    delete require.cache[path];
    require(path);
  } catch (error) {
    // an unknown environment, an invalid manifest, a cell over its quota: the message names the value,
    // the rule and the file; the stack trace only says where the check lives
    console.error(
      options.verbose || !(error instanceof Error) ? error : `synth failed: ${error.message} (--verbose shows the stack trace)`,
    );
    return false;
  } finally {
    process.chdir(previous);
  }
  const stacksDir = join(dir, 'cdktf.out', 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir) : [];
  const t1 = Date.now();
  console.log(`synthesized ${stacks.length} stack(s) in ${t1 - t0} ms: ${stacks.join(', ') || '(none)'}`);
  // the policy pack reads what was just written (so escape hatches and overrides are checked too);
  // a finding fails the synth, and nothing downstream (validate, deploy) runs on a stack that broke it
  if (stacks.length > 0) {
    const { checkSynthesizedApp, formatPolicyReport } = require('@cache-platform/guardrails/policy');
    const report = checkSynthesizedApp(dir);
    const text = formatPolicyReport(report);
    if (report.findings.length > 0) {
      console.error(text);
      console.error('synth failed the policy pack (docs/policy.md: each rule, and how to suppress one with a reason)');
      return false;
    }
    console.log(`${text} (${Date.now() - t1} ms)`);
  }
  return true;
}

module.exports = { synthApp };
