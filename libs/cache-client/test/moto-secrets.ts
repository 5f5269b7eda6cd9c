import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { missingCommands, startMotoProcess, type MotoProcess } from './moto-process';

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
  missing.push(...missingCommands(['moto_server']));
  if (!PYTHON) missing.push('python3 with boto3');
  return missing;
}

export class MotoSecretsServer {
  private constructor(private readonly moto: MotoProcess) {}

  /** moto with its IAM checks on after the first `noAuthActions` calls (the setup). */
  static async start(noAuthActions: number, timeoutMs = 20_000): Promise<MotoSecretsServer> {
    return new MotoSecretsServer(await startMotoProcess({ INITIAL_NO_AUTH_ACTION_COUNT: String(noAuthActions) }, timeoutMs));
  }

  get endpoint(): string {
    return this.moto.endpoint;
  }

  stop(): Promise<void> {
    return this.moto.stop();
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
    if (result.status !== 0) throw new Error(`boto3 script failed (${result.status}): ${result.stderr}\n${this.moto.output()}`);
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null') as T;
  }
}
