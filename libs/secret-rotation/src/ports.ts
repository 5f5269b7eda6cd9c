// What the rotation steps need from the outside world, as small interfaces: the steps stay pure
// (unit tests use in-memory fakes), the AWS SDK lives in the adapters (aws-secrets.ts, aws-users.ts),
// and the integration test swaps the ElastiCache side for ACL changes on a real redis-server.
import type { CacheSecretPayload } from '@cache-platform/cache-contract';

/** The staging labels Secrets Manager's rotation protocol uses. */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

/** What `DescribeSecret` says about a secret, as far as rotation needs it. */
export interface SecretState {
  /** `RotationEnabled`: false once rotation was turned off or cancelled (`CancelRotateSecret`) */
  readonly rotationEnabled: boolean;
  /** version id → staging labels (`VersionIdsToStages`) */
  readonly versions: Readonly<Record<string, readonly string[]>>;
  /** `RotationLambdaARN`: set once rotation was configured (IAM services never have one) */
  readonly rotationLambdaArn?: string;
  /** `RotationRules.ScheduleExpression` */
  readonly scheduleExpression?: string;
  /** `LastRotatedDate`, `CreatedDate`, `NextRotationDate` in ms since the epoch */
  readonly lastRotatedMs?: number;
  readonly createdMs?: number;
  readonly nextRotationMs?: number;
}

/** The Secrets Manager calls of a rotation (IAM: DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage). */
export interface SecretsPort {
  /** `DescribeSecret`: whether rotation is enabled, and every version's staging labels. */
  describe(secretId: string): Promise<SecretState>;
  /**
   * The secret string of the version holding `stage` (and, when given, with id `versionId`);
   * `undefined` when there is no such version or it has no value yet (`ResourceNotFoundException`),
   * which is what `createSecret` finds before it has put the pending value. Other errors are thrown.
   */
  getValue(secretId: string, selector: { readonly stage: string; readonly versionId?: string }): Promise<string | undefined>;
  /** Stores `secretString` as version `versionId` labelled AWSPENDING (`PutSecretValue`). */
  putPendingValue(secretId: string, versionId: string, secretString: string): Promise<void>;
  /**
   * Stores `secretString` as version `versionId` labelled AWSCURRENT (`PutSecretValue`): Secrets
   * Manager moves AWSPREVIOUS to the version that held AWSCURRENT. Same id and value again: no-op.
   */
  putCurrentValue(secretId: string, versionId: string, secretString: string): Promise<void>;
  /** Takes `stage` off `fromVersionId` (`UpdateSecretVersionStage` with `RemoveFromVersionId` only). */
  removeStage(secretId: string, stage: string, fromVersionId: string): Promise<void>;
  /**
   * Moves `stage` to `toVersionId`, removing it from `fromVersionId` (`UpdateSecretVersionStage`);
   * Secrets Manager then labels `fromVersionId` AWSPREVIOUS when the stage is AWSCURRENT.
   */
  moveStage(
    secretId: string,
    move: { readonly stage: string; readonly toVersionId: string; readonly fromVersionId?: string },
  ): Promise<void>;
}

/** An ElastiCache user as the rotation sees it (`DescribeUsers`). */
export interface UserState {
  /** `active`, `modifying`, `creating`, `deleting` ... only `active` users can be modified */
  readonly status: string;
  /** how many passwords the user has (`Authentication.PasswordCount`): 2 during the overlap */
  readonly passwordCount: number;
}

/** The ElastiCache calls of a rotation (IAM: elasticache:DescribeUsers, elasticache:ModifyUser). */
export interface UsersPort {
  /** The user's status and password count; throws when the user does not exist. */
  describeUser(userId: string): Promise<UserState>;
  /** Replaces the user's passwords (`ModifyUser` with `Passwords`, at most two). */
  setPasswords(userId: string, passwords: readonly string[]): Promise<void>;
}

/**
 * Authenticates to the cache with a secret's username and password over verified TLS, and throws
 * when the server refuses (the message never carries the password). See auth-check.ts.
 */
export interface AuthCheck {
  (secret: CacheSecretPayload): Promise<void>;
}

/** The values a cell's platform stack exports (SSM parameters under the cell's export path). */
export interface CellEndpoint {
  readonly endpointAddress: string;
  readonly endpointPort: number;
  readonly readerPort: number;
  readonly cacheName: string;
}

/** Reads a cell's exports (IAM: ssm:GetParameters on the environment's export parameters). */
export interface ExportsPort {
  /** throws naming the parameter when one is missing */
  cellEndpoint(environment: string, cell: string): Promise<CellEndpoint>;
  /** the services holding a keyspace claim in the environment (ssm:GetParametersByPath on its keyspaces path) */
  claimedServices(environment: string): Promise<string[]>;
}
