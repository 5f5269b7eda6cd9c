import { join } from 'node:path';
import { DEFAULT_CELL } from '@cache-platform/cache-contract';
import { serviceManifest, workspaceFixture, type WorkspaceFixture } from '@cache-platform/cache-contract/testing';
import { ENVIRONMENTS, readServiceManifest, readWorkspace, selectEnvironments, SKIPPED_FOLDERS, type Environment } from './index';

let root: string;
let write: WorkspaceFixture['write'];
let remove: WorkspaceFixture['remove'];
beforeEach(() => {
  ({ root, write, remove } = workspaceFixture('workspace-model-'));
});
afterEach(() => remove());

describe('readWorkspace', () => {
  it('finds a service wherever the generator can put one, and skips build output and tool state', () => {
    write('apps/orders-api/cache-service.json', JSON.stringify(serviceManifest('orders-api')));
    write('apps/orders-api/cdktf.json', '{}');
    write('apps/team-a/billing-api/cache-service.json', JSON.stringify(serviceManifest('billing-api')));
    // --directory=services/payments
    write('services/payments/payments-api/cache-service.json', JSON.stringify(serviceManifest('payments-api')));
    write('services/payments/payments-api/cdktf.json', '{}');
    // a service nested in another app's folder is a project to Nx, so it is a service here too
    write('apps/orders-api/worker/cache-service.json', JSON.stringify(serviceManifest('orders-worker')));
    write('apps/platform/cdktf.json', '{}');
    // copies in every skipped folder, valid or not, are never read
    for (const folder of SKIPPED_FOLDERS) {
      write(`apps/orders-api/${folder}/copy/cache-service.json`, JSON.stringify(serviceManifest('orders-api')));
      write(`${folder}/cache-service.json`, '{ not json');
    }

    const workspace = readWorkspace(root);
    expect(workspace.root).toBe(root);
    expect(workspace.services.map((s) => [s.root, s.manifest.service, s.source])).toEqual([
      ['apps/orders-api', 'orders-api', 'apps/orders-api/cache-service.json'],
      ['apps/orders-api/worker', 'orders-worker', 'apps/orders-api/worker/cache-service.json'],
      ['apps/team-a/billing-api', 'billing-api', 'apps/team-a/billing-api/cache-service.json'],
      ['services/payments/payments-api', 'payments-api', 'services/payments/payments-api/cache-service.json'],
    ]);
    expect(workspace.cdktfApps).toEqual(['apps/orders-api', 'apps/platform', 'services/payments/payments-api']);
    expect(workspace.environments).toBe(ENVIRONMENTS);
    expect(workspace.cells.map((c) => [c.environment, c.cells.map((cell) => cell.name)])).toEqual(
      ENVIRONMENTS.map((e) => [e.name, [DEFAULT_CELL]]),
    );
  });

  it('names the file of a manifest that is not JSON', () => {
    write('services/payments/payments-api/cache-service.json', '{ "service": ');
    expect(() => readWorkspace(root)).toThrow(
      /^services\/payments\/payments-api\/cache-service\.json: invalid JSON ".+": the manifest must be valid JSON$/,
    );
  });

  it('names the file, field, value and rule of an invalid manifest', () => {
    write('services/payments/payments-api/cache-service.json', JSON.stringify(serviceManifest('payments-api', { accessProfile: 'admin' })));
    expect(() => readWorkspace(root)).toThrow(
      'services/payments/payments-api/cache-service.json: invalid field accessProfile "admin": must be one of',
    );
  });

  it('refuses two manifests with one service name, naming both files', () => {
    write('apps/payments-api/cache-service.json', JSON.stringify(serviceManifest('payments-api')));
    write('services/payments/payments-api/cache-service.json', JSON.stringify(serviceManifest('payments-api', { keyspace: 'pay' })));
    expect(() => readWorkspace(root)).toThrow(
      'services/payments/payments-api/cache-service.json: invalid field service "payments-api": is already the service of apps/payments-api/cache-service.json',
    );
  });

  it('refuses a manifest naming an environment the platform does not define', () => {
    write('apps/orders-api/cache-service.json', JSON.stringify(serviceManifest('orders-api', { environments: ['dev', 'qa'] })));
    expect(() => readWorkspace(root)).toThrow(
      'apps/orders-api/cache-service.json: invalid field environments ["dev","qa"]: qa is not a platform environment (known: dev, prod)',
    );
  });

  it('checks the environment list it is given: names, duplicates and cells', () => {
    const [dev] = ENVIRONMENTS as [Environment];
    expect(() => readWorkspace(root, { environments: [dev, dev] })).toThrow('invalid environment name "dev": is listed more than once');
    expect(() => readWorkspace(root, { environments: [{ ...dev, name: 'Dev-1' }] })).toThrow('invalid environment name "Dev-1"');
    expect(() => readWorkspace(root, { environments: [{ ...dev, cells: [{ name: 'b' }, { name: 'b' }] }] })).toThrow(
      'environment dev: invalid cell name "b": is listed more than once',
    );
    // the same list check runs wherever the environments are selected
    expect(() => selectEnvironments({ environments: [dev, dev], env: {} })).toThrow(
      'invalid environment name "dev": is listed more than once',
    );
  });
});

describe('readServiceManifest', () => {
  it('reads the app in a folder, names its file on errors, and tells a folder without one', () => {
    write('services/payments/payments-api/cache-service.json', JSON.stringify(serviceManifest('payments-api')));
    expect(readServiceManifest(join(root, 'services/payments/payments-api')).service).toBe('payments-api');
    expect(readServiceManifest(join(root, 'services'), { optional: true })).toBeUndefined();
    expect(() => readServiceManifest(join(root, 'services'))).toThrow(
      `invalid service app "${join(root, 'services')}": has no cache-service.json`,
    );
    write('apps/broken/cache-service.json', '[1,');
    expect(() => readServiceManifest(join(root, 'apps/broken'))).toThrow(`${join(root, 'apps/broken/cache-service.json')}: invalid JSON`);
  });
});
