import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MINIMUM_TERRAFORM_VERSION } from '@cache-platform/cache-contract';
import { awsProviderRequirement, findProviderMirror } from './mirror';

/** Workspace-local scratch folder for Terraform CLI config and the plugin cache. */
export const TERRAFORM_SCRATCH = resolve(__dirname, '..', '..', '..', 'tmp', 'terraform');

/** Renders a CLI config that installs the AWS provider from a filesystem mirror and everything else directly. */
export function mirrorCliConfig(mirror: string, providerSource = awsProviderRequirement().source): string {
  const q = JSON.stringify;
  return [
    'provider_installation {',
    `  filesystem_mirror {`,
    `    path    = ${q(mirror)}`,
    `    include = [${q(providerSource)}]`,
    '  }',
    '  direct {',
    `    exclude = [${q(providerSource)}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export interface TerraformEnvOptions {
  /** @default process.env */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** @default TERRAFORM_SCRATCH */
  readonly scratchDir?: string;
}

/**
 * Environment for running Terraform here and elsewhere alike:
 * - with a local provider mirror, a generated CLI config points Terraform at it (init links the
 *   provider from the mirror instead of copying 700 MB per stack);
 * - without one, the registry is used, through a shared plugin cache so each provider downloads once;
 * - a TF_CLI_CONFIG_FILE pointing at a missing file is dropped (Terraform would warn on every run);
 *   one pointing at an existing file is respected when no mirror is found.
 */
export function terraformEnv(options: TerraformEnvOptions = {}): NodeJS.ProcessEnv {
  const base = options.baseEnv ?? process.env;
  const scratch = options.scratchDir ?? TERRAFORM_SCRATCH;
  const env: NodeJS.ProcessEnv = { ...base, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const configured = base['TF_CLI_CONFIG_FILE'];
  if (configured && !existsSync(configured)) delete env['TF_CLI_CONFIG_FILE'];

  const mirror = findProviderMirror(awsProviderRequirement(), base);
  mkdirSync(scratch, { recursive: true });
  if (mirror) {
    const file = join(scratch, 'mirror.tfrc');
    // write-then-rename: a parallel `terraform init` never reads a half-written config
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, mirrorCliConfig(mirror));
    renameSync(partial, file);
    env['TF_CLI_CONFIG_FILE'] = file;
  } else if (!env['TF_PLUGIN_CACHE_DIR']) {
    const cache = join(scratch, 'plugin-cache');
    mkdirSync(cache, { recursive: true });
    env['TF_PLUGIN_CACHE_DIR'] = cache;
    // synthesized stacks have no lock file yet; without this Terraform >= 1.4 skips the cache and
    // downloads the provider again for every stack
    env['TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE'] = 'true';
  }
  return env;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the terraform binary; never throws on a non-zero exit (the caller decides). */
export function runTerraform(args: string[], cwd: string, env: NodeJS.ProcessEnv = terraformEnv()): Promise<TerraformResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `terraform is not on PATH: install Terraform >= ${MINIMUM_TERRAFORM_VERSION} (https://developer.hashicorp.com/terraform/install)`,
            )
          : error,
      ),
    );
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}
