import {
  buildAccessString,
  DISABLED_DEFAULT_ACCESS_STRING,
  ownershipTags,
  platformResourceNames,
  serverlessTarget,
  serviceResourceNames,
  type CacheEngine,
  type ServiceManifest,
} from '@cache-platform/cache-contract';

/** What the planner needs of an environment: its name and the engine its cache runs. */
export interface PlannedEnvironment {
  readonly name: string;
  /** @default the platform's default engine (valkey) */
  readonly engine?: CacheEngine;
  readonly majorEngineVersion?: string;
}

/** A Redis user the workspace says should exist in one environment. */
export interface DesiredUser {
  /** the service, or `platform` for the platform's own disabled `default` user */
  readonly service: string;
  readonly environment: string;
  /** the keyspace the user is scoped to; undefined for the platform's disabled user */
  readonly keyspace: string | undefined;
  readonly owner: string;
  readonly purpose: string;
  readonly userId: string;
  readonly userName: string;
  readonly accessString: string;
  /** the ownership tags the user should carry */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The one place the planner builds an access string, exactly as service-access does for the stack:
 * the service's keyspace and profile on the environment's serverless target.
 */
export function desiredAccessString(manifest: ServiceManifest, environment: PlannedEnvironment): string {
  return buildAccessString(manifest.keyspace, manifest.accessProfile, serverlessTarget(environment.engine, environment.majorEngineVersion));
}

/** The service users of one environment: every manifest that runs there (its `environments`, or all). */
export function desiredServiceUsers(manifests: readonly ServiceManifest[], environment: PlannedEnvironment): DesiredUser[] {
  return manifests
    .filter((m) => m.environments === undefined || m.environments.includes(environment.name))
    .map((manifest) => {
      const names = serviceResourceNames(manifest.service, environment.name);
      return {
        service: manifest.service,
        environment: environment.name,
        keyspace: manifest.keyspace,
        owner: manifest.owner,
        purpose: manifest.purpose,
        userId: names.userId,
        userName: names.userName,
        accessString: desiredAccessString(manifest, environment),
        tags: ownershipTags({ service: manifest.service, owner: manifest.owner, purpose: manifest.purpose, environment: environment.name }),
      };
    })
    .sort((a, b) => a.userId.localeCompare(b.userId));
}

/** The platform's own disabled user named `default`, which its user group must hold. */
export function desiredPlatformUser(environment: string, ownership: { owner: string; purpose: string }): DesiredUser {
  return {
    service: 'platform',
    environment,
    keyspace: undefined,
    owner: ownership.owner,
    purpose: ownership.purpose,
    userId: platformResourceNames(environment).disabledDefaultUserId,
    userName: 'default',
    accessString: DISABLED_DEFAULT_ACCESS_STRING,
    tags: ownershipTags({ service: 'platform', owner: ownership.owner, purpose: ownership.purpose, environment }),
  };
}
