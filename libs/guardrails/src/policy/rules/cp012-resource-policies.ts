import { resourcePolicy, type PolicyOf, resourcesOf } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';
import { principalProblem } from './principals';

export const resourcePolicies: PolicyRule = {
  id: 'CP012',
  name: 'resource-policies',
  rationale:
    "no secret policy or role trust policy opens to everyone or another account: a cache secret is read by its own function's role, and that role is assumed by Lambda",
  fix: 'remove the aws_secretsmanager_secret_policy (the platform needs none) or name only roles of this stack and this account (data.aws_caller_identity); let roles trust a service principal (lambda.amazonaws.com); suppress with a reason for a reviewed cross-account reader',
  check(stack) {
    const policies: PolicyOf[] = [];
    for (const p of resourcesOf(stack, 'aws_secretsmanager_secret_policy')) {
      const read = resourcePolicy(stack, p, 'policy');
      if (read) policies.push(read);
    }
    for (const secret of resourcesOf(stack, 'aws_secretsmanager_secret')) {
      const read = resourcePolicy(stack, secret, 'policy');
      if (read) policies.push(read);
    }
    const trust: PolicyOf[] = [];
    for (const role of resourcesOf(stack, 'aws_iam_role')) {
      const read = resourcePolicy(stack, role, 'assume_role_policy');
      if (read) trust.push(read);
    }
    const violations: Violation[] = [];
    for (const policy of trust) {
      if (policy.unreadable)
        violations.push({ resource: policy.resource, message: `the trust policy cannot be read: ${policy.unreadable}` });
      for (const s of policy.statements) {
        if (s.effect.toLowerCase() !== 'allow') continue;
        const who = s.sid ? `trust statement ${s.sid}` : 'a trust statement';
        if (s.notPrincipals.length > 0)
          violations.push({
            resource: policy.resource,
            message: `${who} lets every principal but ${s.notPrincipals.flatMap((p) => p.identifiers).join(', ')} assume the role (NotPrincipal)`,
          });
        for (const principal of s.principals) {
          // a role a service assumes (lambda.amazonaws.com) is what the platform's roles are
          if (principal.type === 'Service' && principal.identifiers.every((id) => /^[a-z0-9.-]+\.amazonaws\.com$/.test(id))) continue;
          const why = principalProblem(stack, principal);
          if (why) violations.push({ resource: policy.resource, message: `${who} lets ${why} assume the role` });
        }
      }
    }
    for (const policy of policies) {
      if (policy.unreadable)
        violations.push({ resource: policy.resource, message: `the resource policy cannot be read: ${policy.unreadable}` });
      for (const s of policy.statements) {
        if (s.effect.toLowerCase() !== 'allow') continue;
        const who = s.sid ? `statement ${s.sid}` : 'a statement';
        if (s.notPrincipals.length > 0)
          violations.push({
            resource: policy.resource,
            message: `${who} allows every principal but ${s.notPrincipals.flatMap((p) => p.identifiers).join(', ')} (NotPrincipal)`,
          });
        for (const principal of s.principals) {
          const why = principalProblem(stack, principal);
          if (why) violations.push({ resource: policy.resource, message: `${who} allows ${s.actions.join(', ') || 'actions'} to ${why}` });
        }
      }
    }
    return violations;
  },
};
