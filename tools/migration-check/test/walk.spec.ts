// Walks the hand-wired legacy fixture through the six migration steps, one commit-sized change at a
// time, synthesizing it for real after each change to its stack, and runs the migration check after
// each: 0/6, then exactly one more step done per change, with the missing steps named and explained.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkMigration, type MigrationReport } from '../src';
import { main } from '../src/cli';

const workspace = resolve(__dirname, '..', '..', '..');
const fixtures = join(__dirname, 'fixtures');

/** One change to the copy: text replaced in the stack, or a new version of the handler. */
interface Change {
  readonly step: number;
  readonly what: string;
  readonly stack?: ReadonlyArray<readonly [string, string]>;
  readonly handler?: string;
}

const GRANT = /\s*\/\/ @migration:grant-start[\s\S]*\/\/ @migration:grant-end/;

const CHANGES: readonly Change[] = [
  {
    step: 1,
    what: 'create the service user and secret (ServiceCacheAccess)',
    stack: [
      ['// @migration:imports', "import { PlatformImports, ServiceCacheAccess } from '@cache-platform/service-access';"],
      [
        '// @migration:access',
        "const access = new ServiceCacheAccess(this, 'cache-access', { service: 'legacy-api', owner: 'team-legacy', purpose: 'cache product reads', platform: new PlatformImports(this, 'platform', { environment }) });",
      ],
    ],
  },
  { step: 2, what: 'inject REDIS_SECRET_ARN', stack: [['// @migration:variables', '...access.lambdaEnvironment(),']] },
  { step: 3, what: 'grant read on only that secret', stack: [[GRANT.source, '\n    access.grantSecretRead(role);']] },
  { step: 4, what: 'build the client from the secret (dual read from REDIS_URL during the cutover)', handler: 'step4-handler.ts' },
  { step: 5, what: 'add the Redis signal to the health path', handler: 'step5-handler.ts' },
  {
    step: 6,
    what: 'remove the old configuration',
    stack: [
      ['REDIS_URL: redisUrl.value,', ''],
      ["const redisUrl = new DataAwsSsmParameter(this, 'redis-url', { name: '/shared/redis/url', withDecryption: true });", ''],
    ],
    handler: 'step6-handler.ts',
  },
];

describe('the legacy fixture, walked through the six steps', () => {
  let app: string;
  let scratch: string;
  beforeAll(() => {
    // inside the workspace (tmp/ is ignored by git, Nx, lint and tsc), so the copy resolves the
    // workspace's packages as the real service would
    mkdirSync(join(workspace, 'tmp'), { recursive: true });
    scratch = mkdtempSync(join(workspace, 'tmp', 'migration-walk-'));
    app = join(scratch, 'legacy-api');
    cpSync(join(fixtures, 'legacy-api'), app, { recursive: true });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const synth = () =>
    execFileSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: app, stdio: 'pipe', env: { ...process.env } });
  const stackFile = () => join(app, 'src', 'main.ts');
  const apply = (change: Change) => {
    if (change.stack) {
      let text = readFileSync(stackFile(), 'utf8');
      for (const [from, to] of change.stack) {
        const pattern = from === GRANT.source ? GRANT : from;
        expect(`${change.what}: ${typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)}`).toBe(`${change.what}: true`);
        text = text.replace(pattern, to);
      }
      writeFileSync(stackFile(), text);
      synth();
    }
    if (change.handler)
      writeFileSync(join(app, 'src', 'handler', 'index.ts'), readFileSync(join(fixtures, 'legacy-api-steps', change.handler)));
  };
  const missing = (report: MigrationReport) => report.steps.filter((s) => !s.done).map((s) => s.step);
  const reasons = (report: MigrationReport, step: number) => report.steps[step - 1]!.reasons;

  it('starts at 0/6, each missing step with its number and reason', () => {
    synth();
    const report = checkMigration(app);
    expect(report.stacks).toEqual(['legacy-api-dev']);
    expect(report.handlerFiles).toEqual(['src/handler/index.ts', 'src/handler/products.ts']);
    expect(`${report.done}/${report.total}`).toBe('0/6');
    expect(reasons(report, 1)).toEqual([
      "stack legacy-api-dev has no Redis user of the service's own (aws_elasticache_user)",
      "stack legacy-api-dev has no secret for the service's credentials (aws_secretsmanager_secret)",
    ]);
    expect(reasons(report, 2)).toEqual(['function legacy-api-dev-handler (stack legacy-api-dev) has no REDIS_SECRET_ARN variable']);
    expect(reasons(report, 3)).toEqual([
      'aws_iam_role_policy.secrets on the role of legacy-api-dev-handler allows secretsmanager:GetSecretValue on "*": a secret grant wider than the service\'s secret (none in the stack)',
      "the role of legacy-api-dev-handler (stack legacy-api-dev) has no read grant on the service's secret (secretsmanager:GetSecretValue)",
    ]);
    expect(reasons(report, 4)).toEqual([
      'src/handler/index.ts:5 builds a Redis client from something other than the secret (createClient({ url: process.env.REDIS_URL })): use createServiceCache(), or createRedisConnectionConfig(secret) for your own client',
      'no createServiceCache() from @cache-platform/cache-client in the handler (src/handler/index.ts, src/handler/products.ts)',
    ]);
    expect(reasons(report, 5)).toEqual([
      'no health path calling the library: no <cache>.checkHealth() call in the handler (src/handler/index.ts, src/handler/products.ts)',
    ]);
    expect(reasons(report, 6)).toEqual([
      'function legacy-api-dev-handler (stack legacy-api-dev) still has the old variable REDIS_URL',
      'src/handler/index.ts:5 still reads the old variable REDIS_URL',
    ]);
  });

  it.each(CHANGES.map((c) => [c.step, c.what, c] as const))('step %i: %s', (step, _what, change) => {
    apply(change);
    const report = checkMigration(app);
    expect(`${report.done}/6`).toBe(`${step}/6`);
    expect(missing(report)).toEqual([1, 2, 3, 4, 5, 6].filter((n) => n > step));
    if (step === 4) {
      // the cutover: the new client reads the old Redis through the library, so step 6 names both ends
      expect(reasons(report, 6)).toEqual([
        'function legacy-api-dev-handler (stack legacy-api-dev) still has the old variable REDIS_URL',
        'src/handler/index.ts:6 still reads through the legacy Redis (legacyRead: legacyReadFromEnv()): remove the dual read once the new cache is warm',
      ]);
    }
  });

  it('the CLI prints the table and N/6, and exits 0 once every step is done (1 while one is missing)', () => {
    let out = '';
    expect(main([app], (t) => void (out += t))).toBe(0);
    expect(out).toContain('6/6 steps done');
    expect(out).toMatch(/ {4}3 {2}read grant on only that secret +done/);
    let json = '';
    expect(main([app, '--json'], (t) => void (json += t))).toBe(0);
    expect(JSON.parse(json)).toMatchObject({ done: 6, total: 6, stacks: ['legacy-api-dev'] });
    // undo step 5 only: 5/6, exit 1, the missing step named
    writeFileSync(
      join(app, 'src', 'handler', 'index.ts'),
      readFileSync(join(fixtures, 'legacy-api-steps', 'step6-handler.ts'), 'utf8').replace(
        /if \(event\.rawPath === '\/health'\) \{[\s\S]*?\n {4}\}\n/,
        '',
      ),
    );
    out = '';
    expect(main([app], (t) => void (out += t))).toBe(1);
    expect(out).toContain('5/6 steps done; missing: 5');
    expect(out).toContain('no health path calling the library');
  });
});
