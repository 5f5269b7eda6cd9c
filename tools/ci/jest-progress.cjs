// A jest reporter for progress: jest's default reporter speaks only when a whole test file is done,
// so a file of slow integration tests (a real terraform, a real nx in a scratch workspace) is silent
// for minutes. This prints one line as each slow test finishes (10 s or more: the silences worth
// filling) and nothing for the fast ones, which the default reporter's per-file line covers.
const { relative } = require('node:path');

const DEFAULT_THRESHOLD_MS = 10_000;

class SlowTestProgress {
  /** @param {unknown} _globalConfig @param {{ thresholdMs?: number }} [options] */
  constructor(_globalConfig, options = {}) {
    this.thresholdMs = options.thresholdMs ?? DEFAULT_THRESHOLD_MS;
  }

  /**
   * Called in the main process as each test finishes, while its file is still running.
   * @param {{ path: string, context: { config: { rootDir: string } } }} test
   * @param {{ duration?: number | null, fullName: string, status: string }} result
   */
  onTestCaseResult(test, result) {
    const ms = result.duration ?? 0;
    if (ms < this.thresholdMs) return;
    const file = relative(test.context.config.rootDir, test.path);
    process.stderr.write(`  ${result.status} after ${(ms / 1000).toFixed(1)} s: ${file} › ${result.fullName}\n`);
  }
}

module.exports = SlowTestProgress;
module.exports.DEFAULT_THRESHOLD_MS = DEFAULT_THRESHOLD_MS;
