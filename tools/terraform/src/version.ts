import { spawnSync } from 'node:child_process';
import { MINIMUM_TERRAFORM_VERSION } from '@cache-platform/cache-contract';

/** A Terraform CLI version as `terraform version` reports it. */
export interface TerraformVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** `beta1`, `rc2`, ...: a pre-release sorts below its release (Terraform's own constraints do so too) */
  readonly prerelease?: string;
  /** as printed */
  readonly text: string;
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$/;

/** Parses `1.11.4`, `v1.10.0`, `1.11.0-rc1` or `1.11`; undefined for anything else. */
export function parseTerraformVersion(text: string): TerraformVersion | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch ?? 0),
    ...(prerelease ? { prerelease } : {}),
    text: text.trim().replace(/^v/, ''),
  };
}

/** The version in the output of `terraform version -json` (or of plain `terraform version`, which CLIs before 0.13 print). */
export function terraformVersionFromOutput(stdout: string): TerraformVersion | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout);
    const version = (parsed as { terraform_version?: unknown } | null)?.terraform_version;
    return typeof version === 'string' ? parseTerraformVersion(version) : undefined;
  } catch {
    const plain = /^Terraform (v\S+)/m.exec(stdout)?.[1];
    return plain === undefined ? undefined : parseTerraformVersion(plain);
  }
}

function compare(a: TerraformVersion, b: TerraformVersion): number {
  const byNumber = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (byNumber !== 0) return byNumber;
  if (a.prerelease && !b.prerelease) return -1;
  if (!a.prerelease && b.prerelease) return 1;
  return 0;
}

const MINIMUM: TerraformVersion = (() => {
  const parsed = parseTerraformVersion(MINIMUM_TERRAFORM_VERSION);
  if (!parsed)
    throw new Error(`invalid MINIMUM_TERRAFORM_VERSION ${JSON.stringify(MINIMUM_TERRAFORM_VERSION)}: expected <major>.<minor>[.<patch>]`);
  return parsed;
})();
const RULE = `the stacks need terraform >= ${MINIMUM_TERRAFORM_VERSION} (write-only arguments such as secret_string_wo)`;
const INSTALL = 'https://developer.hashicorp.com/terraform/install';

/**
 * Why the Terraform CLI that printed `stdout` (for `terraform version -json`) cannot run the stacks,
 * in one line, or undefined when it can.
 */
export function terraformVersionProblem(stdout: string, minimum: TerraformVersion = MINIMUM): string | undefined {
  const found = terraformVersionFromOutput(stdout);
  if (!found) {
    const shown = stdout.trim().split('\n')[0]?.slice(0, 80) ?? '';
    return `cannot read the terraform version from "terraform version -json" (it printed ${JSON.stringify(shown)}): ${RULE}`;
  }
  if (compare(found, minimum) >= 0) return undefined;
  return `terraform ${found.text} is too old: ${RULE}; install a newer one (${INSTALL})`;
}

/**
 * Runs `terraform version -json` and checks the CLI on PATH: the one line to print and stop with, or
 * undefined. Run before `validate`, `diff`, `deploy` and `destroy`.
 */
export function checkTerraformVersion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const result = spawnSync('terraform', ['version', '-json'], { env: { ...env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8' });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `terraform is not on PATH: ${RULE}; install it (${INSTALL})`
      : `terraform version failed: ${result.error.message}`;
  }
  return terraformVersionProblem(result.stdout ?? '');
}
