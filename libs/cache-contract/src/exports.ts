import { assertEnvironmentName, assertKeyspace, PLATFORM_PREFIX } from './naming';

/**
 * SSM parameter names through which the platform stack hands its identifiers to service stacks.
 * One place for both sides: the platform writes these, service-access reads them.
 */
export interface PlatformExportNames {
  readonly endpointAddress: string;
  readonly endpointPort: string;
  readonly readerPort: string;
  readonly cacheName: string;
  readonly cacheArn: string;
  readonly engine: string;
  readonly userGroupId: string;
  readonly clientSecurityGroupId: string;
  /** StringList of the cache's subnet ids, comma separated. */
  readonly subnetIds: string;
  /** ARN of the platform's password rotation function (service secrets rotate with it) */
  readonly rotationFunctionArn: string;
}

export const EXPORT_KEYS: readonly (keyof PlatformExportNames)[] = [
  'endpointAddress',
  'endpointPort',
  'readerPort',
  'cacheName',
  'cacheArn',
  'engine',
  'userGroupId',
  'clientSecurityGroupId',
  'subnetIds',
  'rotationFunctionArn',
];

/** `/cache-platform/<env>` */
export function platformParameterRoot(environment: string): string {
  return `/${PLATFORM_PREFIX}/${assertEnvironmentName(environment)}`;
}

export function platformExportNames(environment: string): PlatformExportNames {
  const root = `${platformParameterRoot(environment)}/exports`;
  return {
    endpointAddress: `${root}/endpoint-address`,
    endpointPort: `${root}/endpoint-port`,
    readerPort: `${root}/reader-port`,
    cacheName: `${root}/cache-name`,
    cacheArn: `${root}/cache-arn`,
    engine: `${root}/engine`,
    userGroupId: `${root}/user-group-id`,
    clientSecurityGroupId: `${root}/client-security-group-id`,
    subnetIds: `${root}/subnet-ids`,
    rotationFunctionArn: `${root}/rotation-function-arn`,
  };
}

/**
 * The SSM parameter that records which service owns a keyspace. SSM refuses to create a parameter
 * that exists, so a second stack claiming the same keyspace fails at apply instead of sharing keys.
 */
export function keyspaceClaimParameterName(environment: string, keyspace: string): string {
  return `${platformParameterRoot(environment)}/keyspaces/${assertKeyspace(keyspace)}`;
}
