// Fixtures for the tests that read a workspace (the workspace model, the plugin's graph, the
// environment views, the cell placement): a valid service manifest and a scratch workspace folder to
// write them in. One builder, so a field the manifest gains is added here once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A manifest as the generator writes one for `service` (keyspace named after it, password auth,
 * readwrite), with `extra` fields on top: a field to test, or an invalid value to refuse.
 */
export function serviceManifest(service: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service,
    keyspace: service,
    owner: 'team-a',
    purpose: 'cache lookups',
    authMode: 'password',
    accessProfile: 'readwrite',
    ...extra,
  };
}

/** A workspace folder in the system's temporary folder, marked as one by its `nx.json`. */
export interface WorkspaceFixture {
  /** the folder, absolute */
  readonly root: string;
  /** writes `text` at `path` (relative to the root), creating its folders */
  write(path: string, text: string): void;
  /** deletes the folder and everything in it */
  remove(): void;
}

/** `prefix` names the folder (mkdtemp); `nxJson` is the text of its `nx.json`. */
export function workspaceFixture(prefix: string, nxJson = '{}'): WorkspaceFixture {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('nx.json', nxJson);
  return { root, write, remove: () => rmSync(root, { recursive: true, force: true }) };
}
