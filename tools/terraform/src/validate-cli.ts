import { relative } from 'node:path';
import { findProviderMirror } from './mirror';
import { formatDiagnostic, synthesizedStacks, validateStacks, validateStacksAsModules, type StackValidation } from './validate';
import { checkTerraformVersion } from './version';

/** `validate <app dir>...`: terraform validate for every synthesized stack of the given cdktf apps. */
export async function main(argv: string[]): Promise<number> {
  const usage = 'usage: validate <app dir> [<app dir>...]   (validates <app>/cdktf.out/stacks/* after synth)';
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const apps = argv.filter((a) => !a.startsWith('-'));
  if (apps.length === 0) {
    console.error(usage);
    return 2;
  }
  const dirs: string[] = [];
  for (const app of apps) {
    const stacks = synthesizedStacks(app);
    if (stacks.length === 0) {
      console.error(noStacksMessage(app));
      return 1;
    }
    dirs.push(...stacks);
  }
  // one line before twenty stacks each fail on the stacks' required_version
  const tooOld = checkTerraformVersion();
  if (tooOld) {
    console.error(tooOld);
    return 1;
  }
  const mirror = findProviderMirror();
  console.log(
    `validating ${dirs.length} stack(s) against the provider schema (${mirror ? `local mirror ${mirror}` : 'registry.terraform.io'})`,
  );
  const t0 = Date.now();
  const results = await validateStacks(dirs, { onResult: (r) => console.log(formatStackResult(r)) });
  console.log(formatSummary(results, (Date.now() - t0) / 1000));
  return results.every((r) => r.valid) ? 0 : 1;
}

/** One stack's line and its diagnostics, as the validate target prints them (one by one or in a batch). */
export function formatStackResult(r: StackValidation, cwd = process.cwd()): string {
  const timing = `init ${r.initSeconds.toFixed(1)} s, validate ${r.validateSeconds.toFixed(1)} s`;
  return [`${r.valid ? 'ok  ' : 'FAIL'} ${relative(cwd, r.dir)} (${timing})`, ...r.diagnostics.map(formatDiagnostic)].join('\n');
}

export function formatSummary(results: readonly StackValidation[], seconds: number): string {
  const valid = results.filter((r) => r.valid).length;
  return `${valid}/${results.length} stack(s) valid in ${seconds.toFixed(1)} s`;
}

/** The message for an app without synthesized stacks (its synth target did not run). */
export function noStacksMessage(app: string): string {
  return `no synthesized stacks in ${app}/cdktf.out/stacks: run the app's synth target first (npx nx run <app>:synth)`;
}

export interface AppValidation {
  readonly ok: boolean;
  /** what `validate <app>` prints for this app alone, minus the timings' exact values */
  readonly output: string;
  readonly stacks: readonly StackValidation[];
}

/**
 * The validate target of many apps at once (the Nx batch executor): every stack of every app in one
 * `terraform init` + `validate` (`validateStacksAsModules`), reported per app as `main` reports it.
 * An app without stacks, or with an invalid stack, fails alone.
 */
export async function validateAppsAsBatch(apps: readonly string[], env?: NodeJS.ProcessEnv): Promise<Map<string, AppValidation>> {
  const reports = new Map<string, AppValidation>();
  const stacksOf = (app: string) => synthesizedStacks(app);
  const found = apps.map((app) => ({ app, stacks: stacksOf(app) }));
  const tooOld = checkTerraformVersion();
  const toValidate = found.filter((f) => f.stacks.length > 0);
  for (const { app, stacks } of found) {
    if (stacks.length === 0) reports.set(app, { ok: false, output: noStacksMessage(app), stacks: [] });
    else if (tooOld) reports.set(app, { ok: false, output: tooOld, stacks: [] });
  }
  if (tooOld || toValidate.length === 0) return reports;
  const mirror = findProviderMirror();
  const t0 = Date.now();
  const results = await validateStacksAsModules(
    toValidate.flatMap((f) => f.stacks),
    { env },
  );
  const seconds = (Date.now() - t0) / 1000;
  let next = 0;
  for (const { app, stacks: dirs } of toValidate) {
    const count = dirs.length;
    const stacks = results.slice(next, next + count);
    next += count;
    const output = [
      `validating ${count} stack(s) against the provider schema (${mirror ? `local mirror ${mirror}` : 'registry.terraform.io'}), in a batch of ${results.length}`,
      ...stacks.map((r) => formatStackResult(r)),
      formatSummary(stacks, seconds),
    ].join('\n');
    reports.set(app, { ok: stacks.every((r) => r.valid), output, stacks });
  }
  return reports;
}
