import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ENVIRONMENTS_ENV_VAR, selectedEnvironmentNames } from '@cache-platform/cache-contract';
import { awsProviderRequirement } from './mirror';
import { FIRST_DEPLOY_FLAG, stateProblem, type GuardedApp } from './state-guard';
import { terraformEnv } from './terraform';

/**
 * The `cdktf` wrapper used by every app's diff/deploy/destroy target.
 *
 * cdktf 0.21 reports one failure several times: its logger prints Terraform's and the synth command's
 * stderr at ERROR level, and its UI prints the same text again (with full Node stack traces for a synth
 * error, and the provider's whole credential-chain report for missing AWS credentials). By default the
 * wrapper drops the logger's copies and condenses the failures a newcomer meets first into one line each;
 * `--verbose` (or `nx ... --verbose`, which sets NX_VERBOSE_LOGGING) passes cdktf's output through untouched.
 */

export { ENVIRONMENTS_ENV_VAR };
/** The wrapper's own flag; never passed on to cdktf. */
export const VERBOSE_FLAG = '--verbose';
/** Commands that act on real environments: refused without an explicit environment selection. */
export const GUARDED_COMMANDS: readonly string[] = ['deploy', 'destroy', 'diff'];
/** Commands that run the app (synthesize), and so read the environment selection. */
export const SYNTHESIZING_COMMANDS: readonly string[] = [
  'synth',
  'diff',
  'plan',
  'deploy',
  'apply',
  'destroy',
  'output',
  'outputs',
  'list',
  'watch',
];

/** Commands that run the Terraform CLI: the wrapper checks its version first (see ./version.ts). */
export const TERRAFORM_COMMANDS: readonly string[] = ['diff', 'plan', 'deploy', 'apply', 'destroy', 'output', 'outputs', 'watch'];

const HINT = `(${VERBOSE_FLAG} shows cdktf's full output)`;

/**
 * Commands whose cdktf step runs `terraform providers lock` when a stack has no lock file yet. That step
 * always asks the public registry (it ignores filesystem mirrors), so offline it fails after a full
 * init. The wrapper skips it for every stack of every run: the lock file lives in cdktf.out and is never
 * committed, and `terraform init` still writes one for the provider it installed (mirror or registry).
 */
export const PROVIDER_LOCK_COMMANDS: readonly string[] = ['deploy', 'destroy', 'diff', 'output'];
export const SKIP_PROVIDER_LOCK_FLAG = '--skip-provider-lock';

/**
 * The nx targets that run the wrapper after their own `synth` dependency (`dependsOn: ['synth']` in
 * tools/nx-plugin/plugin.cjs for every service, and in apps/platform/project.json; the nx-plugin's
 * plugin.spec checks both). Run as one of them (nx sets NX_TASK_TARGET_TARGET), cdktf reads what that
 * synth wrote (`--skip-synth`) instead of synthesizing a second time through cdktf.json's `app`.
 * Anywhere else (cdktf or the wrapper run by hand, `destroy`) cdktf synthesizes as usual.
 */
export const SYNTHESIZED_BY_NX_TARGETS: readonly string[] = ['diff', 'deploy'];
export const SKIP_SYNTH_FLAG = '--skip-synth';

export interface WrapperArgs {
  /** arguments for cdktf, without the wrapper's own flags */
  readonly args: readonly string[];
  readonly verbose: boolean;
  /** FIRST_DEPLOY_FLAG: deploy may create stacks whose local state does not exist yet */
  readonly firstDeploy: boolean;
  readonly help: boolean;
}

export function parseWrapperArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): WrapperArgs {
  const own = [VERBOSE_FLAG, FIRST_DEPLOY_FLAG];
  const args = argv.filter((a) => !own.includes(a));
  const command = args[0] ?? '';
  if (PROVIDER_LOCK_COMMANDS.includes(command) && !args.includes(SKIP_PROVIDER_LOCK_FLAG)) args.push(SKIP_PROVIDER_LOCK_FLAG);
  const synthesizedByNx = SYNTHESIZED_BY_NX_TARGETS.includes(command) && env['NX_TASK_TARGET_TARGET'] === command;
  if (synthesizedByNx && !args.includes(SKIP_SYNTH_FLAG)) args.push(SKIP_SYNTH_FLAG);
  return {
    args,
    verbose: argv.includes(VERBOSE_FLAG) || env['NX_VERBOSE_LOGGING'] === 'true',
    firstDeploy: argv.includes(FIRST_DEPLOY_FLAG),
    help: argv.includes('--help') || argv.includes('-h'),
  };
}

