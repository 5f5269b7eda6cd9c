import { FUNCTION, SECRET, SECRET_VERSION, USER, payloadAttribute, type FixtureName, type Json } from './fixtures';

/*
 * Widening edits of the real synthesized stacks (the fixtures are copies of today's synth), each as
 * an escape hatch or a hand edit of cdktf.out would write it. Every one must fail the policy pack with
 * the rule named. `falsePass` marks the edits issue 20 found passing the pack before it was fixed.
 */

export interface Mutation {
  readonly id: string;
  readonly category: 'iam' | 'acl' | 'membership' | 'tls' | 'secrets' | 'resource-policy' | 'cache';
  readonly stack: FixtureName;
  readonly rule: string;
  readonly falsePass?: boolean;
  readonly edit: (json: Json) => void;
}

const SECRET_DOC = 'cache-access_secret-read-c8ae95c3c7-document_799971D1';
const CONNECT_DOC = 'cache-access_connect-c8da695ca7-document_110636D6';
const ROLE = 'handler_role_DDC61C05';
const PLATFORM_ROLE = 'foundation_password-rotation_role_D547D8D8';
const PLATFORM_POLICY = 'foundation_password-rotation_policy_22D94EE6';
const PERMISSION = 'foundation_password-rotation_secretsmanager-invoke_6102B37B';
const CACHE = 'foundation_cache_B512E058';
const GROUP = 'foundation_users_user-group_F3ACF09B';
const ASSOCIATION = 'cache-access_user-group-membership_988D0600';
const ACCOUNT_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012';

const addRolePolicy = (name: string, policy: string) => (json: Json) => {
  json.resource.aws_iam_role_policy[name] = { name, policy, role: `\${aws_iam_role.${ROLE}.name}` };
};
const attach = (arn: string) => (json: Json) => {
  json.resource.aws_iam_role_policy_attachment ??= {};
  json.resource.aws_iam_role_policy_attachment.extra = { policy_arn: arn, role: `\${aws_iam_role.${ROLE}.name}` };
};
const secretResources = (resources: string[]) => (json: Json) => {
  json.data.aws_iam_policy_document[SECRET_DOC].statement[0].resources = resources;
};
const access = (accessString: string) => (json: Json) => {
  json.resource.aws_elasticache_user[USER].access_string = accessString;
};
const appendAccess = (extra: string) => (json: Json) => {
  json.resource.aws_elasticache_user[USER].access_string += ` ${extra}`;
};
const secretPolicy = (principal: unknown) => (json: Json) => {
  json.resource.aws_secretsmanager_secret_policy = {
    open: {
      secret_arn: `\${aws_secretsmanager_secret.${SECRET}.arn}`,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: principal, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
      }),
    },
  };
};
const payload = (replace: (text: string) => string) => (json: Json) => {
  const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
  const attribute = payloadAttribute(json);
  version[attribute] = replace(version[attribute]);
};

