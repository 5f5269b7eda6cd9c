import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, payloadAttribute, SECRET_VERSION, USER, type FixtureName, type Json } from '../../test/fixtures';
import { MUTATIONS } from '../../test/mutations';
import { main } from './cli';
import { RULES } from './rules';

/*
 * The acceptance of the policy command: an app folder with cdktf.json and cdktf.out/stacks, as a
 * synth leaves it; a stack edited by hand fails with the rule id, the untouched one passes.
 */

let root: string;
let out: string[];
let err: string[];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'policy-cli-'));
  writeFileSync(join(root, 'nx.json'), '{}');
  out = [];
  err = [];
  jest.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
  jest.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

function app(name: string, stacks: Record<string, { from: FixtureName; edit?: (json: Json) => void }>, directory = 'apps'): string {
  const dir = join(root, directory, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdktf.json'), '{}');
  for (const [stack, { from, edit }] of Object.entries(stacks)) {
    const json = fixture(from);
    edit?.(json);
    mkdirSync(join(dir, 'cdktf.out', 'stacks', stack), { recursive: true });
    writeFileSync(join(dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  }
  return dir;
}
const stackDir = (appDir: string, stack: string) => join(appDir, 'cdktf.out', 'stacks', stack);
const access = (extra: string) => (json: Json) => {
  json.resource.aws_elasticache_user[USER].access_string += ` ${extra}`;
};

describe('npm run policy -- <dir>', () => {
  it('passes untouched stacks (exit 0)', () => {
    const dir = app('catalog-api', { 'catalog-api-dev': { from: 'service-password' }, 'catalog-api-prod': { from: 'service-password' } });
    expect(main([join(dir, 'cdktf.out')], root)).toBe(0);
    expect(out.join('\n')).toBe(`policy: 2 stack(s) pass ${RULES.length} rules`);
  });

  it.each([
    ['~*', access('~*'), 'CP001'],
    ['allkeys', access('allkeys'), 'CP001'],
    ['+flushall', access('+flushall'), 'CP002'],
    [
      'a * secret resource',
      (json: Json) =>
        (json.data.aws_iam_policy_document['cache-access_secret-read-c8ae95c3c7-document_799971D1'].statement[0].resources = ['*']),
      'CP005',
    ],
    [
      'TLS off',
      (json: Json) => {
        const version = json.resource.aws_secretsmanager_secret_version[SECRET_VERSION];
        const attribute = payloadAttribute(json);
        version[attribute] = version[attribute].replace('"tls" = true', '"tls" = false');
      },
      'CP006',
    ],
  ])('fails a stack folder edited by hand to grant %s (exit 1, rule id, address, fix)', (_label, edit, rule) => {
    const dir = app('catalog-api', {
      'catalog-api-dev': { from: 'service-password', edit },
      'catalog-api-prod': { from: 'service-password' },
    });
    expect(main([stackDir(dir, 'catalog-api-dev')], root)).toBe(1);
    const report = out.join('\n');
    expect(report).toMatch(new RegExp(`^${rule} [a-z-]+  catalog-api-dev: (data\\.)?aws_[a-z_]+\\.\\S+ \\(catalog-api-dev/`, 'm'));
    expect(report).toContain('  fix: ');
    expect(report).toContain('policy: 1 finding(s) in 1 of 1 stack(s)');
    // the untouched stack of the same app still passes
    out = [];
    expect(main([stackDir(dir, 'catalog-api-prod')], root)).toBe(0);
  });

  const STACK_OF = {
    'service-password': ['catalog-api', 'catalog-api'],
    'service-iam': ['enrollment-api', 'enrollment-api'],
    platform: ['platform', 'platform'],
  } as const;
  it.each(MUTATIONS.filter((m) => m.falsePass).map((m) => [m.id, m] as const))(
    'fails a stack edited to a former false pass: %s (exit 1 with its rule id; the untouched stack exits 0)',
    (_id, mutation) => {
      const [appName, stackPrefix] = STACK_OF[mutation.stack];
      const dir = app(appName, {
        [`${stackPrefix}-dev`]: { from: mutation.stack, edit: mutation.edit },
        [`${stackPrefix}-prod`]: { from: mutation.stack },
      });
      expect(main(['--json', stackDir(dir, `${stackPrefix}-dev`)], root)).toBe(1);
      const report = JSON.parse(out.join('\n')) as { findings: { rule: string; stack: string; message: string }[] };
      expect(report.findings.length).toBeGreaterThan(0);
      expect(report.findings.map((f) => f.rule)).toContain(mutation.rule);
      for (const finding of report.findings) expect(finding.stack).toBe(`${stackPrefix}-dev`);
      out = [];
      expect(main([stackDir(dir, `${stackPrefix}-prod`)], root)).toBe(0);
    },
  );

  it('reports an unreadable policy as a finding, which a suppression with a reason accepts', () => {
    const unreadable = MUTATIONS.find((m) => m.id === 'policy computed by a function (unreadable)');
    const dir = app('catalog-api', { 'catalog-api-dev': { from: 'service-password', edit: unreadable?.edit } });
    expect(main([dir], root)).toBe(1);
    expect(out.join('\n')).toMatch(/^CP005 no-wildcard-resources {2}catalog-api-dev: aws_iam_role_policy\.computed$/m);
    expect(out.join('\n')).toContain(
      'the policy cannot be read, so what it grants cannot be checked: policy: it is computed at apply time',
    );
    writeFileSync(
      join(dir, 'policy-suppressions.json'),
      JSON.stringify({
        suppressions: [
          { rule: 'CP005', resource: 'aws_iam_role_policy.computed', reason: 'reviewed: the replace() only renames the Sid (SEC-118)' },
        ],
      }),
    );
    out = [];
    expect(main([dir], root)).toBe(0);
    expect(out.join('\n')).toContain('suppressed CP005 no-wildcard-resources  catalog-api-dev: aws_iam_role_policy.computed');
  });

  it('refuses a suppression without a reason (exit 2), and shows the reason of an accepted one', () => {
    const dir = app('catalog-api', { 'catalog-api-dev': { from: 'service-password', edit: access('+keys') } });
    const suppress = (reason: string | undefined) =>
      writeFileSync(
        join(dir, 'policy-suppressions.json'),
        JSON.stringify({ suppressions: [{ rule: 'CP002', resource: 'catalog-api-dev/cache-access/user', reason }] }),
      );
    suppress(undefined);
    expect(main([dir], root)).toBe(2);
    expect(err.join('\n')).toContain(
      'suppression #1 ("CP002" on "catalog-api-dev/cache-access/user"): has no reason; a suppression must say why the rule does not apply',
    );
    suppress('   ');
    expect(main([dir], root)).toBe(2);
    suppress('legacy migration tool lists its own keys until 2027-01');
    expect(main([dir], root)).toBe(0);
    expect(out.join('\n')).toContain('suppressed CP002 no-dangerous-commands  catalog-api-dev: aws_elasticache_user.');
    expect(out.join('\n')).toContain('  reason: legacy migration tool lists its own keys until 2027-01');
    expect(out.join('\n')).toContain(`policy: 1 stack(s) pass ${RULES.length} rules, 1 suppressed with a reason`);
  });

  it('checks keyspace uniqueness against the other apps of the workspace with --workspace', () => {
    app('catalog-api', { 'catalog-api-dev': { from: 'service-password' } });
    const other = app('enrollment-api', {
      'enrollment-api-dev': {
        from: 'service-iam',
        edit: (json) =>
          (json.resource.aws_ssm_parameter['cache-access_keyspace-claim_E90DB781'].name = '/cache-platform/dev/keyspaces/catalog-api'),
      },
    });
    expect(main([other], root)).toBe(1); // CP001 already: the user's pattern is outside the claimed keyspace
    out = [];
    expect(main(['--workspace', other], root)).toBe(1);
    expect(out.join('\n')).toContain('CP008 one-service-per-keyspace  enrollment-api-dev');
    expect(out.join('\n')).toContain('is also claimed by service "catalog-api" (catalog-api-dev: ');
  });

  it('sees an app the generator put outside apps/ (--directory=services/payments) in the workspace context', () => {
    const payments = app('catalog-api', { 'catalog-api-dev': { from: 'service-password' } }, 'services/payments');
    const other = app('enrollment-api', {
      'enrollment-api-dev': {
        from: 'service-iam',
        edit: (json) =>
          (json.resource.aws_ssm_parameter['cache-access_keyspace-claim_E90DB781'].name = '/cache-platform/dev/keyspaces/catalog-api'),
      },
    });
    expect(main(['--workspace', other], root)).toBe(1);
    expect(out.join('\n')).toContain('is also claimed by service "catalog-api" (catalog-api-dev: ');
    // `--workspace` alone checks every synthesized app, this one included
    out = [];
    expect(main(['--workspace', '--json'], root)).toBe(1);
    const report = JSON.parse(out.join('\n')) as { stacks: string[] };
    expect(report.stacks).toEqual(expect.arrayContaining(['catalog-api-dev', 'enrollment-api-dev']));
    expect(payments).toBe(join(root, 'services', 'payments', 'catalog-api'));
  });

  it("ignores another app's stack that is being rewritten (a parallel synth), but never the checked ones", () => {
    const mine = app('catalog-api', { 'catalog-api-dev': { from: 'service-password' } });
    const other = app('enrollment-api', { 'enrollment-api-dev': { from: 'service-iam' } });
    writeFileSync(join(stackDir(other, 'enrollment-api-dev'), 'cdk.tf.json'), '{"resource": {"aws_elasticache_us');
    expect(main(['--workspace', mine], root)).toBe(0);
    expect(main([other], root)).toBe(2);
    expect(err.join('\n')).toContain('cannot read synthesized stack');
  });

  it('prints JSON with --json, and exits 2 on a folder without stacks', () => {
    const dir = app('catalog-api', { 'catalog-api-dev': { from: 'service-password', edit: access('~*') } });
    expect(main(['--json', dir], root)).toBe(1);
    const report = JSON.parse(out.join('\n'));
    expect(report.findings[0]).toMatchObject({ rule: 'CP001', stack: 'catalog-api-dev', address: `aws_elasticache_user.${USER}` });
    expect(main([join(root, 'nothing')], root)).toBe(2);
    expect(err.join('\n')).toContain('no such folder');
  });

  it('runs as `npm run policy` with the exit code of the check', () => {
    const dir = app('catalog-api', { 'catalog-api-dev': { from: 'service-password', edit: access('~*') } });
    const workspace = join(__dirname, '..', '..', '..', '..');
    const run = spawnSync('npm', ['run', '--silent', 'policy', '--', stackDir(dir, 'catalog-api-dev')], {
      cwd: workspace,
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('CP001 keyspace-patterns  catalog-api-dev');
  }, 30_000);
});
