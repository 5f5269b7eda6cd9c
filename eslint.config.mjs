// Lint is where the architecture is enforced: who may import what (Nx tags) and which imports are
// too expensive (the @cdktf/provider-aws barrel loads ~2,100 modules per process).
import nx from '@nx/eslint-plugin';

const providerRootBan = {
  paths: [
    {
      name: '@cdktf/provider-aws',
      message:
        'import the resource module instead: @cdktf/provider-aws/lib/<resource> (the package root costs seconds and hundreds of MB per process)',
    },
    {
      name: '@cdktf/provider-aws/lib',
      message: 'import the resource module instead: @cdktf/provider-aws/lib/<resource>',
    },
  ],
};

const infraPackages = ['cdktf', 'cdktf/*', 'cdktf-cli', '@cdktf/*', 'constructs'];
const runtimePackages = ['@redis/*', '@aws-sdk/*', '@smithy/*', '@aws-crypto/*', 'cache-manager', 'keyv', '@keyv/*'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/node_modules', '**/dist', '**/cdktf.out', '**/.terraform', '**/coverage', 'tmp/**', '.nx/**'],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { 'no-restricted-imports': ['error', providerRootBan] },
  },
  {
    files: ['**/*.ts'],
    // `const { omitted, ...rest } = x` is how a field is left out of a copy; the name says which
    rules: { '@typescript-eslint/no-unused-vars': ['warn', { ignoreRestSiblings: true }] },
  },
  {
    // shipped source only: config files reach into the workspace root, and tests may use tools
    // (a real terraform run, a real redis-server) that shipped code must never depend on
    files: ['**/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // the contract is what both sides agree on: it depends on nothing at all
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [], bannedExternalImports: ['*'] },
            // runtime code ships inside Lambdas: never cdktf, constructs or provider bindings
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: ['type:contract', 'type:runtime'],
              bannedExternalImports: infraPackages,
            },
            // synthesized Terraform read as data (the stack model, access strings by meaning): no cdktf,
            // constructs or provider code and no runtime clients, so infra libs and tools can share it
            {
              sourceTag: 'type:analysis',
              onlyDependOnLibsWithTags: ['type:contract'],
              bannedExternalImports: [...infraPackages, ...runtimePackages],
            },
            // infrastructure code never pulls runtime clients
            {
              sourceTag: 'type:infra',
              onlyDependOnLibsWithTags: ['type:contract', 'type:infra', 'type:analysis'],
              bannedExternalImports: runtimePackages,
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contract', 'type:infra', 'type:runtime'] },
            // developer tools may drive runtime code (local runs) but never ship inside it; they may read
            // the environments list (type:config: data and checks, no constructs) to place a new service in
            // a cell, and synthesized stacks through the stack model (type:analysis)
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:contract', 'type:tool', 'type:runtime', 'type:config', 'type:analysis'],
            },
          ],
        },
      ],
    },
  },
  {
    // inside an app, the Lambda handler is runtime code: same ban as libs tagged type:runtime
    files: ['apps/**/src/handler/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...providerRootBan,
          patterns: [
            {
              group: infraPackages,
              message: 'handler code is bundled into the Lambda: it must not import cdktf, constructs or provider bindings',
            },
            {
              group: ['@cache-platform/cache-foundation', '@cache-platform/service-access', '@cache-platform/stack-base'],
              message: 'handler code must not import infrastructure libs',
            },
          ],
        },
      ],
    },
  },
  {
    // a service's stack extension (cache-service.json `stackExtension`) adds resources next to the
    // platform wiring; the wiring itself (provider, backend, user, secret) is the library's
    files: ['apps/**/src/stack.ts', 'apps/**/src/stack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...providerRootBan,
          patterns: [
            { group: runtimePackages, message: 'stack code must not import runtime clients' },
            {
              group: ['@cache-platform/cache-client', '@cache-platform/cache-client/*'],
              message: 'stack code must not import the runtime library',
            },
            {
              group: ['@cache-platform/stack-base'],
              message:
                'the service stack already configures the provider and state backend from cache-service.json: add resources, not wiring',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
