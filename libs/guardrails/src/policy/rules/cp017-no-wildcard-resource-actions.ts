import { identityPolicies, isWildcardResource, withoutReferences } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';
import { isScopedAction } from './cp005-no-wildcard-resources';

/**
 * Actions that have no resource-level permissions, so `"Resource": "*"` is the only way to grant
 * them (Service Authorization Reference: no resource type listed). Every other action names its
 * resources. Kept to what a Lambda's role needs; add an action here only after checking the reference.
 */
export const ACTIONS_WITHOUT_RESOURCES: readonly string[] = [
  'cloudwatch:PutMetricData',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcs',
  'sts:GetCallerIdentity',
  'kms:ListAliases',
  'kms:ListKeys',
];
const WITHOUT = new Set(ACTIONS_WITHOUT_RESOURCES.map((a) => a.toLowerCase()));

export const noWildcardResourceActions: PolicyRule = {
  id: 'CP017',
  name: 'no-wildcard-resource-actions',
  rationale:
    'no identity policy grants an action that supports resource-level permissions on "*", whatever the service: a stack extension gets what it names, not the account',
  fix: 'name the resources (the table, bucket, queue or key ARN the function uses); "*" is only for actions without resource-level permissions (cloudwatch:PutMetricData, xray:PutTraceSegments, ...)',
  check(stack) {
    const violations: Violation[] = [];
    for (const { resource, statements } of identityPolicies(stack)) {
      for (const s of statements) {
        if (s.effect.toLowerCase() !== 'allow') continue;
        const star = s.resources.some((r) => {
          const resolved = withoutReferences(r);
          return resolved !== undefined && isWildcardResource(resolved);
        });
        if (!star) continue;
        // the three cache services are CP005's, with their own message
        const wide = s.actions.filter((a) => !isScopedAction(a) && !WITHOUT.has(a.toLowerCase()));
        if (wide.length > 0)
          violations.push({
            resource,
            message: `${s.sid ? `statement ${s.sid}` : 'a statement'} allows ${wide.join(', ')} on every resource ("*"): ${wide.some((a) => a.includes('*')) ? 'a wildcard action spans actions that name resources' : 'these actions support resource-level permissions'}`,
          });
      }
    }
    return violations;
  },
};
