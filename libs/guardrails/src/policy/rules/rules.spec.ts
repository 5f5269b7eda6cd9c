import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fixture,
  payloadAttribute,
  stackOf,
  CLAIM,
  FUNCTION,
  ROTATION,
  SECRET,
  SECRET_VERSION,
  USER,
  type FixtureName,
  type Json,
} from '../../../test/fixtures';
import type { PolicyRule } from '../rule';
import { ENVIRONMENTS, type Environment } from '@cache-platform/platform-environments';
import { parseStack, type TfStack } from '@cache-platform/stack-analysis';
import {
  alarmTopicProtected,
  secretsCustomerKeyRule,
  cacheUsesPlatformGroup,
  currentRuntime,
  logRetention,
  noWildcardResourceActions,
  dangerousCommands,
  groupMembersDefinedHere,
  lambdaPermissionScoped,
  noPasswordlessUsers,
  resourcePolicies,
  defaultUserDisabled,
  groupIgnoresMembership,
  keyspacePatterns,
  noLiteralSecrets,
  noWildcardResources,
  oneServicePerKeyspace,
  ownershipTags,
  passwordRotation,
  RULES,
  tlsOn,
} from './index';

const check = (rule: PolicyRule, stack: TfStack, contextStacks: TfStack[] = []) =>
  rule.check(stack, { stacks: [stack], contextStacks }).map((v) => `${v.resource.address}: ${v.message}`);
const withAccess = (accessString: string) => (json: Json) => {
  json.resource.aws_elasticache_user[USER].access_string = accessString;
};
const SERVICES: FixtureName[] = ['service-password', 'service-iam'];
const SAFE =
  'on ~catalog-api:* +@all -@dangerous -@admin -@pubsub -@scripting -scan -randomkey -dbsize -cluster|getkeysinslot -cluster|countkeysinslot -select';

describe('the rule pack', () => {
  it('has stable, consecutive ids CP001..CP0NN, each with a one-line rationale and a fix', () => {
    expect(RULES.map((r) => r.id)).toEqual(RULES.map((_r, i) => `CP${String(i + 1).padStart(3, '0')}`));
    expect(RULES.length).toBe(21);
    for (const rule of RULES) {
      expect(rule.rationale).not.toMatch(/\n/);
      expect(rule.fix.length).toBeGreaterThan(20);
    }
  });

  it.each([...SERVICES, 'platform' as const])('passes the compliant %s fixture on every rule', (name) => {
    const stack = stackOf(name);
    for (const rule of RULES) expect(check(rule, stack)).toEqual([]);
  });
});

describe('CP001 keyspace-patterns', () => {
  it.each([
    ['~*', 'key pattern(s) ~* outside keyspace "catalog-api"'],
    ['allkeys', 'key pattern(s) ~* outside keyspace "catalog-api"'],
    ['~catalog-api*', 'key pattern(s) ~catalog-api* outside'],
    ['~catalog-api:* ~orders:*', 'key pattern(s) ~orders:* outside'],
    ['%R~*', 'key pattern(s) %R~* outside'],
    ['&*', 'channel pattern(s) &* outside keyspace "catalog-api" (allowed: &catalog-api:*)'],
    ['allchannels', 'channel pattern(s) &* outside'],
    ['&orders:*', 'channel pattern(s) &orders:* outside'],
    ['(~* +get)', 'selector(s) (~* +get)'],
  ])('refuses %s', (extra, message) => {
    const found = check(keyspacePatterns, stackOf('service-password', withAccess(`${SAFE} ${extra}`)));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`aws_elasticache_user.${USER}: `);
    expect(found[0]).toContain(message);
  });

  it('accepts the keyspace and channels inside it', () => {
    expect(check(keyspacePatterns, stackOf('service-password', withAccess(`${SAFE} %R~catalog-api:ro:* &catalog-api:events:*`)))).toEqual(
      [],
    );
  });

  it('refuses pub/sub left on the cache default channels (allchannels on serverless), accepts it with -@pubsub', () => {
    const found = check(keyspacePatterns, stackOf('service-password', withAccess('on ~catalog-api:* +@all -@dangerous')));
    expect(found[0]).toContain("allows pub/sub commands and sets no channel pattern, so the cache's default allchannels applies");
  });

  it('derives the keyspace from the claim, and says so when there is none', () => {
    const found = check(
      keyspacePatterns,
      stackOf('service-password', (json) => delete json.resource.aws_ssm_parameter[CLAIM]),
    );
    expect(found[0]).toContain('cannot tell which keyspace the user belongs to: its stack claims no keyspace');
  });

  it('refuses an access string computed at apply time or that Redis would refuse', () => {
    expect(check(keyspacePatterns, stackOf('service-password', withAccess('${var.access}')))[0]).toContain('computed at apply time');
    expect(check(keyspacePatterns, stackOf('service-password', withAccess('on ~catalog-api:* +@nosuch')))[0]).toContain(
      'rule "+@nosuch" names an unknown ACL category',
    );
  });
});

