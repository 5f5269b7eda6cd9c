import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir, platform, arch } from 'node:os';
import { join } from 'node:path';

/** The provider every stack needs, in Terraform's source-address form. */
export interface ProviderRequirement {
  /** e.g. `registry.terraform.io/hashicorp/aws` */
  readonly source: string;
  /** exact version, e.g. `5.100.0` */
  readonly version: string;
}

/** The AWS provider version the pinned @cdktf/provider-aws bindings were generated for. */
export function awsProviderRequirement(): ProviderRequirement {
  const pkg = require('@cdktf/provider-aws/package.json') as { cdktf: { provider: { name: string; version: string } } };
  return { source: pkg.cdktf.provider.name, version: pkg.cdktf.provider.version };
}

/** `linux_amd64`, `darwin_arm64`, ... as Terraform names platforms. */
export function terraformPlatform(): string {
  const os = platform() === 'win32' ? 'windows' : platform();
  const cpu = ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[arch()] ?? arch();
  return `${os}_${cpu}`;
}

/** Environment variable that names a mirror explicitly (a folder in Terraform's unpacked mirror layout). */
export const MIRROR_ENV_VAR = 'CACHE_PLATFORM_TF_MIRROR';

/**
 * Terraform's own implicit local-mirror folders (documented in the CLI configuration docs), then a
 * shallow look under folders where machines commonly keep shared tools. Nothing here is specific to
 * one machine: the mirror is recognised by its layout, `<root>/<host>/<ns>/<type>/<version>/<os_arch>/`.
 */
export function candidateMirrorRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = homedir();
  const xdg = env['XDG_DATA_HOME'] || join(home, '.local', 'share');
  const roots = [
    join(home, '.terraform.d', 'plugins'),
    join(xdg, 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  for (const base of ['/opt', '/usr/local', '/srv']) {
    for (const child of safeReaddir(base)) {
      roots.push(join(base, child));
      for (const grandchild of safeReaddir(join(base, child))) roots.push(join(base, child, grandchild));
    }
  }
  return roots;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith('.') && isDir(join(dir, name)));
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when `root` holds the provider in the unpacked mirror layout for this platform. */
export function mirrorHasProvider(root: string, provider: ProviderRequirement, target = terraformPlatform()): boolean {
  return isDir(join(root, ...provider.source.split('/'), provider.version, target));
}

/**
 * Finds a local filesystem mirror holding the provider: the explicit env var first (an error when it
 * points at a folder without the provider, so a typo never silently falls back to the network), then
 * the candidates. Undefined when there is none: Terraform then installs from the registry.
 */
export function findProviderMirror(provider = awsProviderRequirement(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[MIRROR_ENV_VAR];
  if (explicit) {
    if (!mirrorHasProvider(explicit, provider)) {
      throw new Error(
        `${MIRROR_ENV_VAR}=${explicit} does not hold ${provider.source} ${provider.version} for ${terraformPlatform()} ` +
          `(expected ${join(explicit, ...provider.source.split('/'), provider.version, terraformPlatform())})`,
      );
    }
    return explicit;
  }
  return candidateMirrorRoots(env).find((root) => existsSync(root) && mirrorHasProvider(root, provider));
}
