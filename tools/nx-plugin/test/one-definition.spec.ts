// "One definition per service", proven on the real workspace: the wiring lives in the library, so a
// change there reaches every service's synthesized stacks with no edit under apps/, and the project
// graph knows it (a change to the library or the build tools marks every service affected).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILD_OUTPUTS, nx, scratchWorkspace, workspace } from './scratch';

/** The service apps of the workspace (folders holding a cache-service.json under apps/). */
function services(root: string): Array<{ name: string; root: string }> {
  const found: Array<{ name: string; root: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (BUILD_OUTPUTS.has(entry)) continue;
      const path = join(dir, entry);
      if (entry === 'cache-service.json') found.push({ name: JSON.parse(readFileSync(path, 'utf8')).service, root: relative(root, dir) });
      else if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(join(root, 'apps'));
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Hash of every source file under apps/ (build outputs left out). */
function appsDigest(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (BUILD_OUTPUTS.has(entry)) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  walk(join(root, 'apps'));
  return hash.digest('hex');
}

describe('one definition per service', () => {
  const all = services(workspace);

  it('has service apps to prove it on', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
  });

  describe('a change to the library reaches every service', () => {
    let dir: string;
    beforeAll(() => {
      dir = scratchWorkspace('one-definition-');
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('one more tag on the service user, written once in libs/service-access, is in every service stack', () => {
      const stackFile = join(dir, 'libs', 'service-access', 'src', 'service-stack.ts');
      const source = readFileSync(stackFile, 'utf8');
      const anchor = "    this.handler = new CacheFunction(this, 'handler', {";
      expect(source).toContain(anchor);
      writeFileSync(stackFile, source.replace(anchor, `    this.access.user.addOverride('tags.library-probe', 'reached');\n${anchor}`));
      const before = appsDigest(dir);

      nx(dir, ['run-many', '-t', 'synth', '--projects=tag:kind:service', '--skip-nx-cache', '--output-style=static'], {
        CACHE_PLATFORM_ENVIRONMENTS: 'dev',
      });

      for (const service of services(dir)) {
        const stack = join(dir, service.root, 'cdktf.out', 'stacks', `${service.name}-dev`, 'cdk.tf.json');
        expect(`${service.name}: ${existsSync(stack)}`).toBe(`${service.name}: true`);
        const users = Object.values(JSON.parse(readFileSync(stack, 'utf8')).resource.aws_elasticache_user) as Array<{
          tags: Record<string, string>;
        }>;
        expect(users.map((u) => `${service.name}: ${u.tags['library-probe']}`)).toEqual([`${service.name}: reached`]);
      }
      // and not one file under apps/ changed to get there
      expect(appsDigest(dir)).toBe(before);
    }, 180_000);
  });

  describe('the project graph has real edges', () => {
    const affectedBy = (file: string) =>
      JSON.parse(nx(workspace, ['show', 'projects', '--affected', `--files=${file}`, '--json'])) as string[];
    const names = all.map((s) => s.name);

    it.each([
      'tools/lambda-bundle/src/bundle.ts',
      'tools/terraform/src/validate.ts',
      'libs/service-access/src/service-stack.ts',
      'libs/cache-contract/src/access-string.ts',
    ])(
      'a change in %s marks every service affected',
      (file) => {
        expect(affectedBy(file)).toEqual(expect.arrayContaining(names));
      },
      60_000,
    );

    it("a change in one service's handler marks only that service", () => {
      const [first] = all;
      expect(affectedBy(join(first!.root, 'src', 'handler', 'index.ts'))).toEqual([first!.name]);
    }, 60_000);
  });
});
