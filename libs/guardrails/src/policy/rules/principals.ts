import { referencedResource, WHOLE_REFERENCE, withoutReferences, type Principal, type TfStack } from '@cache-platform/stack-analysis';

/**
 * Why a principal of a resource policy reaches beyond the stack's own account, or undefined. The
 * account a stack deploys to is only known at apply time, so a literal account id or ARN reads as
 * another account (suppress it with a reason when it is in fact your own); the caller's own account
 * (`data.aws_caller_identity`) and the stack's own roles are fine.
 */
export function principalProblem(stack: TfStack, principal: Principal): string | undefined {
  if (principal.type === '*') return 'Principal "*" (anyone with AWS credentials, in any account)';
  if (principal.type !== 'AWS') return `a ${principal.type} principal (${principal.identifiers.join(', ')})`;
  for (const id of principal.identifiers) {
    if (id === '*') return 'Principal {"AWS": "*"} (anyone with AWS credentials, in any account)';
    const resolved = withoutReferences(id);
    if (resolved === undefined) return `a principal computed at apply time (${id})`;
    if (WHOLE_REFERENCE.test(id.trim())) {
      const target = referencedResource(stack, id);
      if (!target) return `a principal the stack does not define (${id})`;
      if (target.type === 'aws_caller_identity' || (target.mode === 'resource' && target.type === 'aws_iam_role')) continue;
      return `a principal the rule cannot place in this account (${id})`;
    }
    // arn:<partition>:iam::<account>:..., or a bare account id: the account must be the caller's own
    const account = /^arn:[^:]*:(?:iam|sts)::([^:]*):/.exec(resolved)?.[1] ?? (/^\d{12}$/.test(resolved) ? resolved : undefined);
    if (account !== 'REF' || !id.includes('aws_caller_identity')) return `another account's principal ${JSON.stringify(id)}`;
  }
  return undefined;
}