describe('CP002 no-dangerous-commands', () => {
  it.each([
    ['+@dangerous', 'flushall'],
    ['+@admin', 'config|set'],
    ['+flushall', 'flushall'],
    ['+keys', 'keys'],
    ['+config', 'config|set'],
    ['+scan', 'scan'],
    // categories grant back what -@dangerous took: KEYS is in @keyspace and @read
    ['+@read', 'keys'],
  ])('refuses %s granted back', (extra, command) => {
    const found = check(
      dangerousCommands,
      stackOf('service-iam', withAccess(`on ~enrollment-api:* +@all -@dangerous -@admin -@pubsub ${extra}`)),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`allows .*\\b${command.replace('|', '\\|')}\\b`));
  });

  it('refuses a dangerous command inside a selector', () => {
    const found = check(
      dangerousCommands,
      stackOf('service-iam', withAccess(`on ~enrollment-api:* -@all +get (~enrollment-api:* +flushall)`)),
    );
    expect(found).toEqual([`aws_elasticache_user.${USER}: selector (~enrollment-api:* +flushall) allows flushall`]);
  });

  it('accepts a narrow grant', () => {
    expect(check(dangerousCommands, stackOf('service-iam', withAccess('on ~enrollment-api:* -@all +get +set +cluster|slots')))).toEqual([]);
  });
});

describe('CP003 default-user-disabled', () => {
  const DEFAULT = 'foundation_users_disabled-default-user_3526D34B';
  it('refuses an enabled user named default, whatever its id', () => {
    const found = check(
      defaultUserDisabled,
      stackOf('platform', (json) => (json.resource.aws_elasticache_user[DEFAULT].access_string = 'on ~* +@all')),
    );
    expect(found).toEqual([`aws_elasticache_user.${DEFAULT}: the user named "default" is enabled: access string "on ~* +@all"`]);
  });
  it('reads "off" by meaning: a later "on" wins', () => {
    const found = check(
      defaultUserDisabled,
      stackOf('platform', (json) => (json.resource.aws_elasticache_user[DEFAULT].access_string = 'off -@all on')),
    );
    expect(found).toHaveLength(1);
  });
});

describe('CP004 group-ignores-membership', () => {
  it('refuses a group that manages user_ids', () => {
    const found = check(
      groupIgnoresMembership,
      stackOf('platform', (json) => delete json.resource.aws_elasticache_user_group['foundation_users_user-group_F3ACF09B'].lifecycle),
    );
    expect(found[0]).toContain('user group does not ignore changes to user_ids (lifecycle.ignore_changes is null)');
  });
  it('accepts ignore_changes = all', () => {
    const stack = stackOf(
      'platform',
      (json) => (json.resource.aws_elasticache_user_group['foundation_users_user-group_F3ACF09B'].lifecycle = { ignore_changes: 'all' }),
    );
    expect(check(groupIgnoresMembership, stack)).toEqual([]);
  });
});

