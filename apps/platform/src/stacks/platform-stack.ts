import { resolve } from 'node:path';
import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { DEFAULT_CELL } from '@cache-platform/cache-contract';
import { CacheCell, PlatformAlarms, SharedCacheFoundation } from '@cache-platform/cache-foundation';
import { configureAwsStack } from '@cache-platform/stack-base';
import { environmentCells, type Environment, type EnvironmentCell } from '@cache-platform/platform-environments';

import { PLATFORM_PURPOSE, PLATFORM_SERVICE } from '../ownership';

export { PLATFORM_PURPOSE, PLATFORM_SERVICE };

export interface PlatformStackProps {
  /** the environment to deploy (one of `ENVIRONMENTS` in `@cache-platform/platform-environments`) */
  readonly environment: Environment;
  /**
   * Extra AWS provider settings, e.g. endpoints of a local AWS emulator in tests.
   * @default none
   */
  readonly providerOverrides?: Record<string, unknown>;
  /**
   * Folder holding the bundled password rotation function.
   * @default {@link ROTATION_BUNDLE_DIR}
   */
  readonly rotationBundleDir?: string;
}

/** Where `nx run secret-rotation:bundle` writes the platform's password rotation function. */
export const ROTATION_BUNDLE_DIR = resolve(__dirname, '../../../../libs/secret-rotation/dist/handler');

// one definition, shared with the cdktf wrapper's state checks
export { platformStackId } from '@cache-platform/platform-environments';

/**
 * The platform in one environment: the AWS provider with ownership `default_tags`, the state
 * backend, and the shared cache foundation. Nothing service-specific lives here.
 *
 * Construct ids are Terraform addresses: renaming `foundation`, `Default` or `cell-<name>` (or anything
 * below them) would make Terraform replace a cache. Do not rename them; the one-cell fixture test
 * (`cells.spec.ts`) fails when an address of the default cell changes.
 */
export class PlatformStack extends TerraformStack {
  readonly foundation: SharedCacheFoundation;
  /** every cell of the environment, the default cell first */
  readonly cells: readonly CacheCell[];
  /** the default cell, whose names predate cells (the stack's outputs describe it) */
  readonly defaultCell: CacheCell;
  readonly alarms: PlatformAlarms;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { name, region, stateBucket, platform } = props.environment;
    // platform.cache reaches the cells through environmentCells, with each cell's own settings over it
    const { owner, cache: _cells, ...shared } = platform;

    configureAwsStack(this, {
      environment: name,
      region,
      service: PLATFORM_SERVICE,
      owner,
      purpose: PLATFORM_PURPOSE,
      stateBucket,
      providerOverrides: props.providerOverrides,
    });

    this.foundation = new SharedCacheFoundation(this, 'foundation', {
      environment: name,
      ...shared,
      rotation: { bundleDir: props.rotationBundleDir ?? ROTATION_BUNDLE_DIR, secretsKmsKeyArn: props.environment.secretsKmsKeyArn },
    });
    // every cell by the same construct, where its addresses have always been: the default cell under the
    // foundation as `Default` (a segment cdktf leaves out of logical ids: `foundation_cache_...` as when
    // the foundation built it), the others beside the foundation as `cell-<name>`
    const build = ({ name: cell, cache }: EnvironmentCell) =>
      new CacheCell(cell === DEFAULT_CELL ? this.foundation : this, cell === DEFAULT_CELL ? 'Default' : `cell-${cell}`, {
        environment: name,
        cell,
        cache,
        network: this.foundation.network,
        rotationFunctionArn: this.foundation.rotation.functionArn,
        tags: shared.tags,
      });
    const [main, ...more] = environmentCells(props.environment).cells;
    this.defaultCell = build(main);
    this.cells = [this.defaultCell, ...more.map(build)];
    this.alarms = new PlatformAlarms(this, 'alarms', {
      environment: name,
      cells: this.cells,
      settings: props.environment.alarms,
      rotationFunctionName: this.foundation.rotation.functionName,
      tags: shared.tags,
    });

    // what an operator wants to see after `cdktf deploy`; service stacks read the SSM exports instead
    new TerraformOutput(this, 'cache_name', { value: this.defaultCell.cache.name, description: 'serverless cache name' });
    new TerraformOutput(this, 'endpoint_address', {
      value: this.defaultCell.cache.endpointAddress,
      description: 'cache endpoint (TLS, 6379 primary, 6380 reader)',
    });
    new TerraformOutput(this, 'client_security_group_id', {
      value: this.foundation.network.clientSecurityGroup.id,
      description: 'security group services attach to reach the cache',
    });
    new TerraformOutput(this, 'user_group_id', { value: this.defaultCell.users.userGroupId, description: 'user group services join' });
    new TerraformOutput(this, 'rotation_function_arn', {
      value: this.foundation.rotation.functionArn,
      description: 'password rotation function of password-auth service secrets',
    });
    new TerraformOutput(this, 'alarm_topic_arn', {
      value: this.alarms.topicArn,
      description: 'SNS topic of every cache and service alarm',
    });
    for (const cell of this.cells.slice(1)) {
      new TerraformOutput(this, `cell_${cell.cellName}_cache_name`, {
        value: cell.cache.name,
        description: `cache of cell ${cell.cellName}`,
      });
    }
  }
}
