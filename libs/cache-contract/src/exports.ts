import { assertCellName, assertEnvironmentName, assertKeyspace, DEFAULT_CELL, PLATFORM_PREFIX } from './naming';

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

/**
 * `cell` selects a cell's exports: the default cell (or none) keeps `/cache-platform/<env>/exports`,
 * another cell's are under `/cache-platform/<env>/cells/<cell>/exports`.
 */
export function platformExportNames(environment: string, cell?: string): PlatformExportNames {
  const root =
    cell === undefined || cell === DEFAULT_CELL
      ? `${platformParameterRoot(environment)}/exports`
      : `${platformParameterRoot(environment)}/cells/${assertCellName(cell)}/exports`;
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
 * The SSM folder of an environment's keyspace claims, `/cache-platform/<env>/keyspaces`: every claim
 * is a direct child, named by its keyspace (a keyspace holds no `/`). Readers list it with
 * GetParametersByPath, which IAM authorizes on this path itself.
 */
export function keyspaceClaimsPath(environment: string): string {
  return `${platformParameterRoot(environment)}/keyspaces`;
}

/**
 * The SSM parameter that records which service owns a keyspace. SSM refuses to create a parameter
 * that exists, so a second stack claiming the same keyspace fails at apply instead of sharing keys.
 */
export function keyspaceClaimParameterName(environment: string, keyspace: string): string {
  return `${keyspaceClaimsPath(environment)}/${assertKeyspace(keyspace)}`;
}
