import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { serverlessTarget, type ServiceManifest } from '@cache-platform/cache-contract';
import type { Environment } from '@cache-platform/platform-environments';
import { configureAwsStack } from '@cache-platform/stack-base';
import { CacheFunction } from './cache-function';
import { PlatformImports } from './platform-imports';
import { ServiceCacheAccess } from './service-cache-access';

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
}

/** Stack id (and state file name) of a service in an environment. */
export function serviceStackId(service: string, environment: string): string {
  return `${service}-${environment}`;
}

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
    this.platform = new PlatformImports(this, 'platform', { environment: environment.name });
    this.access = new ServiceCacheAccess(this, 'cache-access', {
      ...manifest,
      platform: this.platform,
      // the access string names only commands the environment's cache has
      cacheTarget: serverlessTarget(environment.platform.engine, environment.platform.majorEngineVersion),
      passwordRotationSchedule: environment.passwordRotationSchedule,
    });
    this.handler = new CacheFunction(this, 'handler', {
      ...manifest.function,
      access: this.access,
      bundleDir: props.bundleDir,
      securityGroupIds: manifest.function.securityGroupIds?.[environment.name],
    });
  }
}
