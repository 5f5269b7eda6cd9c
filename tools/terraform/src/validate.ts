import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { runTerraform, terraformEnv } from './terraform';

export interface ValidateDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
}

export interface StackValidation {
  readonly stack: string;
  readonly dir: string;
  readonly valid: boolean;
  readonly diagnostics: readonly ValidateDiagnostic[];
  readonly initSeconds: number;
  readonly validateSeconds: number;
}

/** The synthesized stack folders of a cdktf app (`<app>/cdktf.out/stacks/<stack>/cdk.tf.json`). */
export function synthesizedStacks(appDir: string): string[] {
  const stacksDir = join(resolve(appDir), 'cdktf.out', 'stacks');
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir)
    .map((name) => join(stacksDir, name))
    .filter((dir) => existsSync(join(dir, 'cdk.tf.json')))
    .sort();
}

/** `terraform init -backend=false` then `terraform validate -json` in one synthesized stack folder. */
export async function validateStack(dir: string, env: NodeJS.ProcessEnv = terraformEnv()): Promise<StackValidation> {
  const stack = basename(dir);
  const t0 = Date.now();
  // -backend=false: validation needs the provider schema, not the state (no S3 access, no lock)
  const init = await runTerraform(['init', '-backend=false', '-input=false', '-no-color'], dir, env);
  const initSeconds = (Date.now() - t0) / 1000;
  if (init.code !== 0) {
    return {
      stack,
      dir,
      valid: false,
      diagnostics: [{ severity: 'error', summary: 'terraform init failed', detail: (init.stderr || init.stdout).trim() }],
      initSeconds,
      validateSeconds: 0,
    };
  }
  const t1 = Date.now();
  const result = await runTerraform(['validate', '-json', '-no-color'], dir, env);
  const validateSeconds = (Date.now() - t1) / 1000;
  let parsed: { valid: boolean; diagnostics?: Array<ValidateDiagnostic & { range?: unknown }> };
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    return {
      stack,
      dir,
      valid: false,
      diagnostics: [{ severity: 'error', summary: 'terraform validate printed no JSON', detail: (result.stderr || result.stdout).trim() }],
      initSeconds,
      validateSeconds,
    };
  }
  const diagnostics = (parsed.diagnostics ?? []).map(({ severity, summary, detail, address }) => ({ severity, summary, detail, address }));
  return { stack, dir, valid: parsed.valid && result.code === 0, diagnostics, initSeconds, validateSeconds };
}

/** Validates stacks with bounded concurrency (each validate starts a provider process). */
export async function validateStacks(
  dirs: readonly string[],
  options: { concurrency?: number; env?: NodeJS.ProcessEnv; onResult?: (result: StackValidation) => void } = {},
): Promise<StackValidation[]> {
  const env = options.env ?? terraformEnv();
  const results: StackValidation[] = new Array(dirs.length);
  // one iterator shared by the workers: each takes the next stack as soon as it is free
  const queue = dirs.entries();
  const worker = async () => {
    for (const [index, dir] of queue) {
      const result = await validateStack(dir, env);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, dirs.length) }, worker));
  return results;
}

export function formatDiagnostic(d: ValidateDiagnostic): string {
  const where = d.address ? ` (${d.address})` : '';
  return `  ${d.severity}: ${d.summary}${where}${d.detail ? `\n    ${d.detail.replace(/\n/g, '\n    ')}` : ''}`;
}
