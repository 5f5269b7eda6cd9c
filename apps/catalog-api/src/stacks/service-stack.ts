import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { assertServiceManifest } from '@cache-platform/cache-contract';
import { CacheFunction, ServiceCacheAccess } from '@cache-platform/service-access';
import { configureAwsStack } from '@cache-platform/stack-base';
import manifestJson from '../../cache-service.json';
import type { ServiceEnvironment } from '../environments';

export const manifest = assertServiceManifest(manifestJson, 'apps/catalog-api/cache-service.json');

export interface CatalogApiStackProps {
  /** the environment this stack deploys to */
  readonly environment: ServiceEnvironment & { readonly name: string };
  /** folder holding the bundled handler (the `bundle` target writes dist/handler) */
  readonly bundleDir: string;
}

/** catalog-api in one environment: its scoped Redis user, secret, keyspace claim and Lambda. */
export class CatalogApiStack extends TerraformStack {
  readonly access: ServiceCacheAccess;
  readonly handler: CacheFunction;

  constructor(scope: Construct, id: string, props: CatalogApiStackProps) {
    super(scope, id);
    const { environment } = props;
    configureAwsStack(this, {
      environment: environment.name,
      region: environment.region,
      stateBucket: environment.stateBucket,
      service: manifest.service,
      owner: manifest.owner,
      purpose: manifest.purpose,
    });
    this.access = new ServiceCacheAccess(this, 'cache-access', {
      service: manifest.service,
      environment: environment.name,
      keyspace: manifest.keyspace,
      owner: manifest.owner,
      purpose: manifest.purpose,
      accessProfile: manifest.accessProfile,
      authMode: manifest.authMode,
    });
    this.handler = new CacheFunction(this, 'handler', { access: this.access, bundleDir: props.bundleDir });
  }
}