export const WRAPPER_USAGE = [
  'usage (from an app folder): cdktf.cjs <synth|diff|deploy|destroy|output|list> [cdktf args...] [--verbose] [--first-deploy]',
  '',
  `  ${ENVIRONMENTS_ENV_VAR}=<env>[,<env>]  the environments to act on (required for diff, deploy, destroy)`,
  "  --verbose        cdktf's full output instead of one line per failure",
  `  ${FIRST_DEPLOY_FLAG}   deploy may create stacks whose local state file does not exist yet`,
  '',
  'Runs the cdktf CLI with the Terraform settings of validate (provider mirror, plugin cache), skips',
  "cdktf's registry-only provider-lock step, and refuses what would harm real resources: every",
  'environment at once, unknown environments, protected environments with local state, a deploy or',
  'destroy whose local state file is missing, and a platform destroy while service stacks remain.',
  'Run as the nx diff or deploy target, cdktf reads what the synth that target depends on wrote (--skip-synth).',
  "cdktf.cjs <command> --help shows the cdktf command's own options.",
].join('\n');

/**
 * The checks of libs/platform-environments the wrapper runs. bin/cdktf.cjs passes the real ones; they
 * are parameters so the specs can drive every refusal without the workspace's environment list.
 */
export interface SelectionChecks<E> {
  /** `selectEnvironments`: throws, naming the known environments, when CACHE_PLATFORM_ENVIRONMENTS names one the platform does not define */
  select(env: NodeJS.ProcessEnv): readonly E[];
  /** `assertStateAllowed`: throws when `command` would act on a protected environment with local state */
  assertStateAllowed(environment: E, command: string): void;
}

/**
 * Why the wrapper refuses to start cdktf, or undefined. Checked before cdktf starts, so a typo in the
 * environment costs one line and no synth, and a protected environment without remote state is
 * refused before any AWS call.
 */
export function preflightProblem<E>(command: string, env: NodeJS.ProcessEnv, checks: SelectionChecks<E>): string | undefined {
  if (GUARDED_COMMANDS.includes(command) && selectedEnvironmentNames(env).length === 0) {
    return `refusing to ${command} every environment: set ${ENVIRONMENTS_ENV_VAR}=<env>[,<env>] to choose (e.g. ${ENVIRONMENTS_ENV_VAR}=dev)`;
  }
  if (!SYNTHESIZING_COMMANDS.includes(command)) return undefined;
  try {
    const selected = checks.select(env);
    if (GUARDED_COMMANDS.includes(command)) for (const environment of selected) checks.assertStateAllowed(environment, command);
    return undefined;
  } catch (error) {
    // the check's own message, without its stack: that is the one line this is for
    return error instanceof Error ? error.message : String(error);
  }
}

/** The checks of libs/platform-environments that protect real resources (parameters, as above). */
export interface ResourceChecks<E> {
  select(env: NodeJS.ProcessEnv): readonly E[];
  /** `assertEnvironmentNetwork(e, { deploy: true })`: throws on the sample VPC and subnet ids */
  assertDeployable(environment: E): void;
  /** `appStacks` for the app folder: the stacks (and their state files) a deploy or destroy would use */
  appStacks(env: NodeJS.ProcessEnv): GuardedApp;
  /** the run's FIRST_DEPLOY_FLAG */
  readonly firstDeploy?: boolean;
  /** state paths are shown relative to this folder (the workspace root) */
  readonly root?: string;
}

/**
 * Why a deploy or destroy must not start, or undefined: a deploy onto the sample network ids, a deploy
 * or destroy whose local state file is missing, a platform destroy while service stacks remain (see
 * ./state-guard.ts). Checked after `preflightProblem` and the Terraform version, before cdktf starts.
 * `diff` is not refused: it only reads, and shows a missing state as everything to create.
 */
