import { readJsonAttribute, block, resourcesOf } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';

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

/**
 * A cache secret's payload (it names a host or an authMode) must say `"tls" = true` as a literal: an
 * expression (`"tls" = 1 == 0`), a string or a missing key is not a TLS promise. Payloads that do not
 * parse are left to the regular expression above.
 */
function payloadTlsProblem(payload: string): string | undefined {
  let doc: unknown;
  try {
    doc = readJsonAttribute(payload);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const fields = doc as Record<string, unknown>;
  if (!('host' in fields) && !('authMode' in fields)) return undefined;
  if (fields['tls'] === true) return undefined;
  return `sets tls to ${JSON.stringify(fields['tls'] ?? null)}, not the literal true`;
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
        if (typeof payload !== 'string') continue;
        if (TLS_OFF_IN_PAYLOAD.test(payload)) {
          violations.push({ resource: version, message: `secret payload (${attribute}) sets tls to false` });
          continue;
        }
        const why = payloadTlsProblem(payload);
        if (why) violations.push({ resource: version, message: `secret payload (${attribute}) ${why}` });
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
    for (const group of resourcesOf(stack, 'aws_elasticache_replication_group')) {
      const transit = group.body['transit_encryption_enabled'];
      if (transit !== true && transit !== 'true')
        violations.push({
          resource: group,
          message: `transit_encryption_enabled is ${JSON.stringify(transit ?? null)}: the replication group accepts plaintext connections`,
        });
    }
    return violations;
  },
};
