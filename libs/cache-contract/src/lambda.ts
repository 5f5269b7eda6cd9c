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
