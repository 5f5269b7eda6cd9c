import { relative } from 'node:path';
import { findProviderMirror } from './mirror';
import { formatDiagnostic, synthesizedStacks, validateStacks } from './validate';
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
      console.error(`no synthesized stacks in ${app}/cdktf.out/stacks: run the app's synth target first (npx nx run <app>:synth)`);
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
  const results = await validateStacks(dirs, {
    onResult: (r) => {
      const timing = `init ${r.initSeconds.toFixed(1)} s, validate ${r.validateSeconds.toFixed(1)} s`;
      console.log(`${r.valid ? 'ok  ' : 'FAIL'} ${relative(process.cwd(), r.dir)} (${timing})`);
      for (const d of r.diagnostics) console.log(formatDiagnostic(d));
    },
  });
  const failed = results.filter((r) => !r.valid);
  console.log(`${results.length - failed.length}/${results.length} stack(s) valid in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failed.length === 0 ? 0 : 1;
}
