import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { configureAwsStack } from '@cache-platform/stack-base';

/* Shared by the unit specs: a service stack configured like the generator's, synthesized to JSON. */

export const OWNERSHIP = { service: 'orders-api', environment: 'dev', owner: 'team-orders', purpose: 'cache product lookups' } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SynthJson = Record<string, any>;

export function synthService(build: (stack: TerraformStack) => void): SynthJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, `${OWNERSHIP.service}-${OWNERSHIP.environment}`);
  configureAwsStack(stack, { ...OWNERSHIP, region: 'eu-west-1' });
  try {
    build(stack);
    return JSON.parse(Testing.synth(stack));
  } finally {
    // Testing.app() makes a temporary outdir per call; do not leave them behind
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** The only resource of `type` in the synthesized stack (fails when there are several). */
export function only(json: SynthJson, kind: 'resource' | 'data', type: string): SynthJson {
  const all = Object.values(json[kind]?.[type] ?? {}) as SynthJson[];
  if (all.length !== 1) throw new Error(`expected exactly one ${kind} ${type}, found ${all.length}`);
  return all[0];
}

/** Address (`type.name`) of the only resource of `type`. */
export function addressOf(json: SynthJson, kind: 'resource' | 'data', type: string): string {
  const names = Object.keys(json[kind]?.[type] ?? {});
  if (names.length !== 1) throw new Error(`expected exactly one ${kind} ${type}, found ${names.length}`);
  return `${kind === 'data' ? 'data.' : ''}${type}.${names[0]}`;
}

/** A throwaway folder holding a minimal handler bundle; removed by the returned cleanup. */
export function fakeBundle(files: Record<string, string> = { 'index.mjs': 'export const handler = async () => ({ ok: true });\n' }): {
  dir: string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'service-access-bundle-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every IAM policy statement in the stack: policy-document data sources and literal JSON policies. */
export function allStatements(json: SynthJson): SynthJson[] {
  const statements: SynthJson[] = [];
  for (const doc of Object.values(json.data?.aws_iam_policy_document ?? {}) as SynthJson[]) {
    for (const s of doc.statement ?? []) statements.push({ Action: s.actions, Resource: s.resources, Effect: s.effect ?? 'Allow' });
  }
  const literal = (text: unknown) => {
    if (typeof text !== 'string' || !text.trim().startsWith('{')) return;
    const doc = JSON.parse(text);
    statements.push(...(Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]));
  };
  for (const policy of Object.values(json.resource?.aws_iam_role_policy ?? {}) as SynthJson[]) literal(policy.policy);
  for (const policy of Object.values(json.resource?.aws_iam_policy ?? {}) as SynthJson[]) literal(policy.policy);
  return statements;
}

export const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
