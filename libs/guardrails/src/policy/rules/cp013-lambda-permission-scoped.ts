import {
  isWildcardResource,
  referencedResource,
  withoutReferences,
  WHOLE_REFERENCE,
  resourcesOf,
  stringAttr,
} from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';

export const lambdaPermissionScoped: PolicyRule = {
  id: 'CP013',
  name: 'lambda-permission-scoped',
  rationale:
    'a Lambda permission names who may invoke: a service principal with a source_arn or source_account (no confused deputy), never "*" or another account, and no unauthenticated function URL',
  fix: 'set source_arn (the resources that may invoke, no bare wildcard) and source_account on the aws_lambda_permission, never principal "*"; give a function URL authorization_type AWS_IAM',
  check(stack) {
    const violations: Violation[] = [];
    for (const permission of resourcesOf(stack, 'aws_lambda_permission')) {
      const principal = stringAttr(permission.body, 'principal') ?? '';
      const sourceArn = permission.body['source_arn'];
      const sourceAccount = permission.body['source_account'];
      if (principal === '*') {
        violations.push({ resource: permission, message: 'principal "*": anyone in any account may invoke the function' });
      } else if (/^\d{12}$/.test(principal) || principal.startsWith('arn:')) {
        const own = WHOLE_REFERENCE.test(principal) && referencedResource(stack, principal)?.type === 'aws_caller_identity';
        if (!own)
          violations.push({
            resource: permission,
            message: `principal ${JSON.stringify(principal)} is an account or role the rule cannot place in this account`,
          });
      } else if (principal.includes('${')) {
        violations.push({ resource: permission, message: `principal ${JSON.stringify(principal)} is computed at apply time` });
      } else if (sourceArn === undefined && sourceAccount === undefined) {
        violations.push({
          resource: permission,
          message: `principal ${principal} with neither source_arn nor source_account: any ${principal} resource, in any account, may invoke the function`,
        });
      } else if (sourceAccount === undefined && typeof sourceArn === 'string') {
        const resolved = withoutReferences(sourceArn);
        if (resolved === undefined || isWildcardResource(resolved))
          violations.push({
            resource: permission,
            message: `source_arn ${JSON.stringify(sourceArn)} matches any resource and no source_account narrows it`,
          });
      }
      if (stringAttr(permission.body, 'function_url_auth_type') === 'NONE')
        violations.push({ resource: permission, message: 'function_url_auth_type NONE: the function URL answers anyone on the internet' });
    }
    for (const url of resourcesOf(stack, 'aws_lambda_function_url')) {
      if (stringAttr(url.body, 'authorization_type') !== 'AWS_IAM')
        violations.push({
          resource: url,
          message: `authorization_type ${JSON.stringify(url.body['authorization_type'] ?? null)}: the function URL answers without IAM authentication`,
        });
    }
    return violations;
  },
};
