import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertServiceManifest, SERVICE_BUNDLE_DIR, SERVICE_MANIFEST_FILE } from '@cache-platform/cache-contract';

/**
 * Where a service app's handler comes from and goes to: the entry named by its manifest (the one
 * definition of the service), the folder the service stack packages. Throws the manifest's own
 * violation (file, field, value, rule) when it is invalid.
 */
export function serviceBundlePaths(appDir: string): { entry: string; outdir: string } {
  const path = join(appDir, SERVICE_MANIFEST_FILE);
  if (!existsSync(path))
    throw new Error(`no ${SERVICE_MANIFEST_FILE} in ${appDir}: pass <entry.ts> <outdir>, or run from a service app folder`);
  const manifest = assertServiceManifest(JSON.parse(readFileSync(path, 'utf8')), path);
  return { entry: manifest.handler, outdir: SERVICE_BUNDLE_DIR };
}
