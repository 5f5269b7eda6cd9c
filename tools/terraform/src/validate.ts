import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { runTerraform, TERRAFORM_SCRATCH, terraformEnv } from './terraform';

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

/** Terraform's warning for a stack's `backend` block once the stack is a child module: says nothing about the stack. */
const CHILD_BACKEND_WARNING = 'Backend configuration ignored';

interface RawDiagnostic extends ValidateDiagnostic {
  readonly range?: { readonly filename?: string };
}

/**
 * Validates many stacks with one provider load: a generated root module in a scratch folder calls
 * every stack as a child module (by relative path, so Terraform reads each stack where it lies), then
 * one `terraform init -backend=false` and one `terraform validate -json`. Each diagnostic names the
 * file it is about (`range.filename`), which maps it back to its stack, so the per-stack report reads
 * as `validateStack`'s: the `module.<name>.` prefix is taken off addresses, and the backend warning
 * that only the child-module form produces is dropped.
 *
 * When the combined run cannot say which stack a result belongs to (init fails, no JSON, an error
 * without a file of one of the stacks), the stacks are validated one by one instead, so a broken
 * stack still fails alone and with today's message.
 */
export async function validateStacksAsModules(
  dirs: readonly string[],
  options: { env?: NodeJS.ProcessEnv; scratchDir?: string; concurrency?: number } = {},
): Promise<StackValidation[]> {
  const env = options.env ?? terraformEnv();
  const oneByOne = () => validateStacks(dirs, { env, concurrency: options.concurrency });
  if (dirs.length < 2) return oneByOne();
  const stackDirs = dirs.map((d) => resolve(d));
  const scratch = options.scratchDir ?? join(TERRAFORM_SCRATCH, 'validate');
  mkdirSync(scratch, { recursive: true });
  const root = mkdtempSync(join(scratch, 'batch-'));
  try {
    // module names only need to be unique and valid identifiers: two apps may each have a `dev` stack
    const names = stackDirs.map((_, i) => `stack_${i}`);
    const modules = Object.fromEntries(stackDirs.map((dir, i) => [names[i], { source: relative(root, dir).split(sep).join('/') }]));
    writeFileSync(join(root, 'main.tf.json'), `${JSON.stringify({ module: modules }, null, 2)}\n`);
    const t0 = Date.now();
    const init = await runTerraform(['init', '-backend=false', '-input=false', '-no-color'], root, env);
    const initSeconds = (Date.now() - t0) / 1000;
    if (init.code !== 0) return oneByOne();
    const t1 = Date.now();
    const result = await runTerraform(['validate', '-json', '-no-color'], root, env);
    const validateSeconds = (Date.now() - t1) / 1000;
    let parsed: { valid: boolean; diagnostics?: RawDiagnostic[] };
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      return oneByOne();
    }
    const byStack: ValidateDiagnostic[][] = stackDirs.map(() => []);
    for (const d of parsed.diagnostics ?? []) {
      const file = d.range?.filename ? resolve(root, d.range.filename) : undefined;
      const index = file ? stackDirs.findIndex((dir) => file.startsWith(dir + sep)) : -1;
      if (index < 0) {
        if (d.severity === 'warning') continue;
        return oneByOne();
      }
      if (d.summary === CHILD_BACKEND_WARNING && d.severity === 'warning') continue;
      const prefix = `module.${names[index]}.`;
      const address = d.address?.startsWith(prefix) ? d.address.slice(prefix.length) : d.address;
      byStack[index]?.push({ severity: d.severity, summary: d.summary, detail: d.detail, address });
    }
    // the batch's time is shared: each stack carries an equal share, so the totals still add up
    return stackDirs.map((dir, i) => {
      const diagnostics = byStack[i] ?? [];
      return {
        stack: basename(dir),
        dir: dirs[i] ?? dir,
        valid: !diagnostics.some((d) => d.severity === 'error'),
        diagnostics,
        initSeconds: initSeconds / dirs.length,
        validateSeconds: validateSeconds / dirs.length,
      };
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
