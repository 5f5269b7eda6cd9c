import { ownershipTags, platformExportNames } from '@cache-platform/cache-contract';
import { addressOf, allStatements, asList, fakeBundle, only, OWNERSHIP, synthService, type SynthJson } from '../test/synth';
import { CacheFunction, PlatformImports, ServiceCacheAccess, type CacheFunctionProps, type ServiceCacheAccessProps } from './index';

const accessProps = { service: OWNERSHIP.service, owner: OWNERSHIP.owner, purpose: OWNERSHIP.purpose };

describe('CacheFunction', () => {
  const bundle = fakeBundle();
  afterAll(() => bundle.cleanup());

  function synthFunction(
    props: Partial<CacheFunctionProps> = {},
    access: Partial<ServiceCacheAccessProps> = {},
    extra?: (fn: CacheFunction) => void,
  ): SynthJson {
    return synthService((stack) => {
      const platform = new PlatformImports(stack, 'platform', { environment: OWNERSHIP.environment });
      const cache = new ServiceCacheAccess(stack, 'cache', { ...accessProps, ...access, platform });
      const fn = new CacheFunction(stack, 'handler', { access: cache, bundleDir: bundle.dir, ...props });
      extra?.(fn);
    });
  }

  const ssmRef = (json: SynthJson, name: string) => {
    const entry = Object.entries(json.data.aws_ssm_parameter as Record<string, SynthJson>).find(([, d]) => d.name === name);
    return `data.aws_ssm_parameter.${entry![0]}.insecure_value`;
  };

  describe('with defaults', () => {
    const json = synthFunction();
    const fn = only(json, 'resource', 'aws_lambda_function');
    const role = only(json, 'resource', 'aws_iam_role');
    const roleAddress = addressOf(json, 'resource', 'aws_iam_role');
    const exportsDev = platformExportNames('dev');

    it('runs nodejs22.x on arm64 under the contract function name with sensible limits', () => {
      expect(fn).toMatchObject({
        function_name: 'orders-api-dev-handler',
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        memory_size: 256,
        timeout: 10,
        role: `\${${roleAddress}.arn}`,
      });
      expect(fn.tags).toEqual(ownershipTags(OWNERSHIP));
    });

    it('packages the bundle folder as a cdktf asset and hashes it for updates', () => {
      expect(fn.filename).toMatch(/^assets\/handler_bundle_[A-Z0-9]+\/[A-F0-9]+\/archive\.zip$/);
      expect(fn.source_code_hash).toMatch(/^[A-F0-9]{32}$/);
      expect(fn.filename).toContain(fn.source_code_hash);
    });

    it('gets REDIS_SECRET_ARN and the VPC settings from the access construct', () => {
      expect(fn.environment.variables).toEqual({ REDIS_SECRET_ARN: `\${${addressOf(json, 'resource', 'aws_secretsmanager_secret')}.arn}` });
      expect(fn.vpc_config).toEqual({
        subnet_ids: `\${split(",", ${ssmRef(json, exportsDev.subnetIds)})}`,
        security_group_ids: [`\${${ssmRef(json, exportsDev.clientSecurityGroupId)}}`],
      });
    });

    it('has its own role that only Lambda can assume', () => {
      expect(role.name).toBe('orders-api-dev-cache-fn');
      expect(JSON.parse(role.assume_role_policy)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      expect(role.tags).toEqual(ownershipTags(OWNERSHIP));
    });

    it('attaches the AWS managed VPC access policy (ENIs and logs) in the right partition', () => {
      const attachment = only(json, 'resource', 'aws_iam_role_policy_attachment');
      expect(attachment.role).toBe(`\${${roleAddress}.name}`);
      expect(attachment.policy_arn).toBe(
        `arn:\${${addressOf(json, 'data', 'aws_partition')}.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
      );
    });

    it("grants the role read of exactly the service's secret and waits for its grants", () => {
      const policy = only(json, 'resource', 'aws_iam_role_policy');
      expect(policy.role).toBe(`\${${roleAddress}.name}`);
      expect(only(json, 'data', 'aws_iam_policy_document').statement).toEqual([
        expect.objectContaining({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [`\${${addressOf(json, 'resource', 'aws_secretsmanager_secret')}.arn}`],
        }),
      ]);
      expect(fn.depends_on).toEqual([
        addressOf(json, 'resource', 'aws_iam_role_policy_attachment'),
        addressOf(json, 'resource', 'aws_cloudwatch_log_group'),
        addressOf(json, 'resource', 'aws_elasticache_user_group_association'),
        addressOf(json, 'resource', 'aws_iam_role_policy'),
      ]);
    });

    it('manages its log group with ownership tags and a retention limit', () => {
      const logs = only(json, 'resource', 'aws_cloudwatch_log_group');
      expect(logs.name).toBe('/aws/lambda/orders-api-dev-handler');
      expect(logs.retention_in_days).toBe(30);
      expect(logs.tags).toEqual(ownershipTags(OWNERSHIP));
    });

    it('leaves no secretsmanager or elasticache statement with a "*" resource in the stack', () => {
      const broad = allStatements(json).filter(
        (s) =>
          asList(s.Action).some((a) => /^(secretsmanager|elasticache):|^\*$/i.test(String(a))) &&
          asList(s.Resource).some((r) => String(r).includes('*')),
      );
      expect(broad).toEqual([]);
    });
  });

  it('applies explicit settings and merges extra environment variables', () => {
    const fn = only(
      synthFunction({ handler: 'index.main', memorySize: 1024, timeoutSeconds: 30, environment: { LOG_LEVEL: 'debug' } }),
      'resource',
      'aws_lambda_function',
    );
    expect(fn).toMatchObject({ handler: 'index.main', memory_size: 1024, timeout: 30 });
    expect(Object.keys(fn.environment.variables).sort()).toEqual(['LOG_LEVEL', 'REDIS_SECRET_ARN']);
    expect(fn.environment.variables.LOG_LEVEL).toBe('debug');
  });

  it('takes more environment variables after construction, under the same rules', () => {
    const fn = only(
      synthFunction({ environment: { LOG_LEVEL: 'debug' } }, {}, (f) => f.addEnvironment('ITEMS_TABLE', 'orders-items')),
      'resource',
      'aws_lambda_function',
    );
    expect(Object.keys(fn.environment.variables).sort()).toEqual(['ITEMS_TABLE', 'LOG_LEVEL', 'REDIS_SECRET_ARN']);
    expect(() => synthFunction({}, {}, (f) => f.addEnvironment('REDIS_SECRET_ARN', 'x'))).toThrow(
      'orders-api-dev/handler: invalid environment variable "REDIS_SECRET_ARN": it is set by the cache wiring and must not be overridden',
    );
  });

  it('is a grantee: its role receives what a grant method gives it', () => {
    let roleName = '';
    const json = synthFunction({}, {}, (f) => {
      roleName = f.grantPrincipal.friendlyUniqueId;
      expect(f.grants).toHaveLength(1);
      expect(f.grants[0]!.principal).toBe(f.role);
    });
    expect(only(json, 'resource', 'aws_iam_role_policy').role).toBe(`\${aws_iam_role.${roleName}.name}`);
  });

  it('adds elasticache:Connect for IAM authentication', () => {
    const json = synthFunction({}, { authMode: 'iam' });
    const actions = (Object.values(json.data.aws_iam_policy_document) as SynthJson[])
      .flatMap((d) => d.statement.flatMap((s: SynthJson) => s.actions))
      .sort();
    expect(actions).toEqual(['elasticache:Connect', 'secretsmanager:GetSecretValue']);
    expect(only(json, 'resource', 'aws_lambda_function').depends_on).toHaveLength(5);
  });

  it('adds the security groups the loader needs next to the cache clients group', () => {
    const fn = only(synthFunction({ securityGroupIds: ['sg-0123456789abcdef0'], logRetentionDays: 90 }), 'resource', 'aws_lambda_function');
    expect(fn.vpc_config.security_group_ids).toHaveLength(2);
    expect(fn.vpc_config.security_group_ids[1]).toBe('sg-0123456789abcdef0');
  });

  describe('validation', () => {
    it.each<[Partial<CacheFunctionProps>, string]>([
      [{ memorySize: 64 }, 'invalid memory size 64: must be an integer from 128 to 10240 MB'],
      [{ memorySize: 10241 }, 'invalid memory size 10241: must be an integer from 128 to 10240 MB'],
      [{ memorySize: 256.5 }, 'invalid memory size 256.5'],
      [{ timeoutSeconds: 0 }, 'invalid timeout 0: must be an integer from 1 to 900 seconds'],
      [{ timeoutSeconds: 901 }, 'invalid timeout 901: must be an integer from 1 to 900 seconds'],
      [{ handler: 'index' }, 'invalid handler "index": expected "<file>.<export>", e.g. "index.handler"'],
      [
        { environment: { REDIS_SECRET_ARN: 'arn:aws:secretsmanager:x' } },
        'invalid environment variable "REDIS_SECRET_ARN": it is set by the cache wiring and must not be overridden',
      ],
      [{ environment: { AWS_REGION: 'eu-west-1' } }, 'invalid environment variable "AWS_REGION": reserved by the Lambda runtime'],
      [
        { environment: { '1BAD': 'x' } },
        'invalid environment variable "1BAD": names start with a letter and hold only letters, digits and _',
      ],
      [{ securityGroupIds: ['sg-XYZ'] }, 'invalid security group id "sg-XYZ": expected "sg-" followed by 8 or 17 lower-case hex digits'],
      [{ logRetentionDays: 10 }, 'invalid log retention 10: must be one of 1, 3, 5, 7, 14, 30'],
    ])('refuses %j', (props, message) => {
      expect(() => synthFunction(props)).toThrow(message);
      // every refusal is located: the construct path leads the message
      expect(() => synthFunction(props)).toThrow(/^orders-api-dev\/handler: invalid /);
    });

    it('refuses a missing bundle folder', () => {
      expect(() => synthFunction({ bundleDir: '/nonexistent/bundle' })).toThrow(
        'invalid bundle folder "/nonexistent/bundle": it does not exist; build the handler bundle (esbuild) before synth',
      );
    });

    it('refuses a bundle without the handler file', () => {
      const other = fakeBundle({ 'main.js': 'exports.handler = async () => 1;' });
      try {
        expect(() => synthFunction({ bundleDir: other.dir })).toThrow(
          `handler "index.handler" needs index.js or index.mjs or index.cjs in it`,
        );
        expect(() => synthFunction({ bundleDir: other.dir, handler: 'main.handler' })).not.toThrow();
      } finally {
        other.cleanup();
      }
    });
  });
});
