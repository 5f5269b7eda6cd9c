import type { PolicyRule, Violation } from '../rule';
import { block, resourcesOf } from '../stack';

/** Secret attributes that may carry the payload: the write-only one keeps it out of state. */
const SECRET_PAYLOAD_ATTRIBUTES = ['secret_string', 'secret_string_wo'];

// `"tls" = false` inside a jsonencode({...}) expression, or `"tls": false` in literal JSON
const TLS_OFF_IN_PAYLOAD = /"tls"\s*(?:=|:)\s*(?:false|"false"|0)\b/;
// a variable whose name is about TLS/SSL and whose value turns it off
const TLS_NAME = /(?:^|_)(?:TLS|SSL)(?:_|$)/i;
const OFF_VALUE = /^(?:false|0|off|no|disabled?|none)$/i;

/** Why a Lambda environment variable turns TLS off, or undefined. */
export function tlsOffVariable(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (name === 'NODE_TLS_REJECT_UNAUTHORIZED' && value.trim() === '0') return 'turns off certificate verification for the whole process';
  if (TLS_NAME.test(name) && OFF_VALUE.test(value.trim())) return 'turns TLS off';
  if (/^redis:\/\//i.test(value.trim())) return 'is a plaintext redis:// URL (rediss:// is TLS)';
  return undefined;
}

export const tlsOn: PolicyRule = {
  id: 'CP006',
  name: 'tls-on',
  rationale:
    'TLS is never off, neither in the cache secret nor in a Lambda environment: credentials and cached data never cross the network in clear text',
  fix: 'keep "tls" = true in the secret payload and remove the variable that turns TLS or certificate verification off',
  check(stack) {
    const violations: Violation[] = [];
    for (const version of resourcesOf(stack, 'aws_secretsmanager_secret_version')) {
      for (const attribute of SECRET_PAYLOAD_ATTRIBUTES) {
        const payload = version.body[attribute];
        if (typeof payload === 'string' && TLS_OFF_IN_PAYLOAD.test(payload)) {
          violations.push({ resource: version, message: `secret payload (${attribute}) sets tls to false` });
        }
      }
    }
    for (const fn of resourcesOf(stack, 'aws_lambda_function')) {
      const variables = block(fn.body['environment'])?.['variables'];
      if (typeof variables !== 'object' || variables === null) continue;
      for (const [name, value] of Object.entries(variables)) {
        const why = tlsOffVariable(name, value);
        if (why) violations.push({ resource: fn, message: `environment variable ${name}=${JSON.stringify(value)} ${why}` });
      }
    }
    return violations;
  },
};
