import { ENVIRONMENTS, type Environment } from '@cache-platform/platform-environments';
import type { PolicyRule, Violation } from '../rule';
import { resourcesOf, stringAttr } from '@cache-platform/stack-analysis';

/**
 * CP020 over a list of environments (the workspace's own by default; tests pass their own): a stack
 * of an environment that names `secretsKmsKeyArn` keeps every secret under that key.
 */
export function secretsCustomerKeyRule(environments: readonly Environment[] = ENVIRONMENTS): PolicyRule {
  return {
    id: 'CP020',
    name: 'secrets-customer-key',
    rationale:
      "where the environment asks for a customer managed key for secrets, every secret of its stacks uses that key: who may decrypt is then the key policy's decision, not every principal with secretsmanager:GetSecretValue",
    fix: "set kms_key_id of the aws_secretsmanager_secret to the environment's secretsKmsKeyArn (service-access does, and grants kms:Decrypt through Secrets Manager); never alias/aws/secretsmanager or another key there",
    check(stack) {
      const wanted = environments.find((e) => e.name === stack.environment)?.secretsKmsKeyArn;
      if (wanted === undefined) return [];
      const violations: Violation[] = [];
      for (const secret of resourcesOf(stack, 'aws_secretsmanager_secret')) {
        const key = stringAttr(secret.body, 'kms_key_id');
        if (key !== wanted)
          violations.push({
            resource: secret,
            message: `kms_key_id is ${JSON.stringify(key ?? null)}, but environment ${stack.environment} asks for its customer managed key ${wanted}`,
          });
      }
      return violations;
    },
  };
}

export const secretsCustomerKey: PolicyRule = secretsCustomerKeyRule();