describe('CP005 no-wildcard-resources', () => {
  const DOC = 'cache-access_secret-read-c8ae95c3c7-document_799971D1';
  it.each([
    ['*', '"*"'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:*', 'secret:*'],
  ])('refuses a secret read on %s', (resource, shown) => {
    const found = check(
      noWildcardResources,
      stackOf('service-password', (json) => (json.data.aws_iam_policy_document[DOC].statement[0].resources = [resource])),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      `data.aws_iam_policy_document.${DOC}: statement ReadCacheSecret allows secretsmanager:GetSecretValue on resource`,
    );
    expect(found[0]).toContain(shown);
  });

  it('reads literal JSON policies and inline role policies too (ssm, elasticache, NotResource)', () => {
    const stack = stackOf('service-password', (json) => {
      json.resource.aws_iam_role_policy.extra = {
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' }] }),
        role: 'x',
      };
      json.resource.aws_iam_role.handler_role_DDC61C05.inline_policy = [
        {
          name: 'p',
          policy: JSON.stringify({ Statement: { Sid: 'Connect', Effect: 'Allow', Action: ['elasticache:Connect'], NotResource: 'arn:x' } }),
        },
      ];
    });
    expect(check(noWildcardResources, stack)).toEqual([
      'aws_iam_role_policy.extra: a statement allows ssm:GetParameter on resource "*"',
      'aws_iam_role.handler_role_DDC61C05: statement Connect allows elasticache:Connect on every resource but arn:x (NotResource)',
    ]);
  });

  it('leaves other services and Deny statements alone', () => {
    const stack = stackOf('service-password', (json) => {
      json.data.aws_iam_policy_document[DOC].statement.push({ actions: ['logs:PutLogEvents'], resources: ['*'] });
      json.data.aws_iam_policy_document[DOC].statement.push({ effect: 'Deny', actions: ['secretsmanager:*'], resources: ['*'] });
    });
    expect(check(noWildcardResources, stack)).toEqual([]);
  });
});

describe('CP005 reads every way a policy is written, and what a service may name', () => {
  const DOC = 'cache-access_secret-read-c8ae95c3c7-document_799971D1';
  const ROLE_POLICY = (policy: string) => (json: Json) => {
    json.resource.aws_iam_role_policy.extra = { name: 'extra', policy, role: '${aws_iam_role.handler_role_DDC61C05.name}' };
  };
  it('accepts the secret named by its own name with the random suffix, and a jsonencode policy that names its own secret', () => {
    const own = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/catalog-api/redis-??????';
    expect(
      check(
        noWildcardResources,
        stackOf('service-password', (json) => (json.data.aws_iam_policy_document[DOC].statement[0].resources = [own])),
      ),
    ).toEqual([]);
    const encoded = ROLE_POLICY(
      `\${jsonencode({"Statement" = [{"Effect" = "Allow", "Action" = "secretsmanager:GetSecretValue", "Resource" = aws_secretsmanager_secret.${SECRET}.arn}]})}`,
    );
    expect(check(noWildcardResources, stackOf('service-password', encoded))).toEqual([]);
  });
  it('reads jsonencode, names the statement and the reason', () => {
    const found = check(
      noWildcardResources,
      stackOf(
        'service-password',
        ROLE_POLICY(
          '${jsonencode({"Statement" = [{"Sid" = "All", "Effect" = "Allow", "Action" = "ssm:GetParameter", "Resource" = "arn:aws:ssm:eu-west-1:1:parameter/cache-platform/dev/*"}]})}',
        ),
      ),
    );
    expect(found).toEqual([
      'aws_iam_role_policy.extra: statement All allows ssm:GetParameter on resource "arn:aws:ssm:eu-west-1:1:parameter/cache-platform/dev/*": it is a pattern over the platform\'s parameters (/cache-platform/...): name the parameter',
    ]);
  });
  it('refuses a resource written as an expression (${"*"}), and a NotAction that spares the three services is left to them', () => {
    const found = check(
      noWildcardResources,
      stackOf('service-password', (json) => (json.data.aws_iam_policy_document[DOC].statement[0].resources = ['${"*"}'])),
    );
    expect(found[0]).toContain('it is an expression whose value is only known at apply time');
  });
  it('accepts the AWS managed VPC access policy the functions use, refuses an AWS managed policy not on either list', () => {
    expect(check(noWildcardResources, stackOf('service-iam'))).toEqual([]);
    const other = check(
      noWildcardResources,
      stackOf(
        'service-iam',
        (json) =>
          (json.resource.aws_iam_role_policy_attachment['handler_vpc-access_2EC1C175'].policy_arn =
            'arn:aws:iam::aws:policy/AmazonS3FullAccess'),
      ),
    );
    expect(other[0]).toContain(
      'attaches the AWS managed policy AmazonS3FullAccess, which is not on the list of AWS managed policies known to leave',
    );
  });
  it("holds the platform's rotation role to its environment: its deliberate grants pass, another environment's do not", () => {
    expect(check(noWildcardResources, stackOf('platform'))).toEqual([]);
    const prod = check(
      noWildcardResources,
      stackOf('platform', (json) => {
        const policy = json.resource.aws_iam_role_policy['foundation_password-rotation_policy_22D94EE6'];
        policy.policy = policy.policy.replace(
          'parameter/cache-platform/dev/cells/*/exports/*',
          'parameter/cache-platform/prod/cells/*/exports/*',
        );
      }),
    );
    expect(prod).toHaveLength(1);
    expect(prod[0]).toContain('statement ReadCellEndpoints allows ssm:GetParameters on resource');
    expect(prod[0]).toContain("it spans parameters outside this environment's platform parameters (/cache-platform/dev/*)");
  });
});

describe('CP012-CP016: compliant as synthesized', () => {
  it.each([
    ['CP012', resourcePolicies],
    ['CP013', lambdaPermissionScoped],
    ['CP014', groupMembersDefinedHere],
    ['CP015', noPasswordlessUsers],
    ['CP016', cacheUsesPlatformGroup],
  ])('%s passes every fixture', (_id, rule) => {
    for (const name of [...SERVICES, 'platform' as const]) expect(check(rule, stackOf(name))).toEqual([]);
  });
  it('CP012 accepts a secret policy for a role of the stack, refuses NotPrincipal', () => {
    const policy = (statement: object) => (json: Json) => {
      json.resource.aws_secretsmanager_secret_policy = {
        p: {
          secret_arn: 'x',
          policy: JSON.stringify({
            Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...statement }],
          }),
        },
      };
    };
    expect(
      check(resourcePolicies, stackOf('service-iam', policy({ Principal: { AWS: '${aws_iam_role.handler_role_DDC61C05.arn}' } }))),
    ).toEqual([]);
    expect(
      check(resourcePolicies, stackOf('service-iam', policy({ NotPrincipal: { AWS: '${aws_iam_role.handler_role_DDC61C05.arn}' } })))[0],
    ).toContain('allows every principal but ${aws_iam_role.handler_role_DDC61C05.arn} (NotPrincipal)');
  });
  it('CP013 accepts source_account alone, refuses a bare wildcard source_arn alone', () => {
    const PERMISSION = 'foundation_password-rotation_secretsmanager-invoke_6102B37B';
    expect(
      check(
        lambdaPermissionScoped,
        stackOf('platform', (json) => delete json.resource.aws_lambda_permission[PERMISSION].source_arn),
      ),
    ).toEqual([]);
    const wide = stackOf('platform', (json) => {
      delete json.resource.aws_lambda_permission[PERMISSION].source_account;
      json.resource.aws_lambda_permission[PERMISSION].source_arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:*';
    });
    expect(check(lambdaPermissionScoped, wide)[0]).toContain('matches any resource and no source_account narrows it');
  });
  it('CP015 accepts IAM-auth users and a nopass cleared by resetpass', () => {
    expect(check(noPasswordlessUsers, stackOf('service-iam'))).toEqual([]);
    expect(check(noPasswordlessUsers, stackOf('service-iam', withAccess(`${SAFE} nopass resetpass`)))).toEqual([]);
    expect(check(noPasswordlessUsers, stackOf('service-iam', withAccess(`${SAFE} resetpass nopass`)))[0]).toContain('sets nopass');
  });
});

