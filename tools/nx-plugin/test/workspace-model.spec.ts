// The Nx plugin is plain CommonJS (no TypeScript transpiler in Nx's plugin worker), so it cannot
// import the workspace model: it keeps its `**/cache-service.json` glob and reads each manifest's
// `service` for the project name (plugin.cjs `serviceName`, the one reader of the manifest outside the
// model). This proves, with the real `nx` on a scratch workspace carrying this repository's
// .gitignore, that the glob and that read make a project of exactly the services the workspace model
// (libs/platform-environments/src/workspace.ts) finds, under the same names: the repository's sample
// apps with their real manifests, services wherever `--directory` put them (services/payments/...),
// and never a copy in a folder the model skips.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceManifest, workspaceFixture, type WorkspaceFixture } from '@cache-platform/cache-contract/testing';
import { readWorkspace, SKIPPED_FOLDERS } from '@cache-platform/platform-environments';
import { SERVICE_IMPLICIT_DEPENDENCIES } from '../plugin.cjs';
import { nx, workspace as repo } from './scratch';

const manifest = (service: string) => JSON.stringify(serviceManifest(service));

describe('the plugin and the workspace model find the same services', () => {
  // the repository's sample apps (apps/catalog-api, apps/enrollment-api), found by the model itself
  const samples = readWorkspace(repo).services;
  let root: string;
  let write: WorkspaceFixture['write'];
  let remove: WorkspaceFixture['remove'];
  beforeAll(() => {
    ({ root, write, remove } = workspaceFixture('workspace-model-nx-', JSON.stringify({ plugins: ['./plugin.cjs'] })));
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    copyFileSync(join(repo, '.gitignore'), join(root, '.gitignore'));
    copyFileSync(join(repo, 'tools', 'nx-plugin', 'plugin.cjs'), join(root, 'plugin.cjs'));
    write('package.json', JSON.stringify({ name: 'scratch', private: true }));
    // the projects every service names as implicit dependencies
    for (const name of SERVICE_IMPLICIT_DEPENDENCIES) write(`libs/${name}/project.json`, JSON.stringify({ name }));
    for (const sample of samples) write(sample.source, readFileSync(join(repo, sample.source), 'utf8'));
    write('apps/orders-api/cache-service.json', manifest('orders-api'));
    write('apps/team-a/billing-api/cache-service.json', manifest('billing-api'));
    write('services/payments/payments-api/cache-service.json', manifest('payments-api'));
    write('apps/orders-api/worker/cache-service.json', manifest('orders-worker'));
    write('a/b/c/d/e/deep-api/cache-service.json', manifest('deep-api'));
    // a copy in every folder the model skips, under an app and at the root: neither side may see one
    for (const folder of SKIPPED_FOLDERS) {
      if (folder === 'node_modules') continue; // the root one is the link to the real dependencies
      const name = `copy-${folder.replace(/[^a-z]/g, '')}`;
      write(`apps/orders-api/${folder}/x/cache-service.json`, manifest(`${name}-a`));
      write(`${folder}/y/cache-service.json`, manifest(`${name}-b`));
    }
    write('apps/orders-api/node_modules/pkg/cache-service.json', manifest('copy-nodemodules-a'));
  });
  afterAll(() => remove());

  it('same roots, same names', () => {
    const graphFile = join(mkdtempSync(join(tmpdir(), 'workspace-model-graph-')), 'graph.json');
    nx(root, ['graph', `--file=${graphFile}`]);
    const { graph } = JSON.parse(readFileSync(graphFile, 'utf8')) as { graph: { nodes: Record<string, { data: { root: string } }> } };
    rmSync(join(graphFile, '..'), { recursive: true, force: true });
    const services = Object.entries(graph.nodes)
      .filter(([name]) => !(SERVICE_IMPLICIT_DEPENDENCIES as readonly string[]).includes(name))
      .map(([name, node]) => [node.data.root, name])
      .sort();
    const model = readWorkspace(root).services.map((s) => [s.root, s.manifest.service]);
    expect(services).toEqual(model);
    expect(samples.map((s) => s.root)).toEqual(expect.arrayContaining(['apps/catalog-api', 'apps/enrollment-api']));
    expect(services).toEqual([
      ['a/b/c/d/e/deep-api', 'deep-api'],
      ...samples.map((s) => [s.root, s.manifest.service]),
      ['apps/orders-api', 'orders-api'],
      ['apps/orders-api/worker', 'orders-worker'],
      ['apps/team-a/billing-api', 'billing-api'],
      ['services/payments/payments-api', 'payments-api'],
    ]);
  }, 120_000);
});
