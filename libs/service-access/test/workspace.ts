import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CELL } from '@cache-platform/cache-contract';
import { workspaceFixture } from '@cache-platform/cache-contract/testing';
import { ENVIRONMENTS, type CellSettings, type Environment } from '@cache-platform/platform-environments';

/* A scratch workspace for the cell specs: an nx.json, and one app per manifest with a handler bundle. */

export const REPO_ROOT = resolve(__dirname, '../../..');

/** A sample's manifest as committed, without its extension module (the scratch app has none). */
export function sampleManifest(service: 'catalog-api' | 'enrollment-api'): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', service, 'cache-service.json'), 'utf8'));
  delete manifest.stackExtension;
  delete manifest.$schema;
  return manifest;
}

export function scratchWorkspace(manifests: readonly Record<string, unknown>[]): {
  root: string;
  appDir: (service: string) => string;
  cleanup: () => void;
} {
  const { root, write, remove } = workspaceFixture('cells-workspace-', '{}\n');
  const appDir = (service: string) => join(root, 'apps', service);
  for (const manifest of manifests) {
    const app = `apps/${manifest['service'] as string}`;
    write(`${app}/cache-service.json`, JSON.stringify(manifest, null, 2));
    write(`${app}/dist/handler/index.mjs`, 'export const handler = async () => ({ ok: true });\n');
  }
  return { root, appDir, cleanup: remove };
}

/** The workspace's `dev` with cells: `main` (quota `mainQuota`) and `b`. */
export function devWithCells(mainQuota = 100, cells: readonly CellSettings[] = [{ name: 'b' }]): Environment {
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev');
  if (!dev) throw new Error('the workspace has no dev environment');
  return { ...dev, cells: [{ name: DEFAULT_CELL, maxUsers: mainQuota }, ...cells] };
}

/** Every resource and data source of a synthesized stack by address, without metadata and asset fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function addresses(json: Record<string, any>): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, items] of Object.entries<Record<string, Record<string, unknown>>>(json[kind] ?? {})) {
      for (const [name, body] of Object.entries(items)) {
        const rest = { ...body };
        for (const key of ['//', 'filename', 'source_code_hash']) delete rest[key];
        found[`${kind === 'data' ? 'data.' : ''}${type}.${name}`] = rest;
      }
    }
  }
  return found;
}

/** What the one-cell comparison needs from a fixture captured before cells existed. */
export interface PreCellsFixture {
  readonly terraform: unknown;
  readonly provider: unknown;
  readonly addresses: Record<string, unknown>;
}

export function readFixture(path: string): PreCellsFixture {
  return JSON.parse(readFileSync(path, 'utf8'));
}
