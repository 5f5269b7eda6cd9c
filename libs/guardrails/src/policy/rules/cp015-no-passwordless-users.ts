import { tokenizeAccessString, block, resourcesOf, stringAttr } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';

/** Whether `nopass` is in effect at the end of an access string (`resetpass` and `reset` clear it). */
export function accessStringHasNopass(accessString: string): boolean {
  let nopass = false;
  for (const token of tokenizeAccessString(accessString)) {
    const t = token.toLowerCase();
    if (t === 'nopass') nopass = true;
    else if (t === 'resetpass' || t === 'reset') nopass = false;
  }
  return nopass;
}

export const noPasswordlessUsers: PolicyRule = {
  id: 'CP015',
  name: 'no-passwordless-users',
  rationale: 'every Redis user authenticates, with a password or IAM: a user without one is open to anything that reaches the cache',
  fix: 'use authentication_mode type "password" (passwords from aws_secretsmanager_random_password) or "iam"; remove no_password_required and nopass',
  check(stack) {
    const violations: Violation[] = [];
    for (const user of resourcesOf(stack, 'aws_elasticache_user')) {
      const noPassword = user.body['no_password_required'];
      if (noPassword === true || noPassword === 'true')
        violations.push({ resource: user, message: 'no_password_required is true: the user logs in without a password' });
      else if (typeof noPassword === 'string' && noPassword.includes('${'))
        violations.push({ resource: user, message: `no_password_required is computed at apply time (${noPassword})` });
      const type = block(user.body['authentication_mode'])?.['type'];
      if (type === 'no-password-required')
        violations.push({
          resource: user,
          message: 'authentication_mode type "no-password-required": the user logs in without a password',
        });
      else if (typeof type === 'string' && type.includes('${'))
        violations.push({ resource: user, message: `authentication_mode type is computed at apply time (${type})` });
      const access = stringAttr(user.body, 'access_string');
      if (access !== undefined && !access.includes('${')) {
        try {
          if (accessStringHasNopass(access))
            violations.push({
              resource: user,
              message: `access string ${JSON.stringify(access)} sets nopass: any password logs in as the user`,
            });
        } catch {
          // an access string that does not tokenize is CP001's and CP003's finding
        }
      }
    }
    return violations;
  },
};
