import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/* A moto_server (local AWS API emulator) for apply-then-plan tests, and the few API calls they need. */

export const MOTO_REGION = 'us-east-1';
export const MOTO_ACCOUNT = '123456789012';

/** Commands the moto tests need that are missing from PATH. */
export function missingCommands(commands: readonly string[]): string[] {
  return commands.filter((command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status !== 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class MotoServer {
  private constructor(
    readonly endpoint: string,
    private readonly child: ChildProcess,
    private readonly output: () => string,
  ) {}

  /** Starts moto_server on a free loopback port and waits until it answers. */
  static async start(timeoutMs = 20_000): Promise<MotoServer> {
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // AWS managed policies (AWSLambdaVPCAccessExecutionRole) exist in moto only when loaded
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    const server = new MotoServer(`http://127.0.0.1:${port}`, child, () => output);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
      try {
        const response = await fetch(`${server.endpoint}/moto-api/data.json`);
        if (response.ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`moto_server did not answer on ${server.endpoint} within ${timeoutMs} ms: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
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
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