describe('a service in another cell', () => {
  it("reads that cell's exports (user group, cache ARN) as the platform's", () => {
    const stack = stackOf('service-iam', (json) => {
      for (const parameter of Object.values(json.data.aws_ssm_parameter) as { name: string }[])
        parameter.name = parameter.name.replace('/cache-platform/dev/exports/', '/cache-platform/dev/cells/b/exports/');
    });
    for (const rule of RULES) expect(check(rule, stack)).toEqual([]);
    const otherEnvironment = stackOf('service-iam', (json) => {
      for (const parameter of Object.values(json.data.aws_ssm_parameter) as { name: string }[])
        parameter.name = parameter.name.replace('/cache-platform/dev/', '/cache-platform/prod/');
    });
    expect(check(groupMembersDefinedHere, otherEnvironment)[0]).toContain("is not the platform's group (the user-group-id export of dev)");
    expect(check(noWildcardResources, otherEnvironment)[0]).toContain('which is not a platform export');
  });
});

describe('CP017-CP019: compliant as synthesized, and what they refuse', () => {
  it.each([
    ['CP017', noWildcardResourceActions],
    ['CP018', logRetention],
    ['CP019', alarmTopicProtected],
  ])('%s passes every fixture', (_id, rule) => {
    for (const name of [...SERVICES, 'platform' as const]) expect(check(rule, stackOf(name))).toEqual([]);
  });
  it('CP017 refuses s3:GetObject on "*", accepts cloudwatch:PutMetricData on "*" and leaves the cache services to CP005', () => {
    const stack = stackOf('service-iam', (json) =>
      json.data.aws_iam_policy_document['cache-access_connect-c8da695ca7-document_110636D6'].statement.push(
        { sid: 'Objects', effect: 'Allow', actions: ['s3:GetObject', 'cloudwatch:PutMetricData', 'ssm:GetParameter'], resources: ['*'] },
        { sid: 'Metrics', effect: 'Allow', actions: ['cloudwatch:PutMetricData', 'xray:PutTraceSegments'], resources: ['*'] },
      ),
    );
    expect(check(noWildcardResourceActions, stack)).toEqual([
      'data.aws_iam_policy_document.cache-access_connect-c8da695ca7-document_110636D6: statement Objects allows s3:GetObject on every resource ("*"): these actions support resource-level permissions',
    ]);
  });
  it('CP018 refuses a log group without retention and a function without its own log group', () => {
    const stack = stackOf('service-password', (json) => {
      delete json.resource.aws_cloudwatch_log_group.handler_logs_4FACF3B2.retention_in_days;
      json.resource.aws_lambda_function.extra = { ...json.resource.aws_lambda_function[FUNCTION], function_name: 'catalog-api-dev-extra' };
    });
    expect(check(logRetention, stack)).toEqual([
      'aws_cloudwatch_log_group.handler_logs_4FACF3B2: retention_in_days is null: the logs never expire',
      'aws_lambda_function.extra: the stack defines no log group /aws/lambda/catalog-api-dev-extra: Lambda creates one that never expires',
    ]);
  });
  it('CP019 refuses the AWS managed key and a topic policy without the TLS deny', () => {
    const stack = stackOf('platform', (json) => {
      json.resource.aws_sns_topic.alarms_topic_CB6504A9.kms_master_key_id = 'alias/aws/sns';
      const policy = Object.values(json.resource.aws_sns_topic_policy)[0] as { policy: string };
      const doc = JSON.parse(policy.policy);
      doc.Statement = doc.Statement.filter((st: { Effect: string }) => st.Effect !== 'Deny');
      policy.policy = JSON.stringify(doc);
    });
    expect(check(alarmTopicProtected, stack)).toEqual([
      'aws_sns_topic.alarms_topic_CB6504A9: kms_master_key_id "alias/aws/sns" is the AWS managed SNS key: CloudWatch cannot publish to it, so no alarm would arrive',
      'aws_sns_topic.alarms_topic_CB6504A9: no topic policy denies sns:Publish to "*" when aws:SecureTransport is false: the topic accepts messages over plain HTTP',
    ]);
  });
});

