import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStack, type TfStack } from '@cache-platform/stack-analysis';

/*
 * Compliant baselines, copied unchanged from real synthesized stacks (`cdktf.out/stacks/<stack>/
 * cdk.tf.json`): `service-password` is catalog-api-dev, `service-iam` enrollment-api-dev, `platform`
 * platform-dev. Each rule's non-compliant fixture is one of these with one edit, as a hand edit or an
 * escape hatch would make. Refresh them after a wiring change with a synth and a copy; the synth of
 * every app runs the same rules on the real output anyway.
 */

export type FixtureName = 'service-password' | 'service-iam' | 'platform';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function fixture(name: FixtureName): Json {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.tf.json`), 'utf8'));
}

const STACK_NAMES: Record<FixtureName, string> = {
  'service-password': 'catalog-api-dev',
  'service-iam': 'enrollment-api-dev',
  platform: 'platform-dev',
};

export function stackOf(name: FixtureName, edit?: (json: Json) => void, stackName = STACK_NAMES[name]): TfStack {
  const json = fixture(name);
  edit?.(json);
  return parseStack(stackName, json);
}

/** The single service user of a service fixture. */
export const USER = 'cache-access_user_96CBC6B8';
export const SECRET = 'cache-access_secret_76ED271E';
export const SECRET_VERSION = 'cache-access_secret-value_4E40BCBE';
export const FUNCTION = 'handler_function_EDBDF687';
export const CLAIM = 'cache-access_keyspace-claim_E90DB781';
export const ROTATION = 'cache-access_secret-rotation_6683CF3E';

/** The attribute of the secret version that holds the payload (`secret_string_wo` keeps it out of state). */
export function payloadAttribute(json: Json): 'secret_string' | 'secret_string_wo' {
  return 'secret_string_wo' in json.resource.aws_secretsmanager_secret_version[SECRET_VERSION] ? 'secret_string_wo' : 'secret_string';
}
