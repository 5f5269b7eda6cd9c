import type { PolicyRule, Violation } from '../rule';
import { resourcesOf, stringAttr } from '@cache-platform/stack-analysis';

/**
 * Lambda runtimes that are neither deprecated nor close to it and that the pinned provider
 * (hashicorp/aws 5.100.0) accepts. Node.js 20 and older are end-of-life.
 */
export const CURRENT_LAMBDA_RUNTIMES: readonly string[] = [
  'nodejs22.x',
  'python3.12',
  'python3.13',
  'java21',
  'dotnet8',
  'ruby3.3',
  'provided.al2023',
];

export const currentRuntime: PolicyRule = {
  id: 'CP009',
  name: 'current-lambda-runtime',
  rationale: 'every Lambda runs a current runtime: deprecated runtimes get no security patches and eventually cannot be updated',
  fix: `use one of ${CURRENT_LAMBDA_RUNTIMES.join(', ')} (the platform's functions use nodejs22.x)`,
  check(stack) {
    const violations: Violation[] = [];
    for (const fn of resourcesOf(stack, 'aws_lambda_function')) {
      // container-image functions carry their runtime in the image
      if (stringAttr(fn.body, 'package_type') === 'Image') continue;
      const runtime = fn.body['runtime'];
      if (typeof runtime !== 'string' || !CURRENT_LAMBDA_RUNTIMES.includes(runtime)) {
        violations.push({
          resource: fn,
          message: `runtime ${JSON.stringify(runtime ?? null)} is not current (current: ${CURRENT_LAMBDA_RUNTIMES.join(', ')})`,
        });
      }
    }
    return violations;
  },
};
