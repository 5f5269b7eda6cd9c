import { Construct } from 'constructs';
import { assertCellName, DEFAULT_CELL, platformResourceNames } from '@cache-platform/cache-contract';
import { refuse, validated } from '@cache-platform/stack-base';
import { PlatformExports } from './exports';
import type { CacheNetwork } from './network';
import { SharedServerlessCache } from './serverless-cache';
import type { SharedCacheFoundation, SharedCacheFoundationProps } from './shared-cache-foundation';
import { CacheUserGroup } from './user-group';
import type { CacheUsageLimits } from './validation';

/** The cache settings a cell may set for itself: those of the foundation's own cache, documented there. */
export type CellCacheSettings = Pick<
  SharedCacheFoundationProps,
  'engine' | 'majorEngineVersion' | 'usageLimits' | 'kmsKeyArn' | 'snapshotRetentionLimit' | 'dailySnapshotTime' | 'preventDestroy' | 'tags'
>;

/** What every cell has, the default cell (the foundation's own) and the others alike. */
export interface CacheCellResources {
  /** the cell's name (`DEFAULT_CELL` for the foundation's own cache) */
  readonly cellName: string;
  readonly users: CacheUserGroup;
  readonly cache: SharedServerlessCache;
  readonly exports: PlatformExports;
  /** the limits the cache was given, which its alarms compare against */
  readonly usageLimits?: CacheUsageLimits;
}

export interface CacheCellProps extends CellCacheSettings {
  /** environment name (contract rules) */
  readonly environment: string;
  /** the cell's name (contract rules: lower-case letters and digits, at most 6); not the default cell */
  readonly cell: string;
  /** the environment's network: every cell sits behind the same cache and clients security groups */
  readonly network: CacheNetwork;
  /**
   * ARN of the environment's password rotation function (the foundation's): one function rotates
   * every service secret of the environment, whatever the cell (service users are not cell-specific).
   */
  readonly rotationFunctionArn: string;
}

/**
 * One more shared cache in an environment (a "cell"): its own serverless cache, its own user group
 * with its own disabled `default` user, and its own SSM exports under
 * `/cache-platform/<env>/cells/<cell>/exports/`. It reuses the environment's network (the cache
 * security group admits only the clients group, which every service attaches whatever its cell), so
 * a cell adds no security-group rules. Services pick a cell in their manifest.
 *
 * The default cell is not one of these: it is the `SharedCacheFoundation` itself, whose construct
 * ids and names predate cells and must not change.
 */
export class CacheCell extends Construct implements CacheCellResources {
  readonly cellName: string;
  readonly users: CacheUserGroup;
  readonly cache: SharedServerlessCache;
  readonly exports: PlatformExports;
  readonly usageLimits?: CacheUsageLimits;

  constructor(scope: Construct, id: string, props: CacheCellProps) {
    super(scope, id);
    this.cellName = validated(this, () => assertCellName(props.cell));
    if (this.cellName === DEFAULT_CELL) {
      refuse(this, 'cell name', props.cell, `the default cell is the foundation's own cache; name another cell`);
    }
    this.usageLimits = props.usageLimits;
    ({
      users: this.users,
      cache: this.cache,
      exports: this.exports,
    } = createCellResources(this, {
      environment: props.environment,
      cell: this.cellName,
      settings: props,
      network: props.network,
      rotationFunctionArn: props.rotationFunctionArn,
      description: `Shared cache of the cache platform (${props.environment}, cell ${this.cellName})`,
    }));
  }
}

/**
 * The user group, cache and exports of one cell, created in `scope` under the ids every cell uses
 * (`users`, `cache`, `exports`): the foundation's default cell and each `CacheCell` alike.
 */
export function createCellResources(
  scope: Construct,
  props: {
    readonly environment: string;
    /** undefined for the default cell (names and export paths that predate cells) */
    readonly cell?: string;
    readonly settings: CellCacheSettings;
    readonly network: CacheNetwork;
    readonly rotationFunctionArn: string;
    readonly description: string;
  },
): Pick<CacheCellResources, 'users' | 'cache' | 'exports'> {
  const { environment, cell, settings, network } = props;
  const names = validated(scope, () => platformResourceNames(environment, cell));
  const users = new CacheUserGroup(scope, 'users', { environment, cell, tags: settings.tags });
  const cache = new SharedServerlessCache(scope, 'cache', {
    name: names.cacheName,
    engine: settings.engine,
    majorEngineVersion: settings.majorEngineVersion,
    usageLimits: settings.usageLimits,
    kmsKeyArn: settings.kmsKeyArn,
    snapshotRetentionLimit: settings.snapshotRetentionLimit,
    dailySnapshotTime: settings.dailySnapshotTime,
    securityGroupIds: [network.cacheSecurityGroup.id],
    subnetIds: network.subnetIds,
    userGroupId: users.userGroupId,
    preventDestroy: settings.preventDestroy,
    description: props.description,
    tags: settings.tags,
  });
  const exports = new PlatformExports(scope, 'exports', {
    environment,
    cell,
    values: {
      endpointAddress: cache.endpointAddress,
      endpointPort: cache.endpointPort,
      readerPort: cache.readerPort,
      cacheName: cache.name,
      cacheArn: cache.arn,
      engine: cache.cache.engine,
      userGroupId: users.userGroupId,
      clientSecurityGroupId: network.clientSecurityGroup.id,
      rotationFunctionArn: props.rotationFunctionArn,
    },
    subnetIds: network.subnetIds,
    tags: settings.tags,
  });
  return { users, cache, exports };
}

/** The foundation's own cache seen as the default cell. */
export function defaultCell(foundation: SharedCacheFoundation, usageLimits?: CacheUsageLimits): CacheCellResources {
  return { cellName: DEFAULT_CELL, users: foundation.users, cache: foundation.cache, exports: foundation.exports, usageLimits };
}
