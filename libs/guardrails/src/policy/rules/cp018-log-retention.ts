import { LOG_RETENTION_DAYS } from '@cache-platform/cache-contract';
import { referencedResource, block, resourcesOf, stringAttr } from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';

export const logRetention: PolicyRule = {
  id: 'CP018',
  name: 'log-retention',
  rationale:
    'every log group has a retention, and every function logs to a log group the stack defines: Lambda otherwise creates one that keeps logs (and what leaks into them) forever',
  fix: `set retention_in_days (the manifest's function.logRetentionDays, default 30; one of ${LOG_RETENTION_DAYS.join(', ')}) and define the function's /aws/lambda/<name> log group in the stack (cache-function does)`,
  check(stack) {
    const violations: Violation[] = [];
    const groups = resourcesOf(stack, 'aws_cloudwatch_log_group');
    for (const group of groups) {
      const days = group.body['retention_in_days'];
      if (typeof days !== 'number' || !LOG_RETENTION_DAYS.includes(days))
        violations.push({
          resource: group,
          message: `retention_in_days is ${JSON.stringify(days ?? null)}: ${days === undefined || days === 0 ? 'the logs never expire' : 'not a retention CloudWatch accepts'}`,
        });
    }
    const groupNames = groups.map((g) => stringAttr(g.body, 'name'));
    for (const fn of resourcesOf(stack, 'aws_lambda_function')) {
      const configured = block(fn.body['logging_config'])?.['log_group'];
      if (typeof configured === 'string') {
        const target = referencedResource(stack, configured);
        if ((target?.type === 'aws_cloudwatch_log_group' && target.mode === 'resource') || groupNames.includes(configured)) continue;
        violations.push({
          resource: fn,
          message: `logs to ${JSON.stringify(configured)}, a log group the stack does not define (so its retention is unchecked)`,
        });
        continue;
      }
      const name = stringAttr(fn.body, 'function_name');
      if (name === undefined || name.includes('${') || !groupNames.includes(`/aws/lambda/${name}`))
        violations.push({
          resource: fn,
          message: `the stack defines no log group /aws/lambda/${name ?? '<function_name>'}: Lambda creates one that never expires`,
        });
    }
    return violations;
  },
};
