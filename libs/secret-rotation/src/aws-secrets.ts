// The secrets port on the AWS SDK v3 Secrets Manager client. Four actions, all on the secret being
// rotated: secretsmanager:DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { AWSCURRENT, AWSPENDING, type SecretsPort } from './ports';

/** `client` defaults to one for the Lambda's region (`AWS_REGION`) and the role's credentials. */
export function awsSecretsPort(client: SecretsManagerClient = new SecretsManagerClient({})): SecretsPort {
  // the version id goes in as ClientRequestToken: a retry with the same id and value is a no-op, not a new version
  const putValue = async (secretId: string, versionId: string, secretString: string, stage: string): Promise<void> => {
    await client.send(
      new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: secretString, VersionStages: [stage] }),
    );
  };
  return {
    async describe(secretId) {
      const out = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return {
        rotationEnabled: out.RotationEnabled === true,
        versions: out.VersionIdsToStages ?? {},
        rotationLambdaArn: out.RotationLambdaARN,
        scheduleExpression: out.RotationRules?.ScheduleExpression,
        lastRotatedMs: out.LastRotatedDate?.getTime(),
        createdMs: out.CreatedDate?.getTime(),
        nextRotationMs: out.NextRotationDate?.getTime(),
      };
    },
    async getValue(secretId, { stage, versionId }) {
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }));
        return out.SecretString;
      } catch (error) {
        // no such version, or a version RotateSecret created that has no value yet
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    putPendingValue: (secretId, versionId, secretString) => putValue(secretId, versionId, secretString, AWSPENDING),
    putCurrentValue: (secretId, versionId, secretString) => putValue(secretId, versionId, secretString, AWSCURRENT),
    async removeStage(secretId, stage, fromVersionId) {
      await client.send(
        new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: stage, RemoveFromVersionId: fromVersionId }),
      );
    },
    async moveStage(secretId, { stage, toVersionId, fromVersionId }) {
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          MoveToVersionId: toVersionId,
          RemoveFromVersionId: fromVersionId,
        }),
      );
    },
  };
}
