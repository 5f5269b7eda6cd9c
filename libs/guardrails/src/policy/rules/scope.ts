import { OWNERSHIP_TAG_KEYS, PLATFORM_PREFIX } from '@cache-platform/cache-contract';
import { resourcesOf, stackDefaultTags, stringAttr, type TfStack, claimsOf } from '@cache-platform/stack-analysis';

/**
 * What a stack may reach: the platform stack of an environment reaches every service's secret and
 * user of that environment (rotation), a service stack only its own. A stack is the platform's when
 * its provider tags it as service `platform` (a name no service may take) and it claims no keyspace;
 * every other stack is held to a service's scope, the narrower one.
 */
export interface StackScope {
  readonly platform: boolean;
  readonly environment: string;
  /** names of the secrets the stack defines */
  readonly ownSecretNames: readonly string[];
  /** ids of the ElastiCache users the stack defines */
  readonly ownUserIds: readonly string[];
}

const cache = new WeakMap<TfStack, StackScope>();

export function scopeOf(stack: TfStack): StackScope {
  const known = cache.get(stack);
  if (known) return known;
  const platform = stackDefaultTags(stack)[OWNERSHIP_TAG_KEYS.service] === 'platform' && claimsOf(stack).length === 0;
  const scope: StackScope = {
    platform,
    environment: stack.environment,
    ownSecretNames: resourcesOf(stack, 'aws_secretsmanager_secret').flatMap((s) => {
      const name = stringAttr(s.body, 'name');
      return name && !name.includes('${') ? [name] : [];
    }),
    ownUserIds: resourcesOf(stack, 'aws_elasticache_user').flatMap((u) => {
      const id = stringAttr(u.body, 'user_id');
      return id && !id.includes('${') ? [id] : [];
    }),
  };
  cache.set(stack, scope);
  return scope;
}

/** `/cache-platform/<env>/` and the names of the platform's parameters of one environment. */
export const platformParameterPrefix = (environment: string) => `/${PLATFORM_PREFIX}/${environment}/`;

// the platform's exports a service stack reads: `/cache-platform/<env>/exports/<key>`, `/cache-platform/<env>/cells/<cell>/exports/<key>`
export function isPlatformExportParameter(name: string, environment: string): boolean {
  const prefix = platformParameterPrefix(environment);
  if (!name.startsWith(prefix)) return false;
  return /^(?:exports|cells\/[a-z0-9-]+\/exports)\/[a-z0-9-]+$/.test(name.slice(prefix.length));
}
