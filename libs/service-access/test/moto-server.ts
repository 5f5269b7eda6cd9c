import { missingCommands, startMotoProcess, type MotoProcess } from '@cache-platform/cache-client/testing';

/* A moto_server (local AWS API emulator) for apply-then-plan tests, and the few API calls they need. */

export const MOTO_REGION = 'us-east-1';
export const MOTO_ACCOUNT = '123456789012';

export { missingCommands };

export class MotoServer {
  private constructor(private readonly moto: MotoProcess) {}

  /** Starts moto_server on a free loopback port and waits until it answers. */
  static async start(timeoutMs = 20_000): Promise<MotoServer> {
    // AWS managed policies (AWSLambdaVPCAccessExecutionRole) exist in moto only when loaded
    return new MotoServer(await startMotoProcess({ MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' }, timeoutMs));
  }

  get endpoint(): string {
    return this.moto.endpoint;
  }

  /** Forgets every resource (POST /moto-api/reset). */
  async reset(): Promise<void> {
    const response = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
  }

  /** Calls a JSON-protocol AWS API (SSM, Secrets Manager); moto routes by the credential scope. */
  async call(service: 'ssm' | 'secretsmanager', target: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': target,
        Authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${MOTO_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${target} failed: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }

  putParameter(name: string, value: string, type: 'String' | 'StringList' = 'String'): Promise<unknown> {
    return this.call('ssm', 'AmazonSSM.PutParameter', { Name: name, Value: value, Type: type, Overwrite: true });
  }

  async getParameter(name: string): Promise<string> {
    const result = await this.call('ssm', 'AmazonSSM.GetParameter', { Name: name });
    return (result['Parameter'] as { Value: string }).Value;
  }

  async getSecretString(secretId: string): Promise<string> {
    const result = await this.call('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: secretId });
    return result['SecretString'] as string;
  }

  /** Provider settings that send every AWS call of a test stack to this server. */
  providerOverrides(): Record<string, unknown> {
    const services = ['ssm', 'secretsmanager', 'iam', 'sts', 'elasticache', 'lambda', 'ec2', 'cloudwatchlogs'];
    return {
      accessKey: 'testing',
      secretKey: 'testing',
      skipCredentialsValidation: true,
      skipRequestingAccountId: true,
      skipMetadataApiCheck: 'true',
      // unsupported calls answer HTTP 500, which the provider would otherwise retry for minutes
      maxRetries: 1,
      endpoints: [Object.fromEntries(services.map((service) => [service, this.endpoint]))],
    };
  }

  /** Last lines moto printed, for failure messages. */
  log(): string {
    return this.moto.output();
  }

  stop(): Promise<void> {
    return this.moto.stop();
  }
}