export const MUTATIONS: readonly Mutation[] = [
  // ---- IAM: identity policies
  {
    id: 'secret read on "*"',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    edit: secretResources(['*']),
  },
  {
    id: 'jsonencode policy granting secretsmanager:* on "*"',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    falsePass: true,
    edit: addRolePolicy(
      'escape',
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["secretsmanager:*"], "Resource" = "*"}]})}',
    ),
  },
  {
    id: 'policy document data source granting ssm:GetParameters on the platform tree',
    category: 'iam',
    stack: 'service-iam',
    rule: 'CP005',
    falsePass: true,
    edit: (json) => {
      json.data.aws_iam_policy_document.extra = {
        statement: [
          { actions: ['ssm:GetParameters'], effect: 'Allow', resources: ['arn:aws:ssm:eu-west-1:123456789012:parameter/cache-platform/*'] },
        ],
      };
      addRolePolicy('extra', '${data.aws_iam_policy_document.extra.json}')(json);
    },
  },
  {
    id: 'merged document with a decoy principal granting secretsmanager:* on "*"',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    edit: (json) => {
      json.data.aws_iam_policy_document.decoy = {
        statement: [
          { effect: 'Allow', actions: ['secretsmanager:*'], resources: ['*'], principals: [{ type: 'AWS', identifiers: ['*'] }] },
        ],
      };
      json.data.aws_iam_policy_document[SECRET_DOC].source_policy_documents = ['${data.aws_iam_policy_document.decoy.json}'];
    },
  },
  {
    id: 'policy computed by a function (unreadable)',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    falsePass: true,
    edit: addRolePolicy('computed', `\${replace(data.aws_iam_policy_document.${SECRET_DOC}.json, "ReadCacheSecret", "x")}`),
  },
  {
    id: 'NotAction iam:* on "*"',
    category: 'iam',
    stack: 'service-iam',
    rule: 'CP005',
    falsePass: true,
    edit: (json) => {
      json.data.aws_iam_policy_document[CONNECT_DOC].statement.push({ effect: 'Allow', not_actions: ['iam:*'], resources: ['*'] });
    },
  },
  {
    id: 'NotResource on the secret read',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    edit: (json) => {
      const statement = json.data.aws_iam_policy_document[SECRET_DOC].statement[0];
      delete statement.resources;
      statement.not_resources = ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:nothing'];
    },
  },
  {
    id: 'AWS managed SecretsManagerReadWrite attached',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    falsePass: true,
    edit: attach('arn:aws:iam::aws:policy/SecretsManagerReadWrite'),
  },
  {
    id: 'AmazonElastiCacheFullAccess in managed_policy_arns',
    category: 'iam',
    stack: 'service-iam',
    rule: 'CP005',
    falsePass: true,
    edit: (json) => {
      json.resource.aws_iam_role[ROLE].managed_policy_arns = [
        'arn:${data.aws_partition.handler_partition_EDCF500A.partition}:iam::aws:policy/AmazonElastiCacheFullAccess',
      ];
    },
  },
  {
    id: 'unknown customer-managed policy attached',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    falsePass: true,
    edit: attach('arn:aws:iam::123456789012:policy/team-wide-access'),
  },
  {
    id: 'secret read on the cache-platform/* prefix',
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    falsePass: true,
    edit: secretResources([`${ACCOUNT_ARN}:secret:cache-platform/*`]),
  },
  {
    id: "secret read on the environment's prefix cache-platform/dev/*",
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    falsePass: true,
    edit: secretResources([`${ACCOUNT_ARN}:secret:cache-platform/dev/*`]),
  },
  {
    id: "secret read on another service's secret",
    category: 'iam',
    stack: 'service-password',
    rule: 'CP005',
    edit: secretResources([`${ACCOUNT_ARN}:secret:cache-platform/dev/enrollment-api/redis-??????`]),
  },
  {
    id: 'connect as any user of the account',
    category: 'iam',
    stack: 'service-iam',
    rule: 'CP005',
    edit: (json) => {
      json.data.aws_iam_policy_document[CONNECT_DOC].statement[0].resources[1] = 'arn:aws:elasticache:eu-west-1:123456789012:user:*';
    },
  },
  {
    id: 'elasticache:ModifyUser on its own user (widen its own access string)',
    category: 'iam',
    stack: 'service-iam',
    rule: 'CP005',
    edit: (json) => {
      json.data.aws_iam_policy_document[CONNECT_DOC].statement[0].actions.push('elasticache:ModifyUser');
    },
  },
  {
    id: 'rotation role on every secret of every environment',
    category: 'iam',
    stack: 'platform',
    rule: 'CP005',
    edit: (json) => {
      const policy = json.resource.aws_iam_role_policy[PLATFORM_POLICY];
      policy.policy = policy.policy.replace('secret:cache-platform/dev/*/redis-??????', 'secret:cache-platform/*');
    },
  },
  {
    id: 'rotation role reads every parameter',
    category: 'iam',
    stack: 'platform',
    rule: 'CP005',
    edit: (json) => {
      const policy = json.resource.aws_iam_role_policy[PLATFORM_POLICY];
      policy.policy = policy.policy.replace('parameter/cache-platform/dev/exports/*', 'parameter/*');
    },
  },
  {
    id: 'rotation role with a wildcard inline policy',
    category: 'iam',
    stack: 'platform',
    rule: 'CP005',
    edit: (json) => {
      json.resource.aws_iam_role[PLATFORM_ROLE].inline_policy = [
        { name: 'wide', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'elasticache:*', Resource: '*' }] }) },
      ];
    },
  },
  {
    id: 'extension grants dynamodb:* on "*"',
    category: 'iam',
    stack: 'service-iam',
    rule: 'CP017',
    edit: addRolePolicy('table', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })),
  },
  {
    id: 'function role assumable by any AWS account',
    category: 'resource-policy',
    stack: 'service-password',
    rule: 'CP012',
    edit: (json) => {
      json.resource.aws_iam_role[ROLE].assume_role_policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
      });
    },
  },
  {
    id: 'log group kept forever',
    category: 'secrets',
    stack: 'service-iam',
    rule: 'CP018',
    edit: (json) => {
      json.resource.aws_cloudwatch_log_group.handler_logs_4FACF3B2.retention_in_days = 0;
    },
  },
  {
    id: 'alarm topic unencrypted',
    category: 'resource-policy',
    stack: 'platform',
    rule: 'CP019',
    edit: (json) => {
      delete json.resource.aws_sns_topic.alarms_topic_CB6504A9.kms_master_key_id;
    },
  },
  {
    id: 'alarm topic open to everyone',
    category: 'resource-policy',
    stack: 'platform',
    rule: 'CP019',
    edit: (json) => {
      const policy = Object.values(json.resource.aws_sns_topic_policy)[0] as { policy: string };
      const doc = JSON.parse(policy.policy);
      doc.Statement.push({ Effect: 'Allow', Principal: '*', Action: 'sns:Subscribe', Resource: '*' });
      policy.policy = JSON.stringify(doc);
    },
  },
  // ---- ACL
  { id: 'key pattern ~*', category: 'acl', stack: 'service-password', rule: 'CP001', edit: appendAccess('~*') },
  { id: 'allchannels with pub/sub', category: 'acl', stack: 'service-iam', rule: 'CP001', edit: appendAccess('+@pubsub allchannels') },
  { id: '+flushall', category: 'acl', stack: 'service-password', rule: 'CP002', edit: appendAccess('+flushall') },
  { id: '+@admin', category: 'acl', stack: 'service-iam', rule: 'CP002', edit: appendAccess('+@admin') },
  {
    id: 'default user enabled',
    category: 'acl',
    stack: 'platform',
    rule: 'CP003',
    edit: (json) => {
      json.resource.aws_elasticache_user['foundation_users_disabled-default-user_3526D34B'].access_string = 'on ~* +@all';
    },
  },
  {
    id: 'nopass in the access string',
    category: 'acl',
    stack: 'service-password',
    rule: 'CP015',
    falsePass: true,
    edit: appendAccess('nopass'),
  },
  {
    id: 'no_password_required on the service user',
    category: 'acl',
    stack: 'service-password',
    rule: 'CP015',
    falsePass: true,
    edit: (json) => {
      json.resource.aws_elasticache_user[USER].no_password_required = true;
    },
  },
  {
    id: 'authentication_mode no-password-required',
    category: 'acl',
    stack: 'service-iam',
    rule: 'CP015',
    falsePass: true,
    edit: (json) => {
      json.resource.aws_elasticache_user[USER].authentication_mode = { type: 'no-password-required' };
    },
  },
  {
    id: 'access string computed at apply time',
    category: 'acl',
    stack: 'service-iam',
    rule: 'CP001',
    edit: access('${join(" ", ["on", "~*", "+@all"])}'),
  },
  // ---- membership
  {
    id: "association adds AWS's own default user",
    category: 'membership',
    stack: 'service-iam',
    rule: 'CP014',
    falsePass: true,
    edit: (json) => {
      json.resource.aws_elasticache_user_group_association[ASSOCIATION].user_id = 'default';
    },
  },
  {
    id: 'association adds an admin user the stack does not define',
    category: 'membership',
    stack: 'service-password',
    rule: 'CP014',
    falsePass: true,
    edit: (json) => {
      json.resource.aws_elasticache_user_group_association.admin = {
        user_group_id: json.resource.aws_elasticache_user_group_association[ASSOCIATION].user_group_id,
        user_id: 'ops-admin',
      };
    },
  },
  {
    id: 'platform group lists a literal user',
    category: 'membership',
    stack: 'platform',
    rule: 'CP014',
    edit: (json) => {
      json.resource.aws_elasticache_user_group[GROUP].user_ids.push('default');
    },
  },
  {
    id: 'group manages user_ids (drops every service)',
    category: 'membership',
    stack: 'platform',
    rule: 'CP004',
    edit: (json) => {
      delete json.resource.aws_elasticache_user_group[GROUP].lifecycle;
    },
  },
  // ---- the cache
  {
    id: 'serverless cache without user_group_id',
    category: 'cache',
    stack: 'platform',
    rule: 'CP016',
    falsePass: true,
    edit: (json) => {
      delete json.resource.aws_elasticache_serverless_cache[CACHE].user_group_id;
    },
  },
  {
    id: "serverless cache on a group that is not the platform's",
    category: 'cache',
    stack: 'platform',
    rule: 'CP016',
    falsePass: true,
    edit: (json) => {
      json.resource.aws_elasticache_serverless_cache[CACHE].user_group_id = 'legacy-open-group';
    },
  },
  // ---- TLS
  {
    id: 'tls = false in the secret',
    category: 'tls',
    stack: 'service-password',
    rule: 'CP006',
    edit: payload((t) => t.replace('"tls" = true', '"tls" = false')),
  },
  {
    id: 'tls as an expression that is false',
    category: 'tls',
    stack: 'service-iam',
    rule: 'CP006',
    edit: payload((t) => t.replace('"tls" = true', '"tls" = 1 == 0')),
  },
  {
    id: 'NODE_TLS_REJECT_UNAUTHORIZED=0',
    category: 'tls',
    stack: 'service-iam',
    rule: 'CP006',
    edit: (json) => {
      json.resource.aws_lambda_function[FUNCTION].environment.variables.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    },
  },
  // ---- secrets
  {
    id: 'rotation removed',
    category: 'secrets',
    stack: 'service-password',
    rule: 'CP010',
    edit: (json) => delete json.resource.aws_secretsmanager_secret_rotation,
  },
  {
    id: 'literal password on the user',
    category: 'secrets',
    stack: 'service-password',
    rule: 'CP011',
    edit: (json) => {
      json.resource.aws_elasticache_user[USER].authentication_mode.passwords = ['a-literal-password-of-some-length'];
    },
  },
  {
    id: "secret version overwrites another service's secret",
    category: 'secrets',
    stack: 'service-iam',
    rule: 'CP021',
    edit: (json) => {
      json.resource.aws_secretsmanager_secret_version[SECRET_VERSION].secret_id = 'cache-platform/dev/catalog-api/redis';
    },
  },
  {
    id: 'rotation by a function that is not the platform one',
    category: 'secrets',
    stack: 'service-password',
    rule: 'CP021',
    edit: (json) => {
      for (const rotation of Object.values(json.resource.aws_secretsmanager_secret_rotation) as { rotation_lambda_arn: string }[])
        rotation.rotation_lambda_arn = 'arn:aws:lambda:eu-west-1:123456789012:function:collector';
    },
  },
  {
    id: 'connection sync hands the secret to another function',
    category: 'secrets',
    stack: 'service-iam',
    rule: 'CP021',
    edit: (json) => {
      for (const invocation of Object.values(json.resource.aws_lambda_invocation) as { function_name: string }[])
        invocation.function_name = 'collector';
    },
  },
  // ---- resource policies
  {
    id: 'secret policy with Principal "*"',
    category: 'resource-policy',
    stack: 'service-password',
    rule: 'CP012',
    falsePass: true,
    edit: secretPolicy('*'),
  },
  {
    id: 'secret policy for another account',
    category: 'resource-policy',
    stack: 'service-iam',
    rule: 'CP012',
    falsePass: true,
    edit: secretPolicy({ AWS: 'arn:aws:iam::210987654321:root' }),
  },
  {
    id: 'rotation function permission without a source condition',
    category: 'resource-policy',
    stack: 'platform',
    rule: 'CP013',
    falsePass: true,
    edit: (json) => {
      delete json.resource.aws_lambda_permission[PERMISSION].source_arn;
      delete json.resource.aws_lambda_permission[PERMISSION].source_account;
    },
  },
  {
    id: 'service function invocable by "*"',
    category: 'resource-policy',
    stack: 'service-iam',
    rule: 'CP013',
    edit: (json) => {
      json.resource.aws_lambda_permission = {
        open: { action: 'lambda:InvokeFunction', function_name: `\${aws_lambda_function.${FUNCTION}.function_name}`, principal: '*' },
      };
    },
  },
];