export function resourceProblem<E>(command: string, env: NodeJS.ProcessEnv, checks: ResourceChecks<E>): string | undefined {
  if (command !== 'deploy' && command !== 'destroy') return undefined;
  try {
    if (command === 'deploy') for (const environment of checks.select(env)) checks.assertDeployable(environment);
    return stateProblem(command, checks.appStacks(env), { firstDeploy: checks.firstDeploy, root: checks.root });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
// cursor movement and line erasing that ink writes before a frame: kept when a line is replaced, so the
// spinner above it is still cleared
// eslint-disable-next-line no-control-regex
const CURSOR_PREFIX = /^(?:\x1b\[[0-9;]*[ABCDEFGHJK])+/;
// cdktf's logger (log4js): `[2026-12-01T16:43:15.545] [ERROR] default - <message>`, continued on later lines
const LOG_ENTRY = /^\[\d{4}-\d\d-\d\dT[\d:.]+\] \[([A-Z]+)\] \S+ - /;
const SPINNER = /^[\u2800-\u28ff] /;
const UI_STACK_LINE = /^[\w-]+ {2,}\S/;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A line as it reads in any of cdktf's copies: no colours, no logger or `<stack>  ` prefix, no indent. */
function normalise(line: string): string {
  return stripAnsi(line)
    .replace(LOG_ENTRY, '')
    .replace(UI_STACK_LINE, (prefixed) => prefixed.slice(-1))
    .trim();
}

const SYNTH_FAILED = 'ERROR: cdktf encountered an error while synthesizing';
const STDERR_SECTION = 'Command output on stderr:';
// `Error: ...`, `TypeError: ...`, `Error [ERR_X]: ...`, `ContractViolation: ...` as Node prints an uncaught error
const THROWN = /^\s*(?:[A-Z]\w*)?(?:Error|Violation|Exception)(?: \[[A-Z0-9_]+\])?: (.+)$/;
const NO_CREDENTIALS = 'No valid credential sources found';
const STACK_FAILED = /^Error: External Error: Stack failed to (?:plan|deploy|destroy): ([\w-]+)\./;
// a Terraform diagnostic box, as cdktf's UI prints it: `<stack>  ╷` ... `│ Error: <summary>` ... `╵`
const BOX_START = /^(?:([\w-]+) {2,})?\s*╷\s*$/;
const BOX_END = /^\s*╵\s*$/;
const MAX_HELD_LINES = 400;
// `terraform init` progress, as cdktf prints it for every stack before the plan: held, and dropped once
// init succeeds (its one useful outcome, the installed provider, is implied by what follows)
const INIT_START = /^Initializing (?:the backend|modules|provider plugins)\.\.\.$/;
const INIT_DONE = 'Terraform has been successfully initialized!';
const BOX_ERROR = /^│\s*Error: /;
// Terraform could not reach the registry (offline, a proxy, DNS): the box names registry.terraform.io
const REGISTRY_UNREACHABLE =
  /could not connect to registry\.terraform\.io|registry\.terraform\.io.*(?:dial tcp|no such host|i\/o timeout|connection refused|TLS handshake)/s;
// cdktf's closing line after a stack failed; said already when the failure was reported in one line
const CLI_FAILED = /^(?:Invoking Terraform CLI failed|Error: terraform init failed) with exit code \d+$/;

/** What the stdout and stderr condensers share. */
export class CondenserState {
  /** every line cdktf printed outside its logger, normalised: a logger entry made only of these is a copy */
  readonly seen = new Set<string>();
  /** stacks whose failure (missing credentials, an unreachable registry) was reported in one line */
  readonly credentialsReported = new Set<string>();
  /** logger entries (ERROR/WARN), held until the end to drop those that only repeat other output */
  readonly logEntries: string[][] = [];

  /** The held logger entries that said something the rest of the output did not; call once, at the very end. */
  releaseLogEntries(): string {
    const unique = this.logEntries.filter((entry) => entry.map(normalise).some((line) => line !== '' && !this.seen.has(line)));
    this.logEntries.length = 0;
    return unique.map((entry) => entry.map((l) => `${l}\n`).join('')).join('');
  }
}

/**
 * Rewrites one of cdktf's output streams a line at a time, so that each failure is reported once, and the
 * failures a newcomer meets first in one line: a synth error (e.g. an environment the app does not
 * define: no stack trace) and missing AWS credentials (no credential-chain report). cdktf's logger
 * repeats what its UI and stderr already show (CDKTF_LOG_LEVEL cannot silence it in 0.21: the log4js
 * configuration resets the level), so its ERROR/WARN entries are held and dropped when they are copies.
 * Everything else passes through unchanged, and an error it cannot parse is never hidden.
 */
export class CdktfOutputCondenser {
  private pending = '';
  private box: string[] | undefined;
  private logEntry: string[] | undefined;
  private synthError: string[] | undefined;
  private init: string[] | undefined;
  /** the stack cdktf's UI last named: a diagnostic inside `terraform init` output comes without its prefix */
  private lastStack = '';

  constructor(private readonly state: CondenserState = new CondenserState()) {}

  /** Feeds a chunk; returns what to print now (complete lines only). */
  push(chunk: string): string {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((line) => this.line(line)).join('');
  }

  /**
   * The incomplete last line, when it can be printed before its newline arrives (an interactive prompt
   * has none); empty while a diagnostic or a synth error is being collected.
   */
  flushPartial(): string {
    if (this.box || this.synthError || this.init || this.pending === '') return '';
    const text = this.pending;
    this.pending = '';
    this.state.seen.add(normalise(text));
    return text;
  }

  /** End of this stream: returns whatever is left, condensed where possible. */
  end(): string {
    let out = '';
    if (this.pending !== '') {
      out += this.line(this.pending).replace(/\n$/, '');
      this.pending = '';
    }
    this.closeLogEntry();
    if (this.init) out += this.releaseInit();
    if (this.box) out += this.releaseBox();
    if (this.synthError) out += this.condenseSynthError(this.synthError);
    this.synthError = undefined;
    return out;
  }

  private line(raw: string): string {
    const plain = stripAnsi(raw);
    const level = plain.match(LOG_ENTRY)?.[1];
    if (this.logEntry) {
      // an entry runs until cdktf's UI writes again: a new frame, a spinner, a `<stack>  ` line or another entry
      const ui = CURSOR_PREFIX.test(raw) || SPINNER.test(plain) || UI_STACK_LINE.test(plain);
      const continues = !level && !ui && this.logEntry.length < MAX_HELD_LINES;
      if (continues) {
        this.logEntry.push(raw);
        return '';
      }
      this.closeLogEntry();
    }
    if (level === 'ERROR' || level === 'WARN') {
      this.logEntry = [raw];
      return '';
    }
    this.state.seen.add(normalise(raw));
    const named = plain.match(/^([\w-]+) {2,}\S/)?.[1];
    if (named) this.lastStack = named;
    if (this.synthError) {
      this.synthError.push(raw);
      return '';
    }
    if (plain.trim() === SYNTH_FAILED) {
      this.synthError = [raw];
      return '';
    }
    if (this.init) return this.initLine(raw);
    if (INIT_START.test(normalise(raw)) && !this.box) {
      this.init = [raw];
      return '';
    }
    if (CLI_FAILED.test(plain.trim()) && this.state.credentialsReported.size > 0) return '';
    const stackFailed = plain.match(STACK_FAILED);
    // the one-line credentials message already said why; "check the logs" would send them nowhere
    if (stackFailed && this.state.credentialsReported.has(stackFailed[1] ?? '')) return '';
    if (this.box) {
      this.box.push(raw);
      if (BOX_END.test(plain)) return this.closeBox();
      if (this.box.length > MAX_HELD_LINES) return this.releaseBox();
      return '';
    }
    if (BOX_START.test(plain)) {
      this.box = [raw];
      return '';
    }
    return `${raw}\n`;
  }

  /** A line while `terraform init` runs: held; dropped on success; on an error, only the error box is kept. */
  private initLine(raw: string): string {
    const held = this.init ?? [];
    const line = normalise(raw);
    if (line === INIT_DONE) {
      this.init = undefined;
      return '';
    }
    if (BOX_ERROR.test(line)) {
      // the box this error opens: from its last `╷` (the progress and warnings before it are init noise)
      const start = held.map((l) => BOX_START.test(stripAnsi(l))).lastIndexOf(true);
      this.init = undefined;
      return [...(start >= 0 ? held.slice(start) : []), raw].map((l) => this.line(l)).join('');
    }
    held.push(raw);
    return held.length > MAX_HELD_LINES ? this.releaseInit() : '';
  }

  private releaseInit(): string {
    const held = this.init ?? [];
    this.init = undefined;
    return held.map((l) => `${l}\n`).join('');
  }

  private closeLogEntry(): void {
    if (this.logEntry) this.state.logEntries.push(this.logEntry);
    this.logEntry = undefined;
  }

  private closeBox(): string {
    const box = this.box ?? [];
    this.box = undefined;
    const first = box[0] ?? '';
    const stack = stripAnsi(first).match(BOX_START)?.[1] ?? this.lastStack;
    const summary = box
      .map((l) => stripAnsi(l).replace(/^\s*│\s?/, ''))
      .find((l) => l.startsWith('Error: '))
      ?.slice('Error: '.length)
      .trim();
    const text = box.map((l) => stripAnsi(l).replace(/^\s*│\s?/, '')).join(' ');
    const registry = summary !== undefined && REGISTRY_UNREACHABLE.test(text);
    if (summary !== NO_CREDENTIALS && !registry) return box.map((l) => `${l}\n`).join('');
    const alreadyReported = this.state.credentialsReported.has(stack);
    this.state.credentialsReported.add(stack);
    if (alreadyReported) return '';
    const prefix = first.match(CURSOR_PREFIX)?.[0] ?? '';
    const where = stack ? `${stack}: ` : '';
    if (registry) {
      const { source, version } = awsProviderRequirement();
      const provider = source.replace(/^registry\.terraform\.io\//, '');
      return (
        `${prefix}${where}terraform cannot reach registry.terraform.io to install ${provider} ${version}: connect to the internet, ` +
        `or put a filesystem mirror holding it where the wrapper finds one (CACHE_PLATFORM_TF_MIRROR=/path; README, Prerequisites) ${HINT}\n`
      );
    }
    return (
      `${prefix}${where}no AWS credentials found: sign in (e.g. aws sso login --profile <profile>, then AWS_PROFILE=<profile>) ` +
      `or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run this again ${HINT}\n`
    );
  }

  private releaseBox(): string {
    const box = this.box ?? [];
    this.box = undefined;
    return box.map((l) => `${l}\n`).join('');
  }

  private condenseSynthError(lines: readonly string[]): string {
    const plain = lines.map(stripAnsi);
    const section = plain.findIndex((l) => l.trim() === STDERR_SECTION);
    const message = plain
      .slice(section + 1)
      .map((l) => l.match(THROWN)?.[1])
      .find((m) => m !== undefined);
    if (section < 0 || !message) return lines.map((l) => `${l}\n`).join('');
    return `cdktf synth failed: ${message.trim()} ${HINT}\n`;
  }
}

export interface RunCdktfOptions {
  /** folder of the cdktf app (holds cdktf.json) */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly verbose?: boolean;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

/** Path of the cdktf CLI entry point of the pinned cdktf-cli. */
export function cdktfCliPath(): string {
  return join(require.resolve('cdktf-cli/package.json'), '..', 'bundle', 'bin', 'cdktf');
}

/** Runs the cdktf CLI with the Terraform environment of `validate`; resolves with its exit code. */
export function runCdktf(args: readonly string[], options: RunCdktfOptions = {}): Promise<number> {
  const env = { ...terraformEnv({ baseEnv: options.env ?? process.env }) };
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  return new Promise((resolvePromise, reject) => {
    // stdin stays the terminal: `deploy` without --auto-approve asks for approval there
    const child = spawn(process.execPath, [cdktfCliPath(), ...args], {
      cwd: options.cwd,
      env,
      stdio: options.verbose ? 'inherit' : ['inherit', 'pipe', 'pipe'],
    });
    const release = outliveSignals(child);
    let finish = (code: number) => resolvePromise(code);
    if (child.stdout && child.stderr) {
      const state = new CondenserState();
      const endOut = condense(child.stdout, out, state);
      const endErr = condense(child.stderr, err, state);
      finish = (code) => {
        // stderr first: a synth error there is what makes the logger's copy on stdout redundant
        endErr();
        endOut();
        out.write(state.releaseLogEntries());
        resolvePromise(code);
      };
    }
    child.on('error', (error) => {
      release();
      reject(error);
    });
    child.on('close', (code) => {
      release();
      finish(code ?? 1);
    });
  });
}

/** Pipes one of cdktf's streams through a condenser; returns the function to call once cdktf has exited. */
function condense(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, state: CondenserState): () => void {
  const condenser = new CdktfOutputCondenser(state);
  let timer: NodeJS.Timeout | undefined;
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    to.write(condenser.push(chunk));
    // a prompt ends without a newline: print it if nothing follows soon
    clearTimeout(timer);
    timer = setTimeout(() => to.write(condenser.flushPartial()), 100);
  });
  return () => {
    clearTimeout(timer);
    to.write(condenser.end());
  };
}

/**
 * Keeps the wrapper alive until cdktf has exited. Ctrl-C reaches cdktf (and Terraform) from the terminal
 * anyway, and they stop an apply gracefully; if the wrapper died first, cdktf would lose the pipe it
 * writes to in the middle of that. SIGTERM and SIGHUP sent to the wrapper alone (by nx, say) are passed on.
 */
function outliveSignals(child: ChildProcess): () => void {
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGINT', () => undefined],
    ['SIGTERM', () => child.kill('SIGTERM')],
    ['SIGHUP', () => child.kill('SIGHUP')],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
