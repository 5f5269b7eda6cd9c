import { SERVICE_BUNDLE_DIR, SERVICE_MANIFEST_FILE, type AuthMode } from '@cache-platform/cache-contract';
import { readServiceManifest } from '@cache-platform/platform-environments';

/**
 * Where a service app's handler comes from and goes to: the entry named by its manifest (the one
 * definition of the service), the folder the service stack packages, and the auth mode the bundle is
 * built for (its secret will say the same). Throws the manifest's own
 * violation (file, field, value, rule) when it is invalid.
 */
export function serviceBundlePaths(appDir: string): { entry: string; outdir: string; authMode: AuthMode } {
  const manifest = readServiceManifest(appDir, { optional: true });
  if (!manifest) throw new Error(`no ${SERVICE_MANIFEST_FILE} in ${appDir}: pass <entry.ts> <outdir>, or run from a service app folder`);
  return { entry: manifest.handler, outdir: SERVICE_BUNDLE_DIR, authMode: manifest.authMode };
}