describe('CP020 secrets-customer-key', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev') as Environment;
  const asking = secretsCustomerKeyRule([{ ...dev, secretsKmsKeyArn: KEY }]);
  it('asks nothing of an environment that names no key (the workspace today)', () => {
    expect(check(secretsCustomerKeyRule(), stackOf('service-password'))).toEqual([]);
  });
  it('refuses a secret without the key, or on another key, where the environment names one', () => {
    expect(check(asking, stackOf('service-password'))).toEqual([
      `aws_secretsmanager_secret.${SECRET}: kms_key_id is null, but environment dev asks for its customer managed key ${KEY}`,
    ]);
    const aws = stackOf('service-iam', (json) => (json.resource.aws_secretsmanager_secret[SECRET].kms_key_id = 'alias/aws/secretsmanager'));
    expect(check(asking, aws)[0]).toContain('kms_key_id is "alias/aws/secretsmanager", but environment dev asks');
    expect(
      check(
        asking,
        stackOf('service-iam', (json) => (json.resource.aws_secretsmanager_secret[SECRET].kms_key_id = KEY)),
      ),
    ).toEqual([]);
  });
});

describe('CP006 tls-on', () => {
  it.each(['secret_string', 'secret_string_wo'])('refuses "tls" = false in %s', (attribute) => {
    const stack = stackOf('service-password', (json) => {
      const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
      const from = payloadAttribute(json);
      const payload = version[from].replace('"tls" = true', '"tls" = false');
      delete version[from];
      version[attribute] = payload;
    });
    expect(check(tlsOn, stack)).toEqual([
      `aws_secretsmanager_secret_version.${SECRET_VERSION}: secret payload (${attribute}) sets tls to false`,
    ]);
  });

  it.each([
    ['REDIS_TLS', 'false', 'turns TLS off'],
    ['CACHE_TLS_ENABLED', '0', 'turns TLS off'],
    ['NODE_TLS_REJECT_UNAUTHORIZED', '0', 'turns off certificate verification'],
    ['REDIS_URL', 'redis://cache:6379', 'plaintext redis:// URL'],
  ])('refuses the Lambda variable %s=%s', (name, value, why) => {
    const stack = stackOf('service-iam', (json) => (json.resource.aws_lambda_function[FUNCTION].environment.variables[name] = value));
    const found = check(tlsOn, stack);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`environment variable ${name}="${value}" `);
    expect(found[0]).toContain(why);
  });

  it('accepts TLS-on values', () => {
    const stack = stackOf('service-iam', (json) =>
      Object.assign(json.resource.aws_lambda_function[FUNCTION].environment.variables, { REDIS_TLS: 'true', URL: 'rediss://x' }),
    );
    expect(check(tlsOn, stack)).toEqual([]);
  });
});

