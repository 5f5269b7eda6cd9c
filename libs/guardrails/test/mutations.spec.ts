import { runPolicy } from '../src/policy/runner';
import { stackOf, type FixtureName } from './fixtures';
import { MUTATIONS } from './mutations';

/*
 * The mutation test: every scripted widening edit of the real synthesized stacks is caught by the
 * pack, with the rule it belongs to. Prints how many were caught; one miss fails the run.
 */

const findingsOf = (stack: ReturnType<typeof stackOf>) => runPolicy({ stacks: [stack] }).findings;
const caught: string[] = [];
const missed: string[] = [];

describe('mutation test: widening edits of the real synthesized stacks', () => {
  it.each(['service-password', 'service-iam', 'platform'] as FixtureName[])('the untouched %s stack passes every rule', (name) => {
    expect(findingsOf(stackOf(name)).map((f) => `${f.rule} ${f.address}: ${f.message}`)).toEqual([]);
  });

  it('has at least 25 distinct edits across IAM, ACL, membership, TLS, secrets and resource policies', () => {
    expect(new Set(MUTATIONS.map((m) => m.id)).size).toBe(MUTATIONS.length);
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(MUTATIONS.map((m) => m.category))).toEqual(
      new Set(['iam', 'acl', 'membership', 'tls', 'secrets', 'resource-policy', 'cache']),
    );
  });

  it.each(MUTATIONS.map((m) => [m.id, m] as const))('catches: %s', (_id, mutation) => {
    const findings = findingsOf(stackOf(mutation.stack, mutation.edit));
    const rules = [...new Set(findings.map((f) => f.rule))];
    if (rules.includes(mutation.rule)) caught.push(mutation.id);
    else missed.push(`${mutation.id} (expected ${mutation.rule}, got ${rules.join(', ') || 'nothing'})`);
    expect(rules).toContain(mutation.rule);
  });

  afterAll(() => {
    // the count is the test's report: it is printed whatever the outcome
    process.stdout.write(
      `\nmutation test: caught ${caught.length} of ${MUTATIONS.length} widening edits${missed.length ? `; missed: ${missed.join('; ')}` : ''}\n`,
    );
  });
});
