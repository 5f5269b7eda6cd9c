import type { PolicyRule, Violation } from '../rule';
import { block, resourcesOf } from '@cache-platform/stack-analysis';

const SECRET_PAYLOAD_ATTRIBUTES = ['secret_string', 'secret_string_wo'];
// `"password" = "<literal>"` inside a jsonencode expression: a reference would not be quoted
const LITERAL_PASSWORD_IN_EXPRESSION = /"password"\s*=\s*"([^"]+)"/;
// Lambda variables whose value is a credential itself (a secret's ARN is fine: that is a reference)
const CREDENTIAL_VARIABLE = /PASSWORD|PASSWD|AUTH_TOKEN|ACCESS_KEY/i;

const isLiteral = (value: unknown): value is string => typeof value === 'string' && value !== '' && !value.includes('${');

export const noLiteralSecrets: PolicyRule = {
  id: 'CP011',
  name: 'no-literal-secrets',
  rationale: 'no password or credential is written into the synthesized JSON: it would sit in the repository, CI logs and Terraform state',
  fix: "let AWS generate it (aws_secretsmanager_random_password) and reference it, and give functions the secret's ARN (REDIS_SECRET_ARN), never its value",
  check(stack) {
    const violations: Violation[] = [];
    for (const user of resourcesOf(stack, 'aws_elasticache_user')) {
      const passwords = [
        ...(Array.isArray(user.body['passwords']) ? user.body['passwords'] : []),
        ...((block(user.body['authentication_mode'])?.['passwords'] as unknown[] | undefined) ?? []),
      ];
      if (passwords.some(isLiteral)) violations.push({ resource: user, message: 'the user has a literal password (not a reference)' });
    }
    for (const version of resourcesOf(stack, 'aws_secretsmanager_secret_version')) {
      for (const attribute of SECRET_PAYLOAD_ATTRIBUTES) {
        const payload = version.body[attribute];
        if (typeof payload !== 'string') continue;
        let literal = false;
        if (payload.includes('${')) literal = LITERAL_PASSWORD_IN_EXPRESSION.test(payload);
        else {
          try {
            const doc = JSON.parse(payload) as { password?: unknown };
            literal = isLiteral(doc?.password);
          } catch {
            literal = false;
          }
        }
        if (literal) violations.push({ resource: version, message: `the secret payload (${attribute}) holds a literal password` });
      }
    }
    for (const fn of resourcesOf(stack, 'aws_lambda_function')) {
      const variables = block(fn.body['environment'])?.['variables'];
      if (typeof variables !== 'object' || variables === null) continue;
      for (const [name, value] of Object.entries(variables)) {
        if (CREDENTIAL_VARIABLE.test(name) && isLiteral(value)) {
          violations.push({ resource: fn, message: `environment variable ${name} holds a literal credential` });
        }
      }
    }
    return violations;
  },
};
