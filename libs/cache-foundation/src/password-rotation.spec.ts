import { TerraformStack, Testing } from 'cdktf';
import { DEFAULT_CELL, MANAGED_BY, OWNERSHIP_TAG_KEYS, platformExportNames } from '@cache-platform/cache-contract';
import { CacheCell, PasswordRotationFunction, ROTATION_SECRET_ACTIONS, SharedCacheFoundation } from './index';
import { fakeRotationBundle } from '../test/rotation-bundle';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
const bundleDir = fakeRotationBundle();

function synthFoundation(): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  const foundation = new SharedCacheFoundation(stack, 'foundation', {
    environment: 'dev',
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: SUBNETS,
    rotation: { bundleDir },
  });
  // the default cell exports the rotation function's ARN for service stacks
  const { network, rotation } = foundation;
  new CacheCell(foundation, 'Default', { environment: 'dev', cell: DEFAULT_CELL, network, rotationFunctionArn: rotation.functionArn });
  return JSON.parse(Testing.synth(stack));
}

const values = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});

describe('PasswordRotationFunction', () => {
  const json = synthFoundation();
  const statements: Json[] = values(json, 'aws_iam_role_policy').flatMap((p) => JSON.parse(p.policy).Statement);

  it('runs in the cache subnets with the clients security group, like the services, with minutes to wait for ElastiCache', () => {
    const [fn] = values(json, 'aws_lambda_function');
    expect(fn).toMatchObject({
      function_name: 'cache-platform-dev-password-rotation',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      timeout: 300,
    });
    expect(fn.vpc_config.subnet_ids).toEqual(SUBNETS);
    expect(fn.vpc_config.security_group_ids).toEqual([
      expect.stringMatching(/^\$\{aws_security_group\.foundation_network_client-sg_[^.]+\.id\}$/),
    ]);
  });

  it('may rotate exactly the service secrets and users of its environment: no * resource', () => {
    for (const statement of statements) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
    const secrets = statements.find((s) => s.Action.includes('secretsmanager:PutSecretValue'))!;
    expect(secrets.Action.sort()).toEqual([...ROTATION_SECRET_ACTIONS].sort());
    expect(secrets.Resource).toMatch(
      /^arn:\$\{data\.aws_partition\.[^}]+\}:secretsmanager:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:secret:cache-platform\/dev\/\*\/redis-\?{6}$/,
    );
    const modify = statements.find((s) => s.Action.includes('elasticache:ModifyUser'))!;
    expect(modify.Action).toEqual(['elasticache:ModifyUser']);
    expect(modify.Resource).toMatch(/:elasticache:.*:user:\*-dev$/);
    expect(modify.Condition.StringEquals).toEqual({
      [`aws:ResourceTag/${OWNERSHIP_TAG_KEYS.managedBy}`]: MANAGED_BY,
      [`aws:ResourceTag/${OWNERSHIP_TAG_KEYS.environment}`]: 'dev',
    });
    const describe = statements.find((s) => s.Action.includes('elasticache:DescribeUsers'))!;
    expect(describe.Resource).toBe(modify.Resource);
    // the connection sync reads the endpoint of a cell from this environment's exports only
    const exportsRead = statements.find((s) => s.Action.includes('ssm:GetParameters'))!;
    expect(exportsRead.Action).toEqual(['ssm:GetParameters']);
    expect([exportsRead.Resource].flat().map((r: string) => r.replace(/^arn:.*:parameter/, ''))).toEqual([
      '/cache-platform/dev/exports/*',
      '/cache-platform/dev/cells/*/exports/*',
    ]);
    // nothing else: no GetRandomPassword (it cannot be scoped to a resource)
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(
      [
        ...ROTATION_SECRET_ACTIONS,
        'elasticache:DescribeUsers',
        'elasticache:ModifyUser',
        'ssm:GetParameters',
        'ssm:GetParametersByPath',
      ].sort(),
    );
  });

  it('lets Secrets Manager invoke it for this account service secrets only', () => {
    const permission = values(json, 'aws_lambda_permission').find((p) => p.principal !== 'events.amazonaws.com')!;
    expect(permission.principal).toBe('secretsmanager.amazonaws.com');
    expect(permission.action).toBe('lambda:InvokeFunction');
    expect(permission.source_account).toMatch(/^\$\{data\.aws_caller_identity\./);
    expect(permission.source_arn).toMatch(/:secret:cache-platform\/dev\/\*\/redis-\?{6}$/);
  });

  it('is exported for service stacks, and the ElastiCache API is reachable from the VPC', () => {
    const parameter = values(json, 'aws_ssm_parameter').find((p) => p.name === platformExportNames('dev').rotationFunctionArn)!;
    expect(parameter.value).toMatch(/^\$\{aws_lambda_function\.[^}]+\.arn\}$/);
    const endpoints = values(json, 'aws_vpc_endpoint').map((e) => e.service_name.split('.').pop());
    expect(endpoints.sort()).toEqual(['elasticache', 'secretsmanager']);
  });

  it('refuses a missing bundle, naming the folder and the command that builds it', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(
      () =>
        new PasswordRotationFunction(stack, 'rotation', {
          environment: 'dev',
          bundleDir: '/nonexistent/bundle',
          subnetIds: SUBNETS,
          securityGroupIds: ['sg-0123456789abcdef0'],
        }),
    ).toThrow(
      'test/rotation: invalid rotation bundle folder "/nonexistent/bundle": it needs index.js (or index.mjs) exporting handler: run `npx nx run secret-rotation:bundle` before synth',
    );
  });

  it('refuses a timeout Lambda does not allow', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(
      () =>
        new PasswordRotationFunction(stack, 'rotation', {
          environment: 'dev',
          bundleDir,
          subnetIds: SUBNETS,
          securityGroupIds: [],
          timeoutSeconds: 901,
        }),
    ).toThrow(/test\/rotation: invalid timeout.*901/);
  });
});
