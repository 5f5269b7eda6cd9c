import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { ENVIRONMENTS, type Environment, type PlatformSettings } from '@cache-platform/platform-environments';
import { validateStacks } from '@cache-platform/terraform-tools';
import { PlatformStack, platformStackId } from './stacks/platform-stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
const ROTATION_BUNDLE = mkdtempSync(join(tmpdir(), 'rotation-bundle-'));
writeFileSync(join(ROTATION_BUNDLE, 'index.js'), 'exports.handler = async () => undefined;\n');
afterAll(() => rmSync(ROTATION_BUNDLE, { recursive: true, force: true }));

function synth(platform: Partial<PlatformSettings>): Json {
  const environment: Environment = { ...dev, platform: { ...dev.platform, ...platform } };
  const app = Testing.app();
  try {
    return JSON.parse(
      Testing.synth(new PlatformStack(app, platformStackId(environment.name), { environment, rotationBundleDir: ROTATION_BUNDLE }), true),
    );
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

describe('interface endpoint modes against the provider schema', () => {
  it('existing (with its plan-time checks), none and create with extra callers pass terraform validate', async () => {
    const variants: Record<string, Json> = {
      'existing-and-none': synth({
        secretsManagerEndpoint: { mode: 'existing', securityGroupId: 'sg-0a1b2c3d4e5f60799', endpointId: 'vpce-0a1b2c3d4e5f60799' },
        elasticacheEndpoint: { mode: 'none', httpsEgressCidrs: ['0.0.0.0/0'] },
      }),
      'create-with-callers': synth({
        secretsManagerEndpoint: { mode: 'create', allowedCallers: { securityGroupIds: ['sg-0a1b2c3d4e5f60788'], cidrs: ['10.30.0.0/16'] } },
        elasticacheEndpoint: { mode: 'create', allowedCallers: { cidrs: ['10.30.0.0/16'] } },
      }),
    };
    // each variant holds what it is meant to test: an endpoint lookup with postconditions, CIDR egress, callers groups
    expect(Object.keys(variants['existing-and-none']!['data']['aws_vpc_endpoint'])).toHaveLength(1);
    expect(Object.keys(variants['create-with-callers']!['resource']['aws_security_group'])).toHaveLength(5);

    const out = mkdtempSync(join(tmpdir(), 'endpoints-validate-'));
    try {
      const dirs = Object.entries(variants).map(([id, json]) => {
        const dir = join(out, 'cdktf.out', 'stacks', id);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
        return dir;
      });
      const results = await validateStacks(dirs, { concurrency: 1 });
      expect(results.map((r) => ({ stack: r.stack, valid: r.valid, errors: r.diagnostics.filter((d) => d.severity === 'error') }))).toEqual(
        [
          { stack: 'existing-and-none', valid: true, errors: [] },
          { stack: 'create-with-callers', valid: true, errors: [] },
        ],
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
