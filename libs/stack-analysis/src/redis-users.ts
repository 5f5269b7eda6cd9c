import { OWNERSHIP_TAG_KEYS, parseKeyspaceClaim, PLATFORM_PREFIX } from '@cache-platform/cache-contract';
import { effectiveTags, resourcesOf, stringAttr, type TfResource, type TfStack } from './stack';

/** The Redis user name every user group must hold; the platform's own one is disabled. */
export const DEFAULT_USER_NAME = 'default';

const CLAIM_NAME = new RegExp(`^/${PLATFORM_PREFIX}/([^/]+)/keyspaces/([^/]+)$`);

/** A keyspace claim parameter of a stack, with who claims it. */
export interface StackClaim {
  readonly resource: TfResource;
  readonly environment: string;
  readonly keyspace: string;
  /** the claiming service: from the claim's value, else its service tag */
  readonly service: string | undefined;
}

/** The keyspace claims (`/cache-platform/<env>/keyspaces/<keyspace>` parameters) a stack creates. */
export function claimsOf(stack: TfStack): StackClaim[] {
  const claims: StackClaim[] = [];
  for (const resource of resourcesOf(stack, 'aws_ssm_parameter')) {
    const match = CLAIM_NAME.exec(stringAttr(resource.body, 'name') ?? '');
    if (!match) continue;
    let service: string | undefined;
    const value = stringAttr(resource.body, 'value');
    try {
      if (value !== undefined && !value.includes('${')) service = parseKeyspaceClaim(match[2] as string, value).service;
    } catch {
      // a malformed claim value: fall back to the tag; the claim's own checks live in the contract
    }
    service ??= effectiveTags(stack, resource)[OWNERSHIP_TAG_KEYS.service];
    claims.push({ resource, environment: match[1] as string, keyspace: match[2] as string, service });
  }
  return claims;
}

/** The ElastiCache users of a stack that serve a service: every user but the one named `default`. */
export function serviceUsers(stack: TfStack): TfResource[] {
  return resourcesOf(stack, 'aws_elasticache_user').filter((user) => stringAttr(user.body, 'user_name') !== DEFAULT_USER_NAME);
}

/**
 * The keyspace a service user is meant to live in: its stack's one keyspace claim, or, when the stack
 * claims several, the claim of the user's own service (its service tag). A string explains why there
 * is none.
 */
export function keyspaceOfUser(stack: TfStack, user: TfResource): { keyspace: string } | { problem: string } {
  const claims = claimsOf(stack);
  if (claims.length === 1) return { keyspace: (claims[0] as StackClaim).keyspace };
  const service = effectiveTags(stack, user)[OWNERSHIP_TAG_KEYS.service];
  const own = claims.filter((c) => c.service !== undefined && c.service === service);
  if (own.length === 1) return { keyspace: (own[0] as StackClaim).keyspace };
  if (claims.length === 0) return { problem: 'its stack claims no keyspace (no /cache-platform/<env>/keyspaces/<keyspace> parameter)' };
  return {
    problem: `its stack claims ${claims.length} keyspaces (${claims.map((c) => c.keyspace).join(', ')}) and none is the claim of its service ${JSON.stringify(service ?? '(untagged)')}`,
  };
}

/** The literal access string of a user, or why it cannot be read. */
export function accessStringOf(user: TfResource): { accessString: string } | { problem: string } {
  const value = user.body['access_string'];
  if (typeof value !== 'string') return { problem: 'has no access_string' };
  if (value.includes('${')) {
    return {
      problem: `has an access_string computed at apply time (${JSON.stringify(value)}): write it as a literal so it can be checked`,
    };
  }
  return { accessString: value };
}
