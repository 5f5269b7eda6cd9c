import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/*
 * moto_server (a local AWS API emulator) with its IAM checks on: after the first `noAuthActions` API
 * calls (the setup), every call must carry a SigV4 signature that moto recomputes with botocore, from
 * credentials it issued, and IAM policies that allow the action on the resource.
 */

export const MOTO_REGION = 'eu-west-1';

const canImportBoto3 = (python: string) => spawnSync(python, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

/**
 * A Python that has boto3: the one beside moto_server first (its installation; npm and Nx put
 * /usr/bin early on PATH, so a bare `python3` may be the system one without it), else `python3`.
 */
function findPython(): string | undefined {
  const moto = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
  const candidates = moto ? [join(dirname(moto), 'python3'), join(dirname(moto), 'python'), 'python3'] : ['python3'];
  return candidates.find(canImportBoto3);
}

const PYTHON = findPython();

/** What the moto tests need and is missing: moto_server, and a Python with boto3 (the independent client). */
export function missingMotoTools(): string[] {
  const missing: string[] = [];
  if (spawnSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' }).status !== 0) missing.push('moto_server');
  if (!PYTHON) missing.push('python3 with boto3');
  return missing;
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

export class MotoSecretsServer {
  private constructor(
    readonly endpoint: string,
    private readonly child: ChildProcess,
    private readonly output: () => string,
  ) {}

  static async start(noAuthActions: number, timeoutMs = 20_000): Promise<MotoSecretsServer> {
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(noAuthActions) },
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    const server = new MotoSecretsServer(`http://127.0.0.1:${port}`, child, () => output);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
      try {
        if ((await fetch(`${server.endpoint}/moto-api/data.json`)).ok) return server;
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

  /** Runs a boto3 script against this server (the independent AWS client); its last stdout line is JSON. */
  boto3<T>(
    script: string,
    credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: 'setup', secretAccessKey: 'setup' },
  ): T {
    const result = spawnSync(PYTHON ?? 'python3', ['-c', `import boto3, json\n${script}`], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        // the environment as it is (a pyenv shim needs its variables), but none of this machine's AWS settings
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_ENDPOINT_URL: this.endpoint,
        AWS_DEFAULT_REGION: MOTO_REGION,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    });
    if (result.status !== 0) throw new Error(`boto3 script failed (${result.status}): ${result.stderr}\n${this.output()}`);
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null') as T;
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
