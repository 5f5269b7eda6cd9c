import { resourcePolicy, type PolicyOf } from '../iam';
import type { PolicyRule, Violation } from '../rule';
import { resourcesOf } from '../stack';
import { principalProblem } from './principals';

export const secretResourcePolicy: PolicyRule = {
  id: 'CP012',
  name: 'secret-resource-policy',
  rationale:
    "a secret's resource policy never opens it to everyone, another account or a service: a cache secret is read by its own function's role, through IAM",
  fix: 'remove the aws_secretsmanager_secret_policy (the platform needs none), or name only roles of this stack and this account (data.aws_caller_identity); suppress with a reason for a reviewed cross-account reader',
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
    const violations: Violation[] = [];
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
