import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { checkTerraformVersion, parseTerraformVersion, terraformVersionFromOutput, terraformVersionProblem } from './index';

const WORKSPACE = resolve(__dirname, '..', '..', '..');

/** What `terraform version -json` prints (Terraform >= 0.13). */
const versionJson = (version: string) =>
  JSON.stringify({ terraform_version: version, platform: 'linux_amd64', provider_selections: {}, terraform_outdated: false }, null, 2);

describe('terraform version check', () => {
  it('refuses every 1.10.x and older, in one line naming the version found and the rule', () => {
    for (const version of ['1.10.0', '1.10.5', '1.9.8', '0.15.5']) {
      const problem = terraformVersionProblem(versionJson(version));
      expect(problem).toBe(
        `terraform ${version} is too old: the stacks need terraform >= 1.11 (write-only arguments such as secret_string_wo); install a newer one (https://developer.hashicorp.com/terraform/install)`,
      );
      expect(problem!.split('\n')).toHaveLength(1);
    }
  });

  it('accepts 1.11.0, 1.11.4 and later, and refuses a 1.11 pre-release (Terraform sorts it below 1.11.0)', () => {
    for (const version of ['1.11.0', '1.11.4', '1.12.1', '2.0.0']) expect(terraformVersionProblem(versionJson(version))).toBeUndefined();
    expect(terraformVersionProblem(versionJson('1.11.0-rc1'))).toMatch(/^terraform 1\.11\.0-rc1 is too old: /);
  });

  it('reads the plain output of a CLI too old for -json, and says so when it cannot read a version at all', () => {
    expect(terraformVersionFromOutput('Terraform v0.12.31\n\nYour version of Terraform is out of date!')).toMatchObject({
      major: 0,
      minor: 12,
      patch: 31,
    });
    expect(terraformVersionProblem('Terraform v0.12.31\n')).toMatch(/^terraform 0\.12\.31 is too old: /);
    expect(terraformVersionProblem('Usage: something else')).toBe(
      'cannot read the terraform version from "terraform version -json" (it printed "Usage: something else"): the stacks need terraform >= 1.11 (write-only arguments such as secret_string_wo)',
    );
    expect(terraformVersionProblem('{"terraform_version": 111}')).toMatch(/^cannot read the terraform version/);
  });

  it('parses versions as Terraform prints them', () => {
    expect(parseTerraformVersion('v1.11.4')).toEqual({ major: 1, minor: 11, patch: 4, text: '1.11.4' });
    expect(parseTerraformVersion('1.11')).toEqual({ major: 1, minor: 11, patch: 0, text: '1.11' });
    expect(parseTerraformVersion('1.12.0-alpha20250101')).toMatchObject({ prerelease: 'alpha20250101' });
    expect(parseTerraformVersion('1.x')).toBeUndefined();
  });

  it('accepts the Terraform installed here (1.11.4)', () => {
    const installed = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
    expect(installed.error).toBeUndefined();
    expect(terraformVersionFromOutput(installed.stdout)?.text).toBe('1.11.4');
    expect(checkTerraformVersion()).toBeUndefined();
  });

  describe('the tools stop before running Terraform 1.10', () => {
    let fakeBin: string;
    let env: NodeJS.ProcessEnv;
    beforeAll(() => {
      fakeBin = mkdtempSync(join(tmpdir(), 'fake-terraform-'));
      // answers `terraform version -json` as 1.10.5 does; anything else would be a test failure
      writeFileSync(
        join(fakeBin, 'terraform'),
        `#!/bin/sh\nif [ "$1" = version ]; then cat <<'EOF'\n${versionJson('1.10.5')}\nEOF\nexit 0; fi\necho "unexpected: terraform $*" >&2; exit 99\n`,
      );
      chmodSync(join(fakeBin, 'terraform'), 0o755);
      env = { ...process.env, PATH: `${fakeBin}${delimiter}${process.env['PATH']}`, CACHE_PLATFORM_ENVIRONMENTS: 'dev' };
      delete env['NX_VERBOSE_LOGGING'];
    });
    afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

    const tooOld = /^terraform 1\.10\.5 is too old: the stacks need terraform >= 1\.11 /;

    it('checkTerraformVersion reads the CLI on PATH', () => {
      expect(checkTerraformVersion(env)).toMatch(tooOld);
    });

    it('validate prints one line and exits 1', () => {
      // a scratch app with one synthesized stack, so that only the version can stop it
      const app = mkdtempSync(join(tmpdir(), 'validate-app-'));
      try {
        const stack = join(app, 'cdktf.out', 'stacks', 'x');
        mkdirSync(stack, { recursive: true });
        writeFileSync(join(stack, 'cdk.tf.json'), '{}');
        const run = spawnSync(process.execPath, [join(WORKSPACE, 'tools/terraform/bin/validate.cjs'), app], { env, encoding: 'utf8' });
        expect(run.status).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toMatch(tooOld);
      } finally {
        rmSync(app, { recursive: true, force: true });
      }
    }, 60_000);

    it('the cdktf wrapper refuses diff and deploy in one line, before cdktf starts', () => {
      const wrapper = join(WORKSPACE, 'tools/terraform/bin/cdktf.cjs');
      for (const args of [['diff'], ['deploy', '*', '--auto-approve']]) {
        const run = spawnSync(process.execPath, [wrapper, ...args], { cwd: join(WORKSPACE, 'apps', 'platform'), env, encoding: 'utf8' });
        expect(run.status).toBe(1);
        expect(`${run.stdout}${run.stderr}`.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toMatch(tooOld);
      }
    }, 60_000);
  });
});
