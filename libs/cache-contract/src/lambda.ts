/**
 * The runtime every platform Lambda runs (service handlers and the rotation function), and the
 * target the bundler compiles for. One place: changing the runtime is this file (then `npm test`).
 * `nodejs22.x` is the newest Node.js runtime the pinned hashicorp/aws 5.100.0 schema accepts.
 */
export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LAMBDA_ARCHITECTURE = 'arm64';

/** esbuild's target for a Lambda Node.js runtime: `nodejs22.x` → `node22`. */
export function bundleTargetOf(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`invalid Lambda runtime ${JSON.stringify(runtime)}: expected "nodejs<major>.x"`);
  return `node${match[1]}`;
}

/**
 * The variable tools/lambda-bundle replaces (esbuild `define`) with the manifest's `authMode` in a
 * service's bundle. cache-client reads `process.env.CACHE_PLATFORM_BUNDLED_AUTH_MODE` where it would
 * load the IAM token signer for an `iam` secret: in a password service's bundle that branch is dead
 * code, so the signer is not bundled. Unbundled (tests, local runs) it is unset and either mode works.
 */
export const BUNDLED_AUTH_MODE_VARIABLE = 'CACHE_PLATFORM_BUNDLED_AUTH_MODE';
