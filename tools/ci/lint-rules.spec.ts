// The architecture is enforced by lint, so the rules themselves are tested: each case lints a snippet
// as if it lived at a given path and expects the rule's message (or no error at all).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
// spelled in two parts so that greps for the banned import in this repository find only real uses
const PROVIDER_ROOT = '@cdktf/' + 'provider-aws';
const workspace = resolve(__dirname, '..', '..');

async function lint(path: string, code: string, args: string[] = []): Promise<string> {
  const eslint = resolve(workspace, 'node_modules', 'eslint', 'bin', 'eslint.js');
  try {
    const child = run(process.execPath, [eslint, ...args, '--stdin', '--stdin-filename', path], { cwd: workspace });
    child.child.stdin!.end(code);
    await child;
    return '';
  } catch (error) {
    return (error as { stdout?: string }).stdout ?? String(error);
  }
}

describe('workspace lint rules', () => {
  it.each([
    [
      'the provider package root anywhere',
      'libs/stack-base/src/x.ts',
      `import { AwsProvider } from '${PROVIDER_ROOT}';\nexport const x = AwsProvider;\n`,
      'import the resource module instead',
    ],
    [
      'cdktf in a Lambda handler',
      'apps/catalog-api/src/handler/x.ts',
      "import { App } from 'cdktf';\nexport const x = App;\n",
      'handler code is bundled into the Lambda',
    ],
    [
      'an infrastructure lib in a Lambda handler',
      'apps/catalog-api/src/handler/x.ts',
      "import { ServiceCacheAccess } from '@cache-platform/service-access';\nexport const x = ServiceCacheAccess;\n",
      'handler code must not import infrastructure libs',
    ],
    [
      'a runtime client in stack code',
      'apps/catalog-api/src/stack.ts',
      "import { createClient } from '@redis/client';\nexport const x = createClient;\n",
      'stack code must not import runtime clients',
    ],
    [
      'provider and backend wiring in a stack extension',
      'apps/catalog-api/src/stack.ts',
      "import { configureAwsStack } from '@cache-platform/stack-base';\nexport const x = configureAwsStack;\n",
      'the service stack already configures the provider',
    ],
    [
      'cdktf in the runtime library',
      'libs/cache-client/src/x.ts',
      "import { App } from 'cdktf';\nexport const x = App;\n",
      'A project tagged with "type:runtime" is not allowed to import "cdktf"',
    ],
    [
      'a runtime client in an infrastructure lib',
      'libs/service-access/src/x.ts',
      "import { createClient } from '@redis/client';\nexport const x = createClient;\n",
      'A project tagged with "type:infra" is not allowed to import "@redis/client"',
    ],
    [
      'any package in the contract',
      'libs/cache-contract/src/x.ts',
      "import { App } from 'cdktf';\nexport const x = App;\n",
      'A project tagged with "type:contract" is not allowed to import "cdktf"',
    ],
  ])(
    'refuses %s',
    async (_what, path, code, message) => {
      expect(await lint(path, code)).toContain(message);
    },
    60_000,
  );

  it('accepts a deep provider import in an infrastructure lib and the runtime library in a handler', async () => {
    expect(
      await lint(
        'libs/service-access/src/x.ts',
        "import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';\nexport const x = SsmParameter;\n",
      ),
    ).not.toMatch(/\berror\b/);
    expect(
      await lint(
        'apps/catalog-api/src/handler/x.ts',
        "import { createServiceCache } from '@cache-platform/cache-client';\nexport const x = createServiceCache;\n",
      ),
    ).not.toMatch(/\berror\b/);
  }, 60_000);

  it('fails on a warning: every lint target runs with the args nx.json gives lint targets', async () => {
    const nxJson = JSON.parse(readFileSync(resolve(workspace, 'nx.json'), 'utf8')) as {
      targetDefaults: { lint: { options: { args: string[] } } };
    };
    const { args } = nxJson.targetDefaults.lint.options;
    expect(args).toContain('--max-warnings=0');
    // a non-null assertion is a warning-level rule: with those args, it fails the run
    const nonNull = 'export const f = (a?: string) => a!.length;\n';
    expect(await lint('libs/stack-base/src/x.ts', nonNull)).toBe(''); // without them, a warning passes
    // lint() returns the report only when eslint exits non-zero
    expect(await lint('libs/stack-base/src/x.ts', nonNull, args)).toContain('@typescript-eslint/no-non-null-assertion');
    // an unused disable directive is reported too
    expect(await lint('libs/stack-base/src/x.ts', '// eslint-disable-next-line no-console\nexport const y = 1;\n', args)).toContain(
      'Unused eslint-disable directive',
    );
  }, 60_000);
});
