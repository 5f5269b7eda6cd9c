import { TerraformStack, Testing } from 'cdktf';
import { configureAwsStack, OWNERSHIP_TAG_KEYS } from './index';

function synthStack(props: Partial<Parameters<typeof configureAwsStack>[1]> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'platform-dev');
  configureAwsStack(stack, {
    environment: 'dev',
    region: 'eu-west-1',
    service: 'platform',
    owner: 'team-platform',
    purpose: 'shared cache',
    ...props,
  });
  return JSON.parse(Testing.synth(stack));
}

describe('configureAwsStack', () => {
  it('tags everything through provider default_tags', () => {
    const json = synthStack();
    const tags = json.provider.aws[0].default_tags[0].tags;
    expect(tags[OWNERSHIP_TAG_KEYS.service]).toBe('platform');
    expect(tags[OWNERSHIP_TAG_KEYS.owner]).toBe('team-platform');
    expect(tags[OWNERSHIP_TAG_KEYS.managedBy]).toBe('cache-platform/cdktf');
    expect(json.provider.aws[0].region).toBe('eu-west-1');
  });

  it('requires Terraform 1.11 (write-only secret arguments) in the terraform block, whatever the backend', () => {
    for (const json of [synthStack(), synthStack({ stateBucket: { bucket: 'acme-terraform-state' } })]) {
      expect(json.terraform.required_version).toBe('>= 1.11');
    }
  });

  it('keeps local state inside the app folder, never at an absolute path', () => {
    const json = synthStack();
    expect(json.terraform.backend.local.path).toBe('../../../state/platform-dev.tfstate');
  });

  it('uses S3 with lock files when a state bucket is configured', () => {
    const json = synthStack({ stateBucket: { bucket: 'acme-terraform-state', keyPrefix: 'cache/' } });
    expect(json.terraform.backend.local).toBeUndefined();
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: 'acme-terraform-state',
      key: 'cache/platform-dev.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('refuses bad input with the value and the rule', () => {
    expect(() => synthStack({ region: 'Europe' })).toThrow('invalid region "Europe": expected an AWS region name such as "eu-west-1"');
    expect(() => synthStack({ stateBucket: { bucket: 'Bad_Bucket' } })).toThrow('invalid state bucket "Bad_Bucket"');
    expect(() => synthStack({ environment: 'Prod' })).toThrow('invalid environment name "Prod": must be lower case');
    expect(() => synthStack({ owner: '' })).toThrow('invalid tag cache-platform:owner ""');
  });
});
