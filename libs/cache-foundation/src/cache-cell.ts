import { Construct } from 'constructs';
import { assertCellName, DEFAULT_CELL, platformResourceNames } from '@cache-platform/cache-contract';
import { validated } from '@cache-platform/stack-base';
import { PlatformExports } from './exports';
import type { CacheNetwork } from './network';
import { SharedServerlessCache, type CacheSettings } from './serverless-cache';
import { CacheUserGroup } from './user-group';

export interface CacheCellProps {
  /** environment name (contract rules) */
  readonly environment: string;
  /**
   * The cell's name (contract rules: lower-case letters and digits, at most 6). The default cell
   * (`DEFAULT_CELL`) keeps the names an environment had before cells: cache `cache-platform-<env>`,
   * exports under `/cache-platform/<env>/exports/`; another cell's names carry `-<cell>` and its
   * exports sit under `/cache-platform/<env>/cells/<cell>/exports/`.
   */
  readonly cell: string;
  /**
   * The cell's cache settings, as the environment list resolved them (its own over the environment's).
   * @default every setting at its default (see {@link CacheSettings})
   */
  readonly cache?: CacheSettings;
  /** the environment's network: every cell sits behind the same cache and clients security groups */
  readonly network: CacheNetwork;
  /**
   * ARN of the environment's password rotation function (the foundation's): one function rotates
   * every service secret of the environment, whatever the cell (service users are not cell-specific).
   */
  readonly rotationFunctionArn: string;
  /**
   * Extra tags on the cell's resources (ownership tags come from the provider's `default_tags`).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/**
 * One shared cache of an environment (a "cell"), the default cell and every other alike: its own
 * serverless cache, its own user group with its own disabled `default` user, and its own SSM exports.
 * It reuses the environment's network (the cache security group admits only the clients group, which
 * every service attaches whatever its cell), so a cell adds no security-group rules. Services pick a
 * cell in their manifest.
 *
 * A serverless cache takes exactly one user group, and a user group holds at most 100 users by
 * default (the disabled `default` user included), so one cache serves at most 99 services; more
 * services, or a smaller blast radius, need more cells (the quota check is the contract's
 * `cell-quota.ts`).
 *
 * Construct ids are Terraform addresses. The platform stack builds the default cell as the child
 * `Default` of the foundation: cdktf leaves a `Default` path segment out of logical ids, so the default
 * cell's resources keep the addresses they had when the foundation created them itself.
 */
export class CacheCell extends Construct {
  /** the cell's name (`DEFAULT_CELL` for the default cell) */
  readonly cellName: string;
  readonly users: CacheUserGroup;
  readonly cache: SharedServerlessCache;
  readonly exports: PlatformExports;

  constructor(scope: Construct, id: string, props: CacheCellProps) {
    super(scope, id);
    const { environment, network, tags } = props;
    this.cellName = validated(this, () => assertCellName(props.cell));
    // the default cell's names and export paths predate cells: no cell in them
    const cell = this.cellName === DEFAULT_CELL ? undefined : this.cellName;
    const names = validated(this, () => platformResourceNames(environment, cell));
    this.users = new CacheUserGroup(this, 'users', { environment, cell, tags });
    this.cache = new SharedServerlessCache(this, 'cache', {
      ...props.cache,
      name: names.cacheName,
      securityGroupIds: [network.cacheSecurityGroup.id],
      subnetIds: network.subnetIds,
      userGroupId: this.users.userGroupId,
      description: `Shared cache of the cache platform (${environment}${cell === undefined ? '' : `, cell ${cell}`})`,
      tags,
    });
    this.exports = new PlatformExports(this, 'exports', {
      environment,
      cell,
      values: {
        endpointAddress: this.cache.endpointAddress,
        endpointPort: this.cache.endpointPort,
        readerPort: this.cache.readerPort,
        cacheName: this.cache.name,
        cacheArn: this.cache.arn,
        engine: this.cache.cache.engine,
        userGroupId: this.users.userGroupId,
        clientSecurityGroupId: network.clientSecurityGroup.id,
        rotationFunctionArn: props.rotationFunctionArn,
      },
      subnetIds: network.subnetIds,
      tags,
    });
  }
}
