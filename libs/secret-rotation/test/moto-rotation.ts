// moto_server as the Secrets Manager of a rotation: a secret, and RotateSecret's first move (a new
// version labelled AWSPENDING with no value yet) before the steps run. moto's RotateSecret only does
// that when the secret names a rotation Lambda it knows; its "simple" Lambda backend (no Docker)
// answers invocations without running anything, so the steps are left to the test, as Secrets
// Manager leaves them to the rotation function.
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { missingCommands, startMotoProcess, type MotoProcess } from '@cache-platform/cache-client/testing';

export const MOTO_REGION = 'us-east-1';
const ACCOUNT = '123456789012';
// an empty zip archive: moto stores the code of a function it never runs
const EMPTY_ZIP = 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==';

/**
 * The suite's tools (moto_server, and whatever else it names): missing ones fail the suite, unless
 * CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1 (an input of the test target, so a skip is never replayed as a pass).
 */
export function toolPrerequisites(suite: string, commands: readonly string[] = ['moto_server']): { describeWithTools: jest.Describe } {
  const missing = missingCommands(commands);
  const allowMissing = process.env['CACHE_PLATFORM_ALLOW_MISSING_TOOLS'] === '1';
  if (missing.length > 0 && allowMissing)
    console.warn(`skipping ${suite}: ${missing.join(', ')} missing (CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1)`);
  if (missing.length > 0 && !allowMissing) {
    describe(`${suite} prerequisites`, () => {
      it(`has ${commands.join(', ')}`, () => {
        throw new Error(
          `${missing.join(', ')} missing: pip install 'moto[server]' for moto_server, apt-get install -y redis-server openssl for the others (.ci/run installs redis-server); ` +
            'or set CACHE_PLATFORM_ALLOW_MISSING_TOOLS=1 to skip this suite knowingly',
        );
      });
    });
  }
  return { describeWithTools: missing.length > 0 ? describe.skip : describe };
}

export class RotationMoto {
  private constructor(
    private readonly moto: MotoProcess,
    readonly client: SecretsManagerClient,
    private readonly lambdaArn: string,
  ) {}

  static async start(): Promise<RotationMoto> {
    const moto = await startMotoProcess();
    try {
      const call = async (path: string, service: string, init: { body: string; contentType: string }) => {
        // moto routes a request by the service in the credential scope; it checks no signature unless told to
        const response = await fetch(`${moto.endpoint}${path}`, {
          method: 'POST',
          headers: {
            'content-type': init.contentType,
            authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${MOTO_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
          },
          body: init.body,
        });
        if (!response.ok) throw new Error(`moto ${service} ${path} answered ${response.status}: ${await response.text()}`);
      };
      await call('/moto-api/config', 'moto', { contentType: 'application/json', body: JSON.stringify({ lambda: { use_docker: false } }) });
      await call('/', 'iam', {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({
          Action: 'CreateRole',
          Version: '2010-05-08',
          RoleName: 'rotation',
          AssumeRolePolicyDocument: '{}',
        }).toString(),
      });
      await call('/2015-03-31/functions', 'lambda', {
        contentType: 'application/json',
        body: JSON.stringify({
          FunctionName: 'rotation',
          Runtime: 'nodejs22.x',
          Role: `arn:aws:iam::${ACCOUNT}:role/rotation`,
          Handler: 'index.handler',
          Code: { ZipFile: EMPTY_ZIP },
        }),
      });
      const client = new SecretsManagerClient({
        region: MOTO_REGION,
        endpoint: moto.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      return new RotationMoto(moto, client, `arn:aws:lambda:${MOTO_REGION}:${ACCOUNT}:function:rotation`);
    } catch (error) {
      await moto.stop();
      throw error;
    }
  }

  get endpoint(): string {
    return this.moto.endpoint;
  }

  /** Creates a secret; returns its ARN. */
  async createSecret(name: string, value: string): Promise<string> {
    const out = await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return out.ARN as string;
  }

  /** RotateSecret with the rotation Lambda: leaves a version labelled AWSPENDING without a value; returns its id. */
  async startRotation(secretId: string, token: string = randomUUID()): Promise<string> {
    await this.client.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: this.lambdaArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    return token;
  }

  output(): string {
    return this.moto.output();
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.moto.stop();
  }
}
