// Batch and one-by-one runs of bundle, synth and validate, compared on a scratch copy of this
// workspace: the three sample apps plus a service whose stack Terraform rejects. Proves what
// `nx --batch` must keep: the same cdk.tf.json files, the same policy reports and validate verdicts,
// a broken stack failing its own task only, and each task cached and replayed on its own.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchNxEnv, scratchWorkspace } from './scratch';

const APPS = ['catalog-api', 'enrollment-api', 'platform', 'broken-api'];

/** `npx nx …` as CI runs it; never throws: the exit status is part of what is compared. */
function nx(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('npx', ['nx', ...args], {
    cwd,
    encoding: 'utf8',
    env: scratchNxEnv({ NX_DEFAULT_OUTPUT_STYLE: 'static', CACHE_PLATFORM_ENVIRONMENTS: 'dev', ...env }),
    maxBuffer: 64 << 20,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** Every synthesized cdk.tf.json, by path under the workspace. */
function stackFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const app of APPS) {
    const stacks = join(dir, 'apps', app, 'cdktf.out', 'stacks');
    for (const stack of readdirSync(stacks)) files[`${app}/${stack}`] = readFileSync(join(stacks, stack, 'cdk.tf.json'), 'utf8');
  }
  return files;
}

/**
 * What a run reports, without timings: policy verdicts, validate verdicts, each diagnostic with its
 * detail (the indented lines after it), in the order of the stacks.
 */
function verdicts(output: string): string[] {
  const lines: string[] = [];
  let inDiagnostic = false;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/ \((init [\d.]+ s, validate [\d.]+ s|\d+ ms)\)/g, '').trimEnd();
    if (/^ {2}(error|warning): /.test(line) || (inDiagnostic && /^ {4}\S/.test(line))) {
      inDiagnostic = true;
      lines[lines.length - 1] += `\n${line}`;
      continue;
    }
    inDiagnostic = false;
    if (/^(policy: |ok {2}|FAIL |synth failed)/.test(line)) lines.push(line);
  }
  return lines.sort();
}

/** The tasks Nx lists as failed at the end of a run. */
function failedTasks(output: string): string[] {
  const block = output.split(/Failed tasks:/)[1] ?? '';
  return [...block.matchAll(/^\s*- (\S+)/gm)].map((m) => m[1]!).sort();
}

describe('nx --batch: bundle, synth and validate for many projects in one process', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchWorkspace('batch-e2e-');
    // a service whose stack synthesizes and passes the policy pack, but Terraform rejects
    const broken = join(dir, 'apps', 'broken-api');
    cpSync(join(dir, 'apps', 'enrollment-api'), broken, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(broken, 'cache-service.json'), 'utf8'));
    writeFileSync(
      join(broken, 'cache-service.json'),
      JSON.stringify({ ...manifest, service: 'broken-api', keyspace: 'broken-api', stackExtension: 'src/stack.ts' }, null, 2),
    );
    writeFileSync(
      join(broken, 'src', 'stack.ts'),
      [
        "import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';",
        "import type { ServiceStack } from '@cache-platform/service-access';",
        'export function extendStack(stack: ServiceStack): void {',
        "  const queue = new SqsQueue(stack, 'jobs', { name: `broken-api-${stack.environment.name}-jobs`, tags: stack.access.tags });",
        '  // not an argument of aws_sqs_queue: terraform validate rejects it',
        "  queue.addOverride('visibility_timeout_secs', 30);",
        '}',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same stacks, policy reports and validate verdicts as one by one; the broken stack fails its own task only', () => {
    const projects = ['-p', ...APPS];
    const single = nx(dir, ['run-many', '-t', 'validate', ...projects, '--skip-nx-cache', '--nx-bail=false', '--batch=false']);
    expect(failedTasks(single.output)).toEqual(['broken-api:validate']);
    const singleStacks = stackFiles(dir);
    const singleVerdicts = verdicts(single.output);
    // the broken stack is named, with its error and the resource's address
    const failed = singleVerdicts.find((l) => l.startsWith('FAIL '));
    expect(failed).toMatch(/^FAIL apps\/broken-api\/cdktf.out\/stacks\/broken-api-dev\n {2}error: Extraneous JSON object property\n/);
    expect(failed).toContain('visibility_timeout_secs');
    expect(singleVerdicts.filter((l) => l.startsWith('policy: '))).toHaveLength(4);

    // (the one-by-one run skipped the cache, so nothing is replayed here; this run fills it)
    const batch = nx(dir, ['run-many', '-t', 'validate', ...projects, '--nx-bail=false', '--batch']);
    // Nx ran the three targets through the batch executors
    for (const target of ['bundle', 'synth', 'validate'])
      expect(batch.output).toMatch(new RegExp(`Running \\d+ tasks with @cache-platform/nx-plugin:${target}`));
    expect(batch.status).toBe(1);
    expect(failedTasks(batch.output)).toEqual(['broken-api:validate']);
    expect(stackFiles(dir)).toEqual(singleStacks);
    expect(verdicts(batch.output)).toEqual(singleVerdicts);
    expect(batch.output).toMatch(/validating 1 stack\(s\) against the provider schema .*, in a batch of 4/);

    // per-task cache: a second batch run replays every synth; a change to one handler re-runs that one
    writeFileSync(join(dir, 'apps', 'catalog-api', 'src', 'handler', 'index.ts'), '\n// a change\n', { flag: 'a' });
    const again = nx(dir, ['run-many', '-t', 'synth', ...projects, '--batch']);
    expect(again.status).toBe(0);
    for (const replayed of [
      'enrollment-api:bundle',
      'secret-rotation:bundle',
      'enrollment-api:synth',
      'platform:synth',
      'broken-api:synth',
    ])
      expect(again.output).toContain(`> nx run ${replayed}  [local cache]`);
    expect(again.output).not.toContain('catalog-api:synth  [local cache]');
    expect(again.output).toMatch(/Nx read the output from the cache instead of running the command for 6 out of 8 tasks/);
    expect(stackFiles(dir)).toEqual(singleStacks);
  }, 600_000);
});
