import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readWorkspace, workspaceRootOf } from '@cache-platform/platform-environments';
import { RULES } from './rules';
import { runPolicy, type PolicyReport } from './runner';
import { readStackDir, readStacks, type TfStack } from '@cache-platform/stack-analysis';
import { appFolderOf, readSuppressionsFile, SUPPRESSIONS_FILE, type Suppression } from './suppressions';

/**
 * Every app folder of the workspace with synthesized stacks: each cdktf app the workspace model
 * finds (wherever the generator's `--directory` put it) holding `cdktf.out/stacks`. An app folder
 * that lost its `cdktf.json` (a removed app with a leftover cdktf.out) does not count.
 */
export function synthesizedApps(workspaceRoot: string): string[] {
  return readWorkspace(workspaceRoot)
    .cdktfApps.map((app) => join(workspaceRoot, app))
    .filter((dir) => {
      const stacks = join(dir, 'cdktf.out', 'stacks');
      return existsSync(stacks) && readdirSync(stacks).some((stack) => existsSync(join(stacks, stack, 'cdk.tf.json')));
    });
}

/** The suppressions of the app a set of stacks came from, limited to those stacks. */
function appSuppressions(appDir: string | undefined, stacks: readonly TfStack[]): Suppression[] {
  if (!appDir) return [];
  const file = join(appDir, SUPPRESSIONS_FILE);
  if (!existsSync(file)) return [];
  const names = stacks.map((s) => s.name);
  return readSuppressionsFile(
    file,
    RULES.map((r) => r.id),
  ).map((s) => ({ ...s, stacks: names }));
}

export interface CheckOptions {
  /** folders to check: stack folders, cdktf.out folders or app folders */
  readonly dirs: readonly string[];
  /** also read every other app's synthesized stacks of the workspace, for the cross-stack rules */
  readonly workspaceContext?: boolean;
  /** a suppressions file to use instead of each app's own `policy-suppressions.json` */
  readonly suppressionsFile?: string;
}

/** Reads the stacks and suppressions, runs the pack. Throws on unreadable input or refused suppressions. */
export function checkDirs(options: CheckOptions): PolicyReport {
  const stacks: TfStack[] = [];
  const suppressions: Suppression[] = [];
  const checkedFiles = new Set<string>();
  for (const dir of options.dirs) {
    const read = readStacks(dir);
    stacks.push(...read);
    for (const stack of read) checkedFiles.add(resolve(stack.file));
    if (!options.suppressionsFile) suppressions.push(...appSuppressions(appFolderOf(dir), read));
  }
  if (options.suppressionsFile)
    suppressions.push(
      ...readSuppressionsFile(
        options.suppressionsFile,
        RULES.map((r) => r.id),
      ),
    );
  const contextStacks: TfStack[] = [];
  const root = options.workspaceContext ? workspaceRootOf(options.dirs[0] ?? '.') : undefined;
  if (root) {
    for (const app of synthesizedApps(root)) {
      const stacksDir = join(app, 'cdktf.out', 'stacks');
      let entries: string[];
      try {
        entries = readdirSync(stacksDir);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (checkedFiles.has(resolve(stacksDir, entry, 'cdk.tf.json'))) continue;
        // context is best effort: under `nx run-many -t synth` another app may be rewriting its
        // cdktf.out right now (emptied, or a file half written); its own synth checks it
        try {
          contextStacks.push(readStackDir(join(stacksDir, entry)));
        } catch {
          continue;
        }
      }
    }
  }
  return runPolicy({ stacks, contextStacks, suppressions });
}

/**
 * The check every app's synth runs (tools/terraform/bin/synth.cjs): its own fresh stacks, with every
 * other app's synthesized stacks of the workspace as context for the cross-stack rules, and its own
 * `policy-suppressions.json`.
 */
export function checkSynthesizedApp(appDir: string): PolicyReport {
  return checkDirs({ dirs: [join(appDir, 'cdktf.out')], workspaceContext: true });
}
