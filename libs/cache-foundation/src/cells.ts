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
    const names = validated(this, () => platformResourceNames(props.environment, this.cellName));
    this.usageLimits = props.usageLimits;
    this.users = new CacheUserGroup(this, 'users', { environment: props.environment, cell: this.cellName, tags: props.tags });
    this.cache = new SharedServerlessCache(this, 'cache', {
      name: names.cacheName,
      engine: props.engine,
      majorEngineVersion: props.majorEngineVersion,
      usageLimits: props.usageLimits,
      kmsKeyArn: props.kmsKeyArn,
      snapshotRetentionLimit: props.snapshotRetentionLimit,
      dailySnapshotTime: props.dailySnapshotTime,
      securityGroupIds: [props.network.cacheSecurityGroup.id],
      subnetIds: props.network.subnetIds,
      userGroupId: this.users.userGroupId,
      preventDestroy: props.preventDestroy,
      description: `Shared cache of the cache platform (${props.environment}, cell ${this.cellName})`,
      tags: props.tags,
    });
    this.exports = new PlatformExports(this, 'exports', {
      environment: props.environment,
      cell: this.cellName,
      values: {
        endpointAddress: this.cache.endpointAddress,
        endpointPort: this.cache.endpointPort,
        readerPort: this.cache.readerPort,
        cacheName: this.cache.name,
        cacheArn: this.cache.arn,
        engine: this.cache.cache.engine,
        userGroupId: this.users.userGroupId,
        clientSecurityGroupId: props.network.clientSecurityGroup.id,
        rotationFunctionArn: props.rotationFunctionArn,
      },
      subnetIds: props.network.subnetIds,
      tags: props.tags,
    });
  }
}

/** The foundation's own cache seen as the default cell. */
export function defaultCell(foundation: SharedCacheFoundation, usageLimits?: CacheUsageLimits): CacheCellResources {
  return { cellName: DEFAULT_CELL, users: foundation.users, cache: foundation.cache, exports: foundation.exports, usageLimits };
}
