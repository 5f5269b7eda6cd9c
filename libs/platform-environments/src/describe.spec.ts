import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { serviceManifest, workspaceFixture, type WorkspaceFixture } from '@cache-platform/cache-contract/testing';
import { describeEnvironments, environmentViews, ENVIRONMENTS, readWorkspace, type Environment } from './index';

const [dev] = ENVIRONMENTS;
// the environment list as a platform change would leave it: a new region, a new environment with remote state
const CHANGED: Environment[] = [
  { ...dev!, region: 'eu-central-1' },
  { ...dev!, name: 'staging', region: 'us-east-2', stateBucket: { bucket: 'acme-tf-state' } },
  { ...dev!, name: 'prod', region: 'eu-central-1', protected: true },
];

let root: string;
let write: WorkspaceFixture['write'];
let remove: WorkspaceFixture['remove'];
beforeEach(() => {
  ({ root, write, remove } = workspaceFixture('describe-environments-'));
  write('apps/orders-api/cache-service.json', JSON.stringify(serviceManifest('orders-api')));
  write(
    'services/payments/payments-api/cache-service.json',
    JSON.stringify(serviceManifest('payments-api', { environments: ['dev', 'prod'] })),
  );
});
afterEach(() => remove());

describe('environmentViews / describeEnvironments', () => {
  it('reads region, state and protection from the environment list as it is now', () => {
    const workspace = readWorkspace(root, { environments: CHANGED });
    expect(environmentViews(workspace)).toEqual([
      { environment: 'dev', region: 'eu-central-1', state: 'local (first deploy: -- --first-deploy)', protected: false },
      { environment: 'staging', region: 'us-east-2', state: 'remote (s3://acme-tf-state/cache-platform)', protected: false },
      { environment: 'prod', region: 'eu-central-1', state: 'none (protected: set stateBucket before any deploy)', protected: true },
    ]);
  });

  it('gives a service the environments its manifest narrows to, with the names its commands use, wherever it lives', () => {
    const workspace = readWorkspace(root, { environments: CHANGED });
    expect(environmentViews(workspace, 'payments-api').map((v) => [v.environment, v.region, v.userId, v.functionName])).toEqual([
      ['dev', 'eu-central-1', 'payments-api-dev', 'payments-api-dev-handler'],
      ['prod', 'eu-central-1', 'payments-api-prod', 'payments-api-prod-handler'],
    ]);
    const text = describeEnvironments(workspace, 'orders-api');
    expect(text.split('\n')).toEqual([
      'orders-api runs in (libs/platform-environments/src/environments.ts):',
      'environment       region        redis user          function                    state',
      'dev               eu-central-1  orders-api-dev      orders-api-dev-handler      local (first deploy: -- --first-deploy)',
      'staging           us-east-2     orders-api-staging  orders-api-staging-handler  remote (s3://acme-tf-state/cache-platform)',
      'prod (protected)  eu-central-1  orders-api-prod     orders-api-prod-handler     none (protected: set stateBucket before any deploy)',
    ]);
  });

  it('refuses a service no manifest names, listing the services', () => {
    const workspace = readWorkspace(root, { environments: CHANGED });
    expect(() => environmentViews(workspace, 'orders')).toThrow(
      'invalid service "orders": no cache-service.json names it (services: orders-api, payments-api)',
    );
  });

  it('is what `npm run -s environments -- <service>` prints from an app folder of this workspace', () => {
    const workspace = resolve(__dirname, '..', '..', '..');
    const out = execFileSync('npm', ['run', '-s', 'environments', '--', 'catalog-api'], {
      cwd: join(workspace, 'apps', 'catalog-api'),
      encoding: 'utf8',
    });
    expect(out.trimEnd()).toBe(describeEnvironments(readWorkspace(workspace), 'catalog-api'));
  }, 60_000);
});
