import type { PolicyRule, Violation } from '../rule';
import { refersTo, resourcesOf } from '@cache-platform/stack-analysis';

const SECRET_PAYLOAD_ATTRIBUTES = ['secret_string', 'secret_string_wo'];
// `"authMode" = "password"` in a jsonencode expression, `"authMode":"password"` in literal JSON
const PASSWORD_AUTH = /"authMode"\s*(?:=|:)\s*"password"/;

export const passwordRotation: PolicyRule = {
  id: 'CP010',
  name: 'password-rotation',
  rationale: 'a password-auth service secret has a rotation: the bootstrap password sits in Terraform state and must not stay valid',
  fix: 'add an aws_secretsmanager_secret_rotation whose secret_id refers to the secret (service-access does for password auth)',
  check(stack) {
    const rotations = resourcesOf(stack, 'aws_secretsmanager_secret_rotation');
    const versions = resourcesOf(stack, 'aws_secretsmanager_secret_version');
    const violations: Violation[] = [];
    for (const secret of resourcesOf(stack, 'aws_secretsmanager_secret')) {
      const passwordAuth = versions.some(
        (v) =>
          refersTo(v.body['secret_id'], secret) &&
          SECRET_PAYLOAD_ATTRIBUTES.some((a) => typeof v.body[a] === 'string' && PASSWORD_AUTH.test(v.body[a] as string)),
      );
      if (!passwordAuth) continue;
      if (!rotations.some((r) => refersTo(r.body['secret_id'], secret))) {
        violations.push({
          resource: secret,
          message: 'password-auth cache secret has no aws_secretsmanager_secret_rotation referring to it',
        });
      }
    }
    return violations;
  },
};