describe('CP007 ownership-tags', () => {
  it('refuses a user, secret or claim without the ownership tags (provider defaults count; a blank overrides them)', () => {
    const stack = stackOf('service-password', (json) => {
      json.provider.aws[0].default_tags = [];
      json.resource.aws_elasticache_user[USER].tags = { 'cache-platform:owner': 'team-catalog' };
      delete json.resource.aws_secretsmanager_secret[SECRET].tags;
    });
    const found = check(ownershipTags, stack);
    expect(found).toEqual([
      `aws_elasticache_user.${USER}: missing ownership tag(s) cache-platform:service, cache-platform:purpose, cache-platform:environment, cache-platform:managed-by`,
      `aws_secretsmanager_secret.${SECRET}: missing ownership tag(s) cache-platform:service, cache-platform:owner, cache-platform:purpose, cache-platform:environment, cache-platform:managed-by`,
    ]);
    const blanked = stackOf(
      'platform',
      (json) => (json.resource.aws_elasticache_user['foundation_users_disabled-default-user_3526D34B'].tags['cache-platform:owner'] = ''),
    );
    expect(check(ownershipTags, blanked)[0]).toContain('missing ownership tag(s) cache-platform:owner');
  });
});

describe('CP008 one-service-per-keyspace', () => {
  const claiming =
    (keyspace: string, service: string, environment = 'dev') =>
    (json: Json) => {
      const claim = json.resource.aws_ssm_parameter[CLAIM];
      claim.name = `/cache-platform/${environment}/keyspaces/${keyspace}`;
      claim.value = JSON.stringify({ service, owner: 'team-x', purpose: 'a purpose' });
    };
  it('refuses a keyspace another service of the same environment claims, across apps', () => {
    const mine = stackOf('service-iam', claiming('catalog-api', 'enrollment-api'));
    const theirs = stackOf('service-password');
    expect(check(oneServicePerKeyspace, mine, [theirs])).toEqual([
      `aws_ssm_parameter.${CLAIM}: keyspace "catalog-api" of service "enrollment-api" in dev is also claimed by service "catalog-api" (catalog-api-dev: aws_ssm_parameter.${CLAIM})`,
    ]);
  });
  it('accepts the same keyspace in another environment, and the same service in two stacks', () => {
    expect(
      check(oneServicePerKeyspace, stackOf('service-iam', claiming('catalog-api', 'enrollment-api', 'prod')), [
        stackOf('service-password'),
      ]),
    ).toEqual([]);
    const prod = parseStack('catalog-api-prod', fixture('service-password'));
    expect(check(oneServicePerKeyspace, stackOf('service-password'), [prod])).toEqual([]);
  });
});

