import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { cellOf, ContractViolation, serverlessTarget, type ServiceManifest } from '@cache-platform/cache-contract';
import { environmentCell, environmentCells, type Environment } from '@cache-platform/platform-environments';
import { configureAwsStack, validated } from '@cache-platform/stack-base';
import { ServiceAlarms } from './alarms';
import { CacheFunction } from './cache-function';
import { PlatformImports } from './platform-imports';
import { ServiceCacheAccess, type ServiceCacheAccessProps } from './service-cache-access';

export interface ServiceStackProps {
  /** the service's validated `cache-service.json` */
  readonly manifest: ServiceManifest;
  /** the environment this stack deploys to */
  readonly environment: Environment;
  /** folder holding the bundled handler (the `bundle` target writes `<app>/dist/handler`) */
  readonly bundleDir: string;
  /**
   * Extra AWS provider settings, e.g. endpoints of a local AWS emulator in tests.
   * @default none
   */
  readonly providerOverrides?: Record<string, unknown>;
  /**
   * Settings of the service's cache access beyond what the manifest says (e.g. a raised bootstrap
   * document version in the lifecycle test).
   * @default none
   */
  readonly accessOverrides?: Pick<ServiceCacheAccessProps, 'secretDocumentVersion'>;
}

// one definition, shared with the cdktf wrapper's state checks
export { serviceStackId } from '@cache-platform/platform-environments';

/**
 * One service in one environment, built from its manifest alone: the provider with ownership
 * `default_tags` and the state backend, the platform's exports, the scoped Redis user, secret,
 * keyspace claim and group membership, and the Lambda with its grants. Every service stack is this
 * class, so a change here reaches every service on its next synth.
 *
 * Construct ids are Terraform addresses: renaming `cache-access` or `handler` would make Terraform
 * replace the service's user and secret. Do not rename them.
 */
export class ServiceStack extends TerraformStack {
  readonly manifest: ServiceManifest;
  readonly environment: Environment;
  readonly platform: PlatformImports;
  readonly access: ServiceCacheAccess;
  readonly handler: CacheFunction;
  readonly alarms: ServiceAlarms;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id);
    const { manifest, environment } = props;
    this.manifest = manifest;
    this.environment = environment;
    configureAwsStack(this, {
      environment: environment.name,
      region: environment.region,
      stateBucket: environment.stateBucket,
      service: manifest.service,
      owner: manifest.owner,
      purpose: manifest.purpose,
      providerOverrides: props.providerOverrides,
    });
    const cell = validated(this, () => {
      const name = cellOf(manifest);
      const found = environmentCell(environment, name);
      if (!found) {
        throw new ContractViolation(
          'cell',
          name,
          `environment ${environment.name} has no such cell (cells: ${environmentCells(environment)
            .cells.map((c) => c.name)
            .join(', ')})`,
        );
      }
      return found;
    });
    // the default cell reads the exports it always read; another cell's are under .../cells/<cell>/
    this.platform = new PlatformImports(this, 'platform', { environment: environment.name, cell: manifest.cell });
    // the access string names only commands the service's cache has (its cell may run another engine)
    const { engine, majorEngineVersion } = cell.cache;
    this.access = new ServiceCacheAccess(this, 'cache-access', {
      ...manifest,
      platform: this.platform,
      cacheTarget: serverlessTarget(engine, majorEngineVersion),
      passwordRotationSchedule: environment.passwordRotationSchedule,
      secretKmsKeyArn: environment.secretsKmsKeyArn,
      ...props.accessOverrides,
    });
    this.handler = new CacheFunction(this, 'handler', {
      ...manifest.function,
      access: this.access,
      bundleDir: props.bundleDir,
      securityGroupIds: manifest.function.securityGroupIds?.[environment.name],
    });
    this.alarms = new ServiceAlarms(this, 'alarms', {
      environment: environment.name,
      keyspace: manifest.keyspace,
      names: this.access.names,
      functionName: this.handler.function.functionName,
      thresholds: manifest.alarms,
      tags: this.access.tags,
    });
  }
}
