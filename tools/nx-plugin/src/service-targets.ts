import type { TargetConfiguration } from '@nx/devkit';

/**
 * The targets every service app gets, inferred from its `cache-service.json` (no project.json
 * restates them): a change here reaches every service at once. Commands run from the app folder so
 * that `cdktf` in the app folder and `nx run` behave the same.
 */

/** Projects whose change must rebuild, re-synth and re-test every service. */
export const SERVICE_IMPLICIT_DEPENDENCIES = ['service-access', 'lambda-bundle', 'terraform-tools'] as const;
export const SERVICE_TAGS = ['type:app', 'kind:service'] as const;
/** Variables that change what synth produces: part of its hash, so a cached synth of dev never stands in for prod. */
const SYNTH_ENV_INPUTS = [{ env: 'CACHE_PLATFORM_ENVIRONMENTS' }];
/** The opt-out that lets integration tests skip a missing tool: a skipped run must never be replayed as a full one. */
export const TEST_ENV_INPUTS = [{ env: 'CACHE_PLATFORM_ALLOW_MISSING_TOOLS' }];

export function serviceTargets(projectRoot: string): Record<string, TargetConfiguration> {
  const toRoot = projectRoot
    .split('/')
    .map(() => '..')
    .join('/');
  const inApp = (command: string, extra: Record<string, unknown> = {}) => ({
    executor: 'nx:run-commands',
    options: { cwd: projectRoot, command, ...extra },
  });
  // cdktf's own update checks and crash reporting stay off: the tool runs offline and in CI
  const cdktf = (args: string) => inApp(`node ${toRoot}/tools/terraform/bin/cdktf.cjs ${args}`, { env: { CHECKPOINT_DISABLE: '1' } });
  return {
    bundle: {
      ...inApp(`node ${toRoot}/tools/lambda-bundle/bin/bundle.cjs`),
      cache: true,
      inputs: ['production', '^production'],
      outputs: ['{projectRoot}/dist/handler'],
    },
    synth: {
      ...inApp(`node ${toRoot}/tools/terraform/bin/synth.cjs ${toRoot}/libs/service-access/src/main.ts`),
      dependsOn: ['bundle'],
      cache: true,
      inputs: ['production', '^production', ...SYNTH_ENV_INPUTS],
      outputs: ['{projectRoot}/cdktf.out'],
    },
    validate: {
      executor: 'nx:run-commands',
      options: { command: `node tools/terraform/bin/validate.cjs ${projectRoot}` },
      dependsOn: ['synth'],
      // runs Terraform and the provider installed on this machine, which no input describes
      cache: false,
    },
    diff: { ...cdktf('diff'), dependsOn: ['bundle'], cache: false },
    deploy: {
      // refuses to run without CACHE_PLATFORM_ENVIRONMENTS, so no deploy (nor the platform deploy it
      // depends on) ever reaches every environment by default
      ...cdktf("deploy '*' --auto-approve"),
      // the platform's exports must exist before a service can read them
      dependsOn: ['bundle', { projects: ['platform'], target: 'deploy' }],
      cache: false,
    },
    destroy: { ...cdktf("destroy '*'"), cache: false },
    // the workspace's shared jest preset and ESLint config: an app carries no copy of either
    test: {
      ...inApp(`jest --config ${toRoot}/jest.preset.cjs --rootDir .`),
      cache: true,
      inputs: ['default', '^production', '{workspaceRoot}/jest.preset.cjs', ...TEST_ENV_INPUTS],
    },
    lint: {
      ...inApp('eslint .'),
      cache: true,
      inputs: ['default', '^production', '{workspaceRoot}/eslint.config.mjs'],
    },
    typecheck: {
      executor: 'nx:run-commands',
      options: { command: `tsc --noEmit -p ${projectRoot}/tsconfig.json` },
      cache: true,
      inputs: ['default', '^production'],
    },
  };
}
