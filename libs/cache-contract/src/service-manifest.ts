import { ACCESS_PROFILES, type AccessProfile } from './access-string';
import { ContractViolation } from './errors';
import { assertKeyspace, assertServiceName } from './naming';
import { AUTH_MODES, type AuthMode } from './secret-payload';

/**
 * `cache-service.json`, in every service app: the facts about one service's use of the shared cache.
 * The service stack builds from it, the generator reads every manifest to refuse a keyspace that is
 * already claimed, and local tooling creates matching ACL users from it.
 */
export interface ServiceManifest {
  readonly service: string;
  readonly keyspace: string;
  /** owning team */
  readonly owner: string;
  /** why the service needs the cache */
  readonly purpose: string;
  readonly authMode: AuthMode;
  readonly accessProfile: AccessProfile;
}

export const SERVICE_MANIFEST_FILE = 'cache-service.json';

/** Validates a parsed manifest; `source` (usually the file path) is named in every error. */
export function assertServiceManifest(value: unknown, source: string): ServiceManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContractViolation(`service manifest ${source}`, value, 'must be a JSON object');
  }
  const m = value as Record<string, unknown>;
  const text = (field: string) => {
    if (typeof m[field] !== 'string' || (m[field] as string).trim() === '') {
      throw new ContractViolation(`service manifest ${source} field ${field}`, m[field], 'must be a non-empty string');
    }
    return m[field] as string;
  };
  const oneOf = <T extends string>(field: string, allowed: readonly T[]) => {
    if (!allowed.includes(m[field] as T)) {
      throw new ContractViolation(`service manifest ${source} field ${field}`, m[field], `must be one of ${allowed.join(', ')}`);
    }
    return m[field] as T;
  };
  return {
    service: assertServiceName(text('service')),
    keyspace: assertKeyspace(text('keyspace')),
    owner: text('owner'),
    purpose: text('purpose'),
    authMode: oneOf('authMode', AUTH_MODES),
    accessProfile: oneOf('accessProfile', ACCESS_PROFILES),
  };
}
