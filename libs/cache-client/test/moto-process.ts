import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './ports';

/*
 * A moto_server process (local AWS API emulator) on a free loopback port: started, awaited, stopped.
 * Shared by every moto test in the workspace (this library's signed Secrets Manager read, the
 * service-access apply-then-plan suite), each adding its own API calls on top.
 */

/** Commands a test needs that are missing from PATH. */
export function missingCommands(commands: readonly string[]): string[] {
  return commands.filter((command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status !== 0);
}

export interface MotoProcess {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** the last lines moto printed, for failure messages */
  output(): string;
  stop(): Promise<void>;
}

/** Starts moto_server with extra environment (moto's own switches) and waits until it answers. */
export async function startMotoProcess(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<MotoProcess> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const moto: MotoProcess = {
    endpoint: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${moto.endpoint}/moto-api/data.json`)).ok) return moto;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await moto.stop();
      throw new Error(`moto_server did not answer on ${moto.endpoint} within ${timeoutMs} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
