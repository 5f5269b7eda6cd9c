import type { PolicyRule } from '../rule';
import { keyspacePatterns } from './cp001-keyspace-patterns';
import { dangerousCommands } from './cp002-dangerous-commands';
import { defaultUserDisabled } from './cp003-default-user-disabled';
import { groupIgnoresMembership } from './cp004-group-ignores-membership';
import { noWildcardResources } from './cp005-no-wildcard-resources';
import { tlsOn } from './cp006-tls-on';
import { ownershipTags } from './cp007-ownership-tags';
import { oneServicePerKeyspace } from './cp008-one-service-per-keyspace';
import { currentRuntime } from './cp009-current-runtime';
import { passwordRotation } from './cp010-password-rotation';
import { noLiteralSecrets } from './cp011-no-literal-secrets';
import { resourcePolicies } from './cp012-resource-policies';
import { lambdaPermissionScoped } from './cp013-lambda-permission-scoped';
import { groupMembersDefinedHere } from './cp014-group-members-defined-here';
import { noPasswordlessUsers } from './cp015-no-passwordless-users';
import { cacheUsesPlatformGroup } from './cp016-cache-uses-platform-group';
import { noWildcardResourceActions } from './cp017-no-wildcard-resource-actions';
import { logRetention } from './cp018-log-retention';
import { alarmTopicProtected } from './cp019-alarm-topic-protected';
import { secretsCustomerKey, secretsCustomerKeyRule } from './cp020-secrets-customer-key';
import { ownSecretsOnly } from './cp021-own-secrets-only';

/** The rule pack, in id order. */
export const RULES: readonly PolicyRule[] = [
  keyspacePatterns,
  dangerousCommands,
  defaultUserDisabled,
  groupIgnoresMembership,
  noWildcardResources,
  tlsOn,
  ownershipTags,
  oneServicePerKeyspace,
  currentRuntime,
  passwordRotation,
  noLiteralSecrets,
  resourcePolicies,
  lambdaPermissionScoped,
  groupMembersDefinedHere,
  noPasswordlessUsers,
  cacheUsesPlatformGroup,
  noWildcardResourceActions,
  logRetention,
  alarmTopicProtected,
  secretsCustomerKey,
  ownSecretsOnly,
];

export {
  ownSecretsOnly,
  secretsCustomerKey,
  secretsCustomerKeyRule,
  alarmTopicProtected,
  logRetention,
  noWildcardResourceActions,
  cacheUsesPlatformGroup,
  groupMembersDefinedHere,
  lambdaPermissionScoped,
  noPasswordlessUsers,
  resourcePolicies,
  currentRuntime,
  dangerousCommands,
  defaultUserDisabled,
  groupIgnoresMembership,
  keyspacePatterns,
  noLiteralSecrets,
  noWildcardResources,
  oneServicePerKeyspace,
  ownershipTags,
  passwordRotation,
  tlsOn,
};
