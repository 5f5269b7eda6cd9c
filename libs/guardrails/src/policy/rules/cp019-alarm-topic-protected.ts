import {
  actionCoversService,
  globMatch,
  resourcePolicy,
  type PolicyOf,
  refersTo,
  resourcesOf,
  stringAttr,
} from '@cache-platform/stack-analysis';
import type { PolicyRule, Violation } from '../rule';
import { principalProblem } from './principals';

// the AWS managed SNS key: CloudWatch cannot publish to a topic encrypted with it
const AWS_MANAGED_SNS_KEY = /(?:^|:|\/)alias\/aws\/sns$/;

export const alarmTopicProtected: PolicyRule = {
  id: 'CP019',
  name: 'alarm-topic-protected',
  rationale:
    'an SNS topic is encrypted with a customer managed key and its policy refuses publishing without TLS and opens to nobody outside the account',
  fix: 'set kms_master_key_id to a customer managed key whose policy admits cloudwatch.amazonaws.com (alias/aws/sns would drop every alarm), and add an aws_sns_topic_policy that denies sns:Publish when aws:SecureTransport is false (PlatformAlarms does both)',
  check(stack) {
    const violations: Violation[] = [];
    const topicPolicies = resourcesOf(stack, 'aws_sns_topic_policy');
    for (const topic of resourcesOf(stack, 'aws_sns_topic')) {
      const key = stringAttr(topic.body, 'kms_master_key_id');
      if (key === undefined || key.trim() === '')
        violations.push({ resource: topic, message: 'the topic is not encrypted at rest (no kms_master_key_id)' });
      else if (AWS_MANAGED_SNS_KEY.test(key))
        violations.push({
          resource: topic,
          message: `kms_master_key_id ${JSON.stringify(key)} is the AWS managed SNS key: CloudWatch cannot publish to it, so no alarm would arrive`,
        });
      const policies: PolicyOf[] = [];
      const own = resourcePolicy(stack, topic, 'policy');
      if (own) policies.push(own);
      for (const p of topicPolicies) {
        if (!refersTo(p.body['arn'], topic)) continue;
        const read = resourcePolicy(stack, p, 'policy');
        if (read) policies.push(read);
      }
      let sslOnly = false;
      for (const policy of policies) {
        if (policy.unreadable)
          violations.push({ resource: policy.resource, message: `the topic policy cannot be read: ${policy.unreadable}` });
        for (const s of policy.statements) {
          if (s.effect.toLowerCase() === 'deny') {
            const everyone = s.principals.some((p) => p.identifiers.includes('*'));
            const publish = s.actions.some((a) => actionCoversService(a, 'sns') && globMatch(a.split(':')[1] ?? '*', 'Publish'));
            const noTls = s.conditions.some(
              (c) => c.test === 'Bool' && c.variable.toLowerCase() === 'aws:securetransport' && c.values.includes('false'),
            );
            if (everyone && publish && noTls) sslOnly = true;
            continue;
          }
          for (const principal of s.principals) {
            if (principal.type === 'Service' && s.conditions.some((c) => /^aws:Source(Account|Arn)$/i.test(c.variable))) continue;
            const why = principalProblem(stack, principal);
            if (why)
              violations.push({
                resource: policy.resource,
                message: `${s.sid ? `statement ${s.sid}` : 'a statement'} allows ${s.actions.join(', ')} to ${why}`,
              });
          }
        }
      }
      if (!sslOnly)
        violations.push({
          resource: topic,
          message:
            'no topic policy denies sns:Publish to "*" when aws:SecureTransport is false: the topic accepts messages over plain HTTP',
        });
    }
    return violations;
  },
};
