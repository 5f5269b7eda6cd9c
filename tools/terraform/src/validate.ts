import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
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

interface RawDiagnostic extends ValidateDiagnostic {
  readonly range?: { readonly filename?: string };
}

/**
 * The structure of a provider block with every value replaced by its type: two blocks of one shape
 * (the same arguments and blocks, values of the same types) differ only in values, which `validate`
 * does not check against the provider (a region or a tag is checked when the provider is configured).
 */
function providerShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(providerShape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, providerShape(v)]),
    );
  }
  return value === null ? 'null' : typeof value;
}

/**
 * The stack as a child module of the batch root: its provider block is left out when another stack of
 * the batch carries one of the same shape, so those stacks share the root's provider instance.
 * Terraform starts one provider process per provider configuration (about a second of CPU each for
 * the AWS provider: 302 stacks took 341 s with every block kept, docs/benchmarks.md), and a module
 * with no configuration of its own uses the root's. Only a stack with exactly one `aws` configuration
 * and no alias is shared this way; any other keeps its blocks as written.
 */
function moduleCopy(stackDir: string, copyDir: string, seenShapes: Set<string>): void {
  const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as Record<string, unknown> & {
    provider?: Record<string, unknown[]>;
    terraform?: Record<string, unknown>;
  };
  mkdirSync(copyDir);
  // assets and any other file the stack names, where the stack keeps them
  for (const entry of readdirSync(stackDir)) if (entry !== 'cdk.tf.json') symlinkSync(join(stackDir, entry), join(copyDir, entry));
  // a child module ignores a backend (with a warning that says nothing about the stack)
  if (json.terraform) delete json.terraform['backend'];
  const providers = json.provider;
  const aws = providers?.['aws'];
  const shareable =
    providers !== undefined &&
    Object.keys(providers).length === 1 &&
    Array.isArray(aws) &&
    aws.length === 1 &&
    typeof aws[0] === 'object' &&
    aws[0] !== null &&
    !('alias' in aws[0]);
  if (shareable) {
    const shape = JSON.stringify(providerShape(providers));
    // the first stack of each shape keeps its block, so that shape is still checked, in that stack
    if (seenShapes.has(shape)) delete json.provider;
    else seenShapes.add(shape);
  }
  writeFileSync(join(copyDir, 'cdk.tf.json'), JSON.stringify(json));
}

/**
 * Validates many stacks with one provider load: a generated root module in a scratch folder calls
 * every stack as a child module (a copy of its `cdk.tf.json` beside links to its assets, see
 * {@link moduleCopy}), then one `terraform init -backend=false` and one `terraform validate -json`.
 * Each diagnostic names the file it is about (`range.filename`), which maps it back to its stack, so
 * the per-stack report reads as `validateStack`'s: the `module.<name>.` prefix is taken off addresses.
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
    const copies = names.map((name) => join(root, name));
    const seenShapes = new Set<string>();
    stackDirs.forEach((dir, i) => moduleCopy(dir, copies[i] as string, seenShapes));
    const modules = Object.fromEntries(names.map((name) => [name, { source: `./${name}` }]));
    // the configuration the shared modules use: settings come from each stack's own, checked above
    writeFileSync(join(root, 'main.tf.json'), `${JSON.stringify({ module: modules, provider: { aws: [{}] } }, null, 2)}\n`);
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
      const index = file ? copies.findIndex((dir) => file.startsWith(dir + sep)) : -1;
      if (index < 0) {
        if (d.severity === 'warning') continue;
        return oneByOne();
      }
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