describe('CP009 current-lambda-runtime', () => {
  it('refuses nodejs20.x, accepts nodejs22.x', () => {
    const stack = stackOf('service-iam', (json) => (json.resource.aws_lambda_function[FUNCTION].runtime = 'nodejs20.x'));
    expect(check(currentRuntime, stack)[0]).toContain('runtime "nodejs20.x" is not current (current: nodejs22.x');
    expect(check(currentRuntime, stackOf('service-iam'))).toEqual([]);
  });
});

describe('CP010 password-rotation', () => {
  it('refuses a password-auth secret without a rotation; IAM-auth secrets need none', () => {
    const stack = stackOf('service-password', (json) => delete json.resource.aws_secretsmanager_secret_rotation);
    expect(check(passwordRotation, stack)).toEqual([
      `aws_secretsmanager_secret.${SECRET}: password-auth cache secret has no aws_secretsmanager_secret_rotation referring to it`,
    ]);
    expect(check(passwordRotation, stackOf('service-iam'))).toEqual([]);
  });
  it('finds the payload in secret_string and secret_string_wo, and a rotation of another secret does not count', () => {
    const stack = stackOf('service-password', (json) => {
      const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
      const from = payloadAttribute(json);
      const to = from === 'secret_string' ? 'secret_string_wo' : 'secret_string';
      version[to] = version[from];
      delete version[from];
      json.resource.aws_secretsmanager_secret_rotation[ROTATION].secret_id = '${aws_secretsmanager_secret.other.id}';
    });
    expect(check(passwordRotation, stack)).toHaveLength(1);
    // and the real rotation, with the payload moved to the other attribute, counts
    const moved = stackOf('service-password', (json) => {
      const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
      const from = payloadAttribute(json);
      version[from === 'secret_string' ? 'secret_string_wo' : 'secret_string'] = version[from];
      delete version[from];
    });
    expect(check(passwordRotation, moved)).toEqual([]);
  });
});

describe('CP011 no-literal-secrets', () => {
  it('refuses a literal user password, a literal password in the payload, a credential in a Lambda variable', () => {
    const stack = stackOf('service-password', (json) => {
      json.resource.aws_elasticache_user[USER].authentication_mode.passwords = ['a-literal-password-of-some-length'];
      const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
      const attribute = payloadAttribute(json);
      version[attribute] = version[attribute].replace(/"password" = [^,]+,/, '"password" = "hunter2hunter2hunter2",');
      json.resource.aws_lambda_function[FUNCTION].environment.variables.REDIS_PASSWORD = 'hunter2hunter2hunter2';
    });
    expect(check(noLiteralSecrets, stack)).toEqual([
      `aws_elasticache_user.${USER}: the user has a literal password (not a reference)`,
      `aws_secretsmanager_secret_version.${SECRET_VERSION}: the secret payload (${payloadAttribute(fixture('service-password'))}) holds a literal password`,
      `aws_lambda_function.${FUNCTION}: environment variable REDIS_PASSWORD holds a literal credential`,
    ]);
  });
  it('accepts references, the empty IAM password and literal JSON without a password', () => {
    expect(check(noLiteralSecrets, stackOf('service-password'))).toEqual([]);
    expect(check(noLiteralSecrets, stackOf('service-iam'))).toEqual([]);
    const literalJson = stackOf('service-iam', (json) => {
      const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
      version[payloadAttribute(json)] = JSON.stringify({ username: 'u', password: '' });
    });
    expect(check(noLiteralSecrets, literalJson)).toEqual([]);
  });
});

describe('docs/policy.md', () => {
  it('lists every rule with its id, name and rationale', () => {
    const docs = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'docs', 'policy.md'), 'utf8').replace(/\\\*/g, '*');
    for (const rule of RULES) {
      expect(docs).toMatch(
        new RegExp(`\\| \`${rule.id}\` \\| ${rule.name} +\\| ${rule.rationale.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\|`),
      );
    }
  });
});
