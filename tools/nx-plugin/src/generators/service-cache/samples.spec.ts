// The sample services in apps/ were created by this generator. This test regenerates each of them
// from its own cache-service.json and checks that every generated file still matches, apart from the
// files a team is expected to edit. When the generator changes, regenerate the samples (or edit them
// to match) so they keep showing what `nx g service-cache` produces today.
import { joinPathFragments } from '@nx/devkit';
import { createTestTree } from '../../../test/tree';
import { assertServiceManifest, SERVICE_MANIFEST_FILE } from '@cache-platform/cache-contract';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { serviceCacheGenerator } from './generator';

/** Files a service team owns after generation: the generator writes them once, teams change them. */
export const TEAM_EDITED_FILES = ['src/handler/index.ts', 'src/handler/handler.spec.ts', 'src/stack.ts', 'MIGRATION.md'];

const workspace = resolve(__dirname, '..', '..', '..', '..', '..');

function sampleServices(): Array<{ root: string; manifestPath: string }> {
  const apps = join(workspace, 'apps');
  return readdirSync(apps)
    .map((name) => join(apps, name, SERVICE_MANIFEST_FILE))
    .filter((path) => existsSync(path))
    .map((manifestPath) => ({ root: relative(workspace, dirname(manifestPath)), manifestPath }));
}

/**
 * Formats both sides with the workspace's prettier config, in one prettier process outside jest's VM
 * (prettier 3 loads its plugins with dynamic import), so formatting alone never counts as drift.
 */
function formatPairs(pairs: Array<{ path: string; want: string; have: string }>): Array<{ path: string; want: string; have: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'samples-'));
  try {
    copyFileSync(join(workspace, '.prettierrc'), join(dir, '.prettierrc'));
    pairs.forEach((pair, i) => {
      for (const side of ['want', 'have'] as const) {
        const file = join(dir, side, String(i), pair.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, pair[side]);
      }
    });
    if (process.env.KEEP_SAMPLES_DIR) console.log(dir);
    execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', '--log-level=warn', '.'], {
      cwd: dir,
      stdio: 'pipe',
    });
    return pairs.map((pair, i) => ({
      path: pair.path,
      want: readFileSync(join(dir, 'want', String(i), pair.path), 'utf8'),
      have: readFileSync(join(dir, 'have', String(i), pair.path), 'utf8'),
    }));
  } finally {
    if (!process.env.KEEP_SAMPLES_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

describe('sample services match the generator', () => {
  const samples = sampleServices();
  const afterCleanups: Array<() => void> = [];
  afterAll(() => afterCleanups.forEach((cleanup) => cleanup()));

  it('has at least two samples with different keyspaces', () => {
    const keyspaces = samples.map((s) => JSON.parse(readFileSync(s.manifestPath, 'utf8')).keyspace);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keyspaces).size).toBe(keyspaces.length);
  });

  it.each(samples.map((s) => [s.root, s] as const))('%s', async (_root, sample) => {
    const manifest = assertServiceManifest(JSON.parse(readFileSync(sample.manifestPath, 'utf8')), sample.manifestPath);
    const { tree, cleanup } = createTestTree();
    afterCleanups.push(cleanup);
    await serviceCacheGenerator(tree, {
      name: manifest.service,
      keyspace: manifest.keyspace,
      owner: manifest.owner,
      purpose: manifest.purpose,
      authMode: manifest.authMode,
      directory: dirname(sample.root),
    });
    const generated = tree
      .listChanges()
      .filter((c) => c.type === 'CREATE' && c.path.startsWith(`${sample.root}/`))
      .map((c) => c.path);
    expect(generated.length).toBeGreaterThan(5);
    const drift: string[] = [];
    const pairs: Array<{ path: string; want: string; have: string }> = [];
    for (const path of generated) {
      const rel = path.slice(sample.root.length + 1);
      if (TEAM_EDITED_FILES.includes(rel)) continue;
      const onDisk = join(workspace, path);
      if (!existsSync(onDisk)) drift.push(`${path}: missing in the sample`);
      else pairs.push({ path, want: tree.read(path, 'utf-8')!, have: readFileSync(onDisk, 'utf8') });
    }
    for (const { path, want, have } of formatPairs(pairs)) {
      if (path.endsWith('.json')) expect(JSON.parse(have)).toEqual(JSON.parse(want));
      else if (want !== have) drift.push(`${path}: differs from what the generator writes today`);
    }
    expect(drift).toEqual([]);
    for (const team of TEAM_EDITED_FILES) expect(existsSync(join(workspace, joinPathFragments(sample.root, team)))).toBe(true);
  });
});
