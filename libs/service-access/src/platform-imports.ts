import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { DEFAULT_CELL, platformExportNames, type PlatformExportNames } from '@cache-platform/cache-contract';
import { validated } from '@cache-platform/stack-base';

export interface PlatformImportsProps {
  /** environment whose platform stack wrote the exports (`/cache-platform/<env>/exports/...`) */
  readonly environment: string;
  /**
   * The cell whose exports to read (`/cache-platform/<env>/cells/<cell>/exports/...`).
   * @default the default cell
   */
  readonly cell?: string;
}

/**
 * The service side of the platform's `PlatformExports`: reads the shared cache's identifiers from
 * the SSM parameters the platform stack wrote, one data source per value actually used (created on
 * first use, so a stack reads only what it needs). Pass one to every construct that needs platform
 * values; nothing here can modify a platform resource.
 */
export class PlatformImports extends Construct {
  readonly environment: string;
  /** the cell whose exports these are */
  readonly cell: string;
  readonly names: PlatformExportNames;
  private readonly parameters = new Map<keyof PlatformExportNames, DataAwsSsmParameter>();

  constructor(scope: Construct, id: string, props: PlatformImportsProps) {
    super(scope, id);
    this.names = validated(this, () => platformExportNames(props.environment, props.cell));
    this.environment = props.environment;
    this.cell = props.cell ?? DEFAULT_CELL;
  }

  /** The value of one export (a token resolved at plan time). */
  value(key: keyof PlatformExportNames): string {
    let parameter = this.parameters.get(key);
    if (!parameter) {
      // exports are plain String/StringList: insecure_value keeps them readable in plans
      parameter = new DataAwsSsmParameter(this, key, { name: this.names[key] });
      this.parameters.set(key, parameter);
    }
    return parameter.insecureValue;
  }

  get userGroupId(): string {
    return this.value('userGroupId');
  }
  get cacheName(): string {
    return this.value('cacheName');
  }
  get cacheArn(): string {
    return this.value('cacheArn');
  }
  get endpointAddress(): string {
    return this.value('endpointAddress');
  }
  get endpointPort(): number {
    return Fn.tonumber(this.value('endpointPort'));
  }
  get readerPort(): number {
    return Fn.tonumber(this.value('readerPort'));
  }
  get clientSecurityGroupId(): string {
    return this.value('clientSecurityGroupId');
  }
  get rotationFunctionArn(): string {
    return this.value('rotationFunctionArn');
  }
  get subnetIds(): string[] {
    return Fn.split(',', this.value('subnetIds'));
  }
}
