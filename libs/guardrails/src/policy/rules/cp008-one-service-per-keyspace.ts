import { keyspacesOverlap } from '@cache-platform/cache-contract';
import type { PolicyRule, Violation } from '../rule';
import { claimsOf, type StackClaim } from '@cache-platform/stack-analysis';

export const oneServicePerKeyspace: PolicyRule = {
  id: 'CP008',
  name: 'one-service-per-keyspace',
  rationale:
    "one keyspace is claimed by one service across all stacks of an environment: two services on one keyspace read and overwrite each other's keys",
  fix: 'give the service a keyspace of its own in its cache-service.json (the default, its service name, is unique)',
  check(stack, context) {
    const others: { stack: string; claim: StackClaim }[] = [];
    for (const other of [...context.stacks, ...context.contextStacks]) {
      if (other.name === stack.name && other.file === stack.file) continue;
      for (const claim of claimsOf(other)) others.push({ stack: other.name, claim });
    }
    const own = claimsOf(stack);
    const violations: Violation[] = [];
    own.forEach((claim, i) => {
      const rivals = [...own.slice(0, i).map((c) => ({ stack: stack.name, claim: c })), ...others].filter(
        ({ claim: other }) =>
          other.environment === claim.environment &&
          keyspacesOverlap(other.keyspace, claim.keyspace) &&
          (other.service !== claim.service || other.service === undefined),
      );
      for (const rival of rivals) {
        const how = rival.claim.keyspace === claim.keyspace ? 'is also claimed' : `overlaps keyspace "${rival.claim.keyspace}" claimed`;
        violations.push({
          resource: claim.resource,
          message: `keyspace "${claim.keyspace}" of service ${JSON.stringify(claim.service ?? '(unknown)')} in ${claim.environment} ${how} by service ${JSON.stringify(rival.claim.service ?? '(unknown)')} (${rival.stack}: ${rival.claim.resource.address})`,
        });
      }
    });
    return violations;
  },
};
