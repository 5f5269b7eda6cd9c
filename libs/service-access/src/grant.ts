import type { ITerraformDependable } from 'cdktf';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';

/** Anything permissions can be granted to: a role, or a construct that runs as one (`CacheFunction`). */
export interface IGrantable {
  readonly grantPrincipal: IamRole;
}

/** A role, or a construct that runs as one. */
export type Grantee = IamRole | IGrantable;

export function principalOf(grantee: Grantee): IamRole {
  return 'grantPrincipal' in grantee ? grantee.grantPrincipal : grantee;
}

/**
 * What a grant method created: the inline policy on the grantee's role. Pass it to `dependsOn` where
 * something must not run before the permission exists (a Lambda's first invocation).
 */
export class Grant {
  constructor(
    readonly principal: IamRole,
    readonly actions: readonly string[],
    readonly resources: readonly string[],
    readonly policy: IamRolePolicy,
  ) {}

  /** for `dependsOn` */
  get dependables(): ITerraformDependable[] {
    return [this.policy];
  }
}
