import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertStateAllowed, ENVIRONMENTS, selectEnvironments, type Environment } from '@cache-platform/platform-environments';
import { CdktfOutputCondenser, CondenserState, parseWrapperArgs, preflightProblem, stripAnsi } from './cdktf-cli';

const WORKSPACE = join(__dirname, '..', '..', '..');
const WRAPPER = join(__dirname, '..', 'bin', 'cdktf.cjs');
const FIXTURES = join(__dirname, '..', 'test', 'fixtures');
const KNOWN = ENVIRONMENTS.map((e) => e.name);
const checkSelection = { select: (env: NodeJS.ProcessEnv) => selectEnvironments({ env }), assertStateAllowed };
// the environments without a protected one lacking remote state: those a deploy may act on from a fresh clone
const DEPLOYABLE = ENVIRONMENTS.filter((e) => !e.protected || e.stateBucket).map((e) => e.name);
// a Node stack frame, as printed for an uncaught error
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

/** Runs the wrapper as `nx run <app>:diff` does; stdout and stderr together, without colours. */
function runWrapper(cwd: string, args: string[], environments: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, CACHE_PLATFORM_ENVIRONMENTS: environments, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env['NX_VERBOSE_LOGGING'];
  const result = spawnSync(process.execPath, [WRAPPER, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: stripAnsi(`${result.stdout}\n${result.stderr}`) };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Feeds recorded cdktf output through the two condensers the way the wrapper does. */
function condense(stdout: string, stderr: string): string {
  const state = new CondenserState();
  const out = new CdktfOutputCondenser(state);
  const err = new CdktfOutputCondenser(state);
  // in small chunks, as a pipe delivers them
  const chunks = (text: string) => text.match(/[\s\S]{1,97}/g) ?? [];
  let printed = chunks(stdout)
    .map((c) => out.push(c))
    .join('');
  printed += chunks(stderr)
    .map((c) => err.push(c))
    .join('');
  printed += err.end() + out.end() + state.releaseLogEntries();
  return stripAnsi(printed);
}

describe('cdktf wrapper: environment selection', () => {
  it('reports an environment the platform does not define once, in one line, without a stack trace', () => {
    const { status, output } = runWrapper(join(WORKSPACE, 'apps', 'platform'), ['diff'], 'staging');
    const message = `invalid CACHE_PLATFORM_ENVIRONMENTS "staging": unknown environment(s) staging; the platform defines ${KNOWN.join(', ')}`;
    expect(KNOWN).not.toContain('staging');
    expect(status).toBe(1);
    expect(occurrences(output, message)).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain('cdktf encountered an error');
  }, 60_000);

  it('still refuses to diff, deploy or destroy every environment', () => {
    expect(preflightProblem('deploy', {}, checkSelection)).toMatch(
      /^refusing to deploy every environment: set CACHE_PLATFORM_ENVIRONMENTS=/,
    );
    expect(preflightProblem('deploy', { CACHE_PLATFORM_ENVIRONMENTS: ' , ' }, checkSelection)).toMatch(
      /^refusing to deploy every environment/,
    );
    expect(preflightProblem('synth', {}, checkSelection)).toBeUndefined();
  });

  it('names every unknown environment, as the apps themselves would, and accepts known ones', () => {
    expect(preflightProblem('diff', { CACHE_PLATFORM_ENVIRONMENTS: `${KNOWN[0]}, qa,staging` }, checkSelection)).toBe(
      `invalid CACHE_PLATFORM_ENVIRONMENTS "${KNOWN[0]}, qa,staging": unknown environment(s) qa, staging; the platform defines ${KNOWN.join(', ')}`,
    );
    expect(preflightProblem('deploy', { CACHE_PLATFORM_ENVIRONMENTS: DEPLOYABLE.join(',') }, checkSelection)).toBeUndefined();
    // commands that do not synthesize do not read the selection
    expect(preflightProblem('get', { CACHE_PLATFORM_ENVIRONMENTS: 'qa' }, checkSelection)).toBeUndefined();
  });

  it('refuses to diff, deploy or destroy a protected environment with local state, before cdktf starts, and says why', () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    // what a fresh clone has: prod is protected and has no bucket until a team sets one
    expect(prod).toMatchObject({ protected: true });
    expect(prod.stateBucket).toBeUndefined();
    const { status, output } = runWrapper(join(WORKSPACE, 'apps', 'platform'), ['deploy', '*', '--auto-approve'], 'prod');
    expect(status).toBe(1);
    expect(output.trim()).toBe(
      'invalid environment "prod": refusing to deploy a protected environment with local state: its Terraform state holds service passwords; set stateBucket (an encrypted, versioned S3 bucket) for prod in libs/platform-environments/src/environments.ts',
    );
    // that one line is all: cdktf never started (no synth, no provider, no AWS call)
    for (const command of ['diff', 'destroy']) {
      expect(preflightProblem(command, { CACHE_PLATFORM_ENVIRONMENTS: 'dev,prod' }, checkSelection)).toMatch(
        new RegExp(`refusing to ${command} a protected environment with local state`),
      );
    }
    // synth and validate stay allowed: they write no state
    expect(preflightProblem('synth', { CACHE_PLATFORM_ENVIRONMENTS: 'prod' }, checkSelection)).toBeUndefined();
    // with a bucket, protected is fine
    const withBucket: Environment = { ...prod, stateBucket: { bucket: 'team-state' } };
    expect(() => assertStateAllowed(withBucket, 'deploy')).not.toThrow();
  }, 60_000);

  // any error thrown while the app synthesizes (here: a manifest with a bad service name)
  it('condenses a synth error of the app into one line without a stack trace', () => {
    const { status, output } = runWrapper(join(FIXTURES, 'failing-synth-app'), ['diff'], 'dev');
    const message = 'apps/orders-api/cache-service.json: invalid service name "Orders_API": must be lower case';
    expect(status).toBe(1);
    expect(occurrences(output, message)).toBe(1);
    expect(output).toMatch(
      /^cdktf synth failed: apps\/orders-api\/cache-service.json: invalid service name "Orders_API": .* \(--verbose shows cdktf's full output\)$/m,
    );
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain('cdktf encountered an error');
  }, 120_000);

  it('shows cdktf its full output with --verbose', () => {
    const { status, output } = runWrapper(join(FIXTURES, 'failing-synth-app'), ['diff', '--verbose'], 'dev');
    expect(status).toBe(1);
    expect(output).toContain('cdktf encountered an error while synthesizing');
    expect(output).toMatch(STACK_FRAME);
  }, 120_000);
});

describe('cdktf wrapper: arguments', () => {
  it('takes --verbose for itself and never passes it to cdktf', () => {
    expect(parseWrapperArgs(['deploy', '*', '--verbose', '--auto-approve'], {})).toMatchObject({
      args: ['deploy', '*', '--auto-approve', '--skip-provider-lock'],
      verbose: true,
    });
    expect(parseWrapperArgs(['synth'], {})).toEqual({ args: ['synth'], verbose: false, firstDeploy: false, help: false });
  });

  it("skips cdktf's registry-only provider-lock step for every command that has it, whatever the caller passed", () => {
    for (const command of ['deploy', 'destroy', 'diff', 'output']) {
      expect(parseWrapperArgs([command], {}).args).toEqual([command, '--skip-provider-lock']);
      expect(parseWrapperArgs([command, '--skip-provider-lock'], {}).args).toEqual([command, '--skip-provider-lock']);
    }
    // cdktf synth and list have no such option, and would refuse it
    expect(parseWrapperArgs(['synth'], {}).args).toEqual(['synth']);
    expect(parseWrapperArgs(['list'], {}).args).toEqual(['list']);
  });

  it("reads what the nx target's synth dependency wrote (--skip-synth) for diff and deploy run as that target, and synthesizes anywhere else", () => {
    for (const command of ['diff', 'deploy']) {
      // `nx run <app>:diff` / `:deploy`: their synth (which runs the policy pack) has just written cdktf.out
      expect(parseWrapperArgs([command], { NX_TASK_TARGET_TARGET: command }).args).toEqual([
        command,
        '--skip-provider-lock',
        '--skip-synth',
      ]);
      expect(parseWrapperArgs([command, '--skip-synth'], { NX_TASK_TARGET_TARGET: command }).args).toEqual([
        command,
        '--skip-synth',
        '--skip-provider-lock',
      ]);
      // run by hand, or by another target: cdktf.out may be stale, so cdktf synthesizes
      expect(parseWrapperArgs([command], {}).args).not.toContain('--skip-synth');
      expect(parseWrapperArgs([command], { NX_TASK_TARGET_TARGET: 'validate' }).args).not.toContain('--skip-synth');
    }
    // destroy depends on no synth: a stale cdktf.out must never choose what is destroyed
    expect(parseWrapperArgs(['destroy', '*'], { NX_TASK_TARGET_TARGET: 'destroy' }).args).not.toContain('--skip-synth');
  });

  it('takes --first-deploy for itself', () => {
    expect(parseWrapperArgs(['deploy', '*', '--first-deploy'], {})).toMatchObject({
      args: ['deploy', '*', '--skip-provider-lock'],
      firstDeploy: true,
    });
  });

  it('is verbose under `nx ... --verbose`', () => {
    expect(parseWrapperArgs(['diff'], { NX_VERBOSE_LOGGING: 'true' }).verbose).toBe(true);
  });
});

describe('cdktf output condenser', () => {
  // recorded from `cdktf diff` of platform-dev without AWS credentials (cdktf 0.21.0, hashicorp/aws
  // 5.100.0): the logger's copy of the provider error, the UI's copy, then cdktf's own summary on stderr
  const stdout = readFileSync(join(FIXTURES, 'cdktf-diff-no-credentials.stdout.txt'), 'utf8');
  const stderr = readFileSync(join(FIXTURES, 'cdktf-diff-no-credentials.stderr.txt'), 'utf8');

  it('reports missing AWS credentials once, in one line naming the stack, without the credential-chain details', () => {
    const output = condense(stdout, stderr);
    expect(stripAnsi(stdout)).toContain('No valid credential sources found');
    const lines = output.split('\n').filter((l) => l.includes('credentials'));
    expect(lines).toEqual([expect.stringMatching(/^platform-dev: no AWS credentials found: sign in .*AWS_PROFILE.*AWS_ACCESS_KEY_ID/)]);
    expect(output).not.toContain('IMDS');
    expect(output).not.toContain('[ERROR]');
    expect(output).not.toContain('Please check the logs');
    // the rest of the run is still shown
    expect(output).toContain('platform-dev  Planning failed.');
    // terraform init's progress before it is folded away: init succeeded, the credentials line says what failed
    expect(stripAnsi(stdout)).toContain('Terraform has been successfully initialized!');
    expect(output).not.toMatch(/Initializing|successfully initialized|previously-installed/);
  });

  it('reports an unreachable registry in one line naming the stack, the provider and the mirror setting, without init noise', () => {
    // recorded: `cdktf diff` of platform-dev offline, with no provider mirror and an empty plugin cache
    const output = condense(
      readFileSync(join(FIXTURES, 'cdktf-diff-registry-unreachable.stdout.txt'), 'utf8'),
      readFileSync(join(FIXTURES, 'cdktf-diff-registry-unreachable.stderr.txt'), 'utf8'),
    );
    const lines = output.split('\n').filter((l) => /\w/.test(l) && !/^[\u2800-\u28ff] /.test(l));
    expect(lines).toEqual([
      expect.stringMatching(
        /^platform-dev: terraform cannot reach registry.terraform.io to install hashicorp\/aws 5\.100\.0: .*CACHE_PLATFORM_TF_MIRROR=.* \(--verbose shows cdktf's full output\)$/,
      ),
    ]);
  });

  it("folds the provider-lock step's registry failure and the init before it into one line", () => {
    // recorded: `deploy` of platform-dev offline with a mirror, before the wrapper skipped the lock step
    const output = condense(readFileSync(join(FIXTURES, 'cdktf-deploy-provider-lock-offline.stdout.txt'), 'utf8'), '');
    const lines = output.split('\n').filter((l) => /\w/.test(l) && !/Stacks? (?:deploying|done|waiting)/.test(l));
    expect(lines).toEqual([expect.stringMatching(/^platform-dev: terraform cannot reach registry.terraform.io to install /)]);
    expect(output).not.toContain('Incomplete lock file information');
  });

  it('passes a Terraform error through unchanged, once', () => {
    const box = [
      'platform-dev  ╷',
      '              │ Error: Invalid provider configuration',
      '              │ ',
      '              │ Region is required',
      '              ╵',
    ];
    const logged = [
      '[2026-12-01T16:43:44.277] [ERROR] default - ╷',
      '│ Error: Invalid provider configuration',
      '│ ',
      '│ Region is required',
      '╵',
      '',
    ];
    const output = condense([...logged, ...box, ''].join('\n'), '');
    expect(occurrences(output, 'Error: Invalid provider configuration')).toBe(1);
    expect(output).toContain(box.join('\n'));
  });

  it('never drops a logger entry that says something the rest of the output does not', () => {
    const output = condense(
      ['[2026-12-01T16:43:44.277] [ERROR] default - something only the log says', '⠋  Processing', ''].join('\n'),
      '',
    );
    expect(output).toContain('[ERROR] default - something only the log says');
    expect(output).toContain('⠋  Processing');
  });

  it('leaves a synth error it cannot parse as it is', () => {
    const text = [
      'ERROR: cdktf encountered an error while synthesizing',
      '',
      'Synth command: node main.js',
      'Error:         killed',
      '',
    ].join('\n');
    expect(condense('', text)).toBe(text);
  });

  it('prints an unfinished line (a prompt) when asked, but not in the middle of a diagnostic', () => {
    const condenser = new CdktfOutputCondenser();
    expect(condenser.push('Approve? ')).toBe('');
    expect(condenser.flushPartial()).toBe('Approve? ');
    expect(condenser.push('\nplatform-dev  ╷\n  │ Error: x')).toBe('\n');
    expect(condenser.flushPartial()).toBe('');
  });
});
