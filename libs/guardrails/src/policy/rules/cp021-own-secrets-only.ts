import { referencedResource, resourcesOf, stringAttr, type TfStack } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';
import { isPlatformExportParameter, scopeOf } from './scope';

// `${aws_secretsmanager_secret.<name>.id|arn}` of a secret the stack defines
function isOwnSecret(stack: TfStack, value: unknown): boolean {
  if (typeof value !== 'string' || !/\.(id|arn)\}$/.test(value.trim())) return false;
  const target = referencedResource(stack, value);
  return target?.mode === 'resource' && target.type === 'aws_secretsmanager_secret';
}

// the platform's rotation function: its export (service stacks) or its own function (the platform stack)
function isPlatformRotationFunction(stack: TfStack, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const target = referencedResource(stack, value);
  if (!target) return false;
  if (target.mode === 'resource') return target.type === 'aws_lambda_function' && scopeOf(stack).platform;
  if (target.type !== 'aws_ssm_parameter') return false;
  const name = stringAttr(target.body, 'name') ?? '';
  return isPlatformExportParameter(name, stack.environment) && name.endsWith('/rotation-function-arn');
}

export const ownSecretsOnly: PolicyRule = {
  id: 'CP021',
  name: 'own-secrets-only',
  rationale:
    "a stack writes, rotates and sets policies only on secrets it defines, rotating with the platform's function: another service's secret is not its to overwrite, and a foreign rotation function would receive the password",
  fix: "refer to the stack's own secret (${aws_secretsmanager_secret.<secret>.id}) in secret versions, rotations and secret policies, and set rotation_lambda_arn (and the connection sync's function_name) to the platform's rotation-function-arn export",
  check(stack) {
    const violations: Violation[] = [];
    for (const r of resourcesOf(
      stack,
      'aws_secretsmanager_secret_version',
      'aws_secretsmanager_secret_rotation',
      'aws_secretsmanager_secret_policy',
    )) {
      const attribute = r.type === 'aws_secretsmanager_secret_policy' ? 'secret_arn' : 'secret_id';
      if (!isOwnSecret(stack, r.body[attribute]))
        violations.push({
          resource: r,
          message: `${attribute} ${JSON.stringify(r.body[attribute] ?? null)} is not a secret this stack defines`,
        });
    }
    for (const rotation of resourcesOf(stack, 'aws_secretsmanager_secret_rotation')) {
      const fn = rotation.body['rotation_lambda_arn'];
      if (!isPlatformRotationFunction(stack, fn))
        violations.push({
          resource: rotation,
          message: `rotation_lambda_arn ${JSON.stringify(fn ?? null)} is not the platform's rotation function of ${stack.environment}`,
        });
    }
    for (const invocation of resourcesOf(stack, 'aws_lambda_invocation')) {
      const input = stringAttr(invocation.body, 'input') ?? '';
      // the connection sync hands a secret to the function it invokes: only the platform's
      if (input.includes('aws_secretsmanager_secret.') && !isPlatformRotationFunction(stack, invocation.body['function_name']))
        violations.push({
          resource: invocation,
          message: `hands a secret to function ${JSON.stringify(invocation.body['function_name'] ?? null)}, which is not the platform's rotation function of ${stack.environment}`,
        });
    }
    return violations;
  },
};
