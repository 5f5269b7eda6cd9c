import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildAccessString, type AccessProfile, type CacheSecretPayload, type CacheTarget } from '@cache-platform/cache-contract';
import { freePort, waitForPort } from './ports';
import { createTestTls, type TestTls } from './tls';

const run = promisify(execFile);

/** An ACL user for one service, created with the contract's access-string builder. */
export interface TestServiceUser {
  /** Redis user name (the ElastiCache user id in AWS) */
  readonly name: string;
  readonly keyspace: string;
  /** @default 'readwrite' */
  readonly profile?: AccessProfile;
  /** current passwords (ElastiCache allows two during a rotation) */
  readonly passwords: readonly string[];
  /**
   * The cache the access string is built for. Rules naming commands the test server does not have
   * (see {@link TEST_SERVER_LACKS}) are left out when the user is loaded.
   * @default {@link TEST_SERVER_TARGET}
   */
  readonly target?: CacheTarget;
}

/** What the Debian `redis-server` 7.0 of the tests is: a self-managed Redis OSS 7. */
export const TEST_SERVER_TARGET: CacheTarget = { engine: 'redis', majorEngineVersion: '7', serverless: false };

/**
 * Commands of newer engines that redis-server 7.0 does not know (it refuses an ACL naming them). A
 * Valkey 8 access string is loaded without them; the contract's tests check they are there.
 */
export const TEST_SERVER_LACKS: readonly string[] = ['cluster|slot-stats'];

/** A service user's access string as the test server can load it. */
export function testServerAccessString(user: Pick<TestServiceUser, 'keyspace' | 'profile' | 'target'>): string {
  return buildAccessString(user.keyspace, user.profile ?? 'readwrite', user.target ?? TEST_SERVER_TARGET)
    .split(' ')
    .filter((rule) => !TEST_SERVER_LACKS.includes(rule.replace(/^[+-]/, '')))
    .join(' ');
}

export interface StartRedisOptions {
  /**
   * Also listen with TLS, using certificates from a test CA.
   * @default true
   */
  readonly tls?: boolean;
  /**
   * Test CA and server certificate to use; lets several servers share one CA.
   * @default a fresh CA from {@link createTestTls}, removed by `stop()`
   */
  readonly tlsMaterial?: TestTls;
  /**
   * Service users to create. The `default` user is always disabled (as on the platform) and an
   * `admin` user with every permission is created for the test's own checks.
   * @default []
   */
  readonly users?: readonly TestServiceUser[];
  /**
   * Extra redis.conf lines.
   * @default []
   */
  readonly config?: readonly string[];
}

/** A redis-server process started for a test. */
export interface RedisServer {
  readonly host: '127.0.0.1';
  /** plaintext loopback port: for the test's admin commands, never for the client under test */
  readonly port: number;
  /** TLS port, when started with `tls` */
  readonly tlsPort: number | undefined;
  /** PEM of the CA that signed the server certificate, when started with `tls` */
  readonly caPem: string | undefined;
  readonly tlsMaterial: TestTls | undefined;
  readonly adminPassword: string;
  readonly running: boolean;
  /** Runs one command as the admin user through redis-cli and returns its raw output. */
  admin(...args: string[]): Promise<string>;
  /** Replaces a user's passwords, live if the server runs, and in the ACL file it restarts with. */
  setUserPasswords(name: string, passwords: readonly string[]): Promise<void>;
  /** The secret document a service would get for `name` on this server (TLS on `tlsPort` when available). */
  secretFor(name: string, overrides?: Partial<CacheSecretPayload>): CacheSecretPayload;
  /** SIGKILL: an outage without goodbye. Data is lost (no persistence). */
  kill(): Promise<void>;
  /** Starts the server again on the same ports, with the same users. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a stalled node). */
  freeze(): void;
  /** SIGCONT after {@link RedisServer.freeze}. */
  thaw(): void;
  /** Stops the server and removes its files (and its TLS material if the harness created it). */
  stop(): Promise<void>;
  /** The end of the server log, for failure messages. */
  logTail(lines?: number): string;
}

const ADMIN_USER = 'admin';
const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // a test that crashed or forgot stop() must not leave redis-server processes or files behind
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

let checked = false;
/** Throws a clear message when redis-server or redis-cli is missing, instead of skipping tests. */
export function requireRedisServer(): void {
  if (checked) return;
  for (const binary of ['redis-server', 'redis-cli']) {
    try {
      execFileSync(binary, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${binary} not found on PATH: the cache-client tests run against a real Redis. ` +
          '`.ci/run` installs it (Debian: apt-get install -y redis-server); it does not need to run as a service.',
      );
    }
  }
  checked = true;
}

function randomPassword(): string {
  return `pw${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`.padEnd(20, 'x');
}

interface NodeSpec {
  readonly dir: string;
  readonly port: number;
  readonly tlsPort: number | undefined;
  readonly clusterPort: number | undefined;
}

class Server implements RedisServer {
  readonly host = '127.0.0.1' as const;
  readonly users = new Map<string, TestServiceUser>();
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: NodeSpec,
    readonly tlsMaterial: TestTls | undefined,
    private readonly ownsTls: boolean,
    users: readonly TestServiceUser[],
    private readonly extraConfig: readonly string[],
    private readonly clusterMode: boolean,
    readonly adminPassword: string,
  ) {
    for (const user of users) this.users.set(user.name, user);
  }

  get port(): number {
    return this.spec.port;
  }
  get tlsPort(): number | undefined {
    return this.spec.tlsPort;
  }
  get caPem(): string | undefined {
    return this.tlsMaterial?.caPem;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private writeFiles(): void {
    const { dir } = this.spec;
    const acl = [`user default off`, `user ${ADMIN_USER} on >${this.adminPassword} ~* &* +@all`];
    for (const user of this.users.values()) {
      acl.push(`user ${user.name} ${testServerAccessString(user)} ${user.passwords.map((p) => `>${p}`).join(' ')}`);
    }
    writeFileSync(join(dir, 'users.acl'), acl.join('\n') + '\n');
    const tls = this.tlsMaterial;
    const conf = [
      `bind 127.0.0.1 -::1`,
      `port ${this.spec.port}`,
      `dir ${dir}`,
      `logfile ${join(dir, 'redis.log')}`,
      `aclfile ${join(dir, 'users.acl')}`,
      `save ""`,
      `appendonly no`,
      `daemonize no`,
      ...(tls && this.spec.tlsPort
        ? [
            `tls-port ${this.spec.tlsPort}`,
            `tls-cert-file ${tls.certFile}`,
            `tls-key-file ${tls.keyFile}`,
            `tls-ca-cert-file ${tls.caFile}`,
            // ElastiCache does not ask clients for certificates; neither do we
            `tls-auth-clients no`,
          ]
        : []),
      ...(this.clusterMode
        ? [
            `cluster-enabled yes`,
            `cluster-config-file ${join(dir, 'nodes.conf')}`,
            `cluster-node-timeout 3000`,
            `cluster-port ${this.spec.clusterPort}`,
            // with TLS, the cluster announces its TLS port to TLS clients (as ElastiCache does)
            ...(tls ? ['tls-cluster yes'] : []),
          ]
        : []),
      ...this.extraConfig,
    ];
    writeFileSync(join(dir, 'redis.conf'), conf.join('\n') + '\n');
  }

  async start(): Promise<void> {
    this.writeFiles();
    const child = spawn('redis-server', [join(this.spec.dir, 'redis.conf')], { stdio: 'ignore' });
    // a test that forgets stop() must not keep jest alive; the exit hook kills the process
    child.unref();
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => live.delete(child));
    try {
      await waitForPort(this.spec.port, 10_000, () => this.running);
      if (this.spec.tlsPort) await waitForPort(this.spec.tlsPort, 10_000, () => this.running);
    } catch (error) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`redis-server did not start: ${(error as Error).message}\n${this.logTail()}`);
    }
  }

  async admin(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.spec.port),
      '--user',
      ADMIN_USER,
      '--pass',
      this.adminPassword,
      '--no-auth-warning',
      ...args,
    ]);
    return stdout.trim();
  }

  async setUserPasswords(name: string, passwords: readonly string[]): Promise<void> {
    const user = this.users.get(name);
    if (!user) throw new Error(`no test user ${JSON.stringify(name)}`);
    this.users.set(name, { ...user, passwords: [...passwords] });
    this.writeFiles();
    if (this.running) {
      const reply = await this.admin('ACL', 'SETUSER', name, 'resetpass', ...passwords.map((p) => `>${p}`));
      if (reply !== 'OK') throw new Error(`ACL SETUSER ${name} answered ${reply}`);
    }
  }

  secretFor(name: string, overrides: Partial<CacheSecretPayload> = {}): CacheSecretPayload {
    const user = this.users.get(name);
    if (!user) throw new Error(`no test user ${JSON.stringify(name)}`);
    const tls = this.spec.tlsPort !== undefined;
    return {
      schemaVersion: 1,
      host: 'localhost',
      port: this.spec.tlsPort ?? this.spec.port,
      username: user.name,
      password: user.passwords[0] ?? '',
      keyspace: user.keyspace,
      tls,
      authMode: 'password',
      cacheName: 'local-test',
      user_arn: `arn:aws:elasticache:local:000000000000:user:${user.name}`,
      clusterMode: this.clusterMode,
      ...overrides,
    };
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  freeze(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.child?.kill('SIGCONT');
      this.child?.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.spec.dir, { recursive: true, force: true });
    liveDirs.delete(this.spec.dir);
    if (this.ownsTls) {
      this.tlsMaterial?.remove();
      if (this.tlsMaterial) liveDirs.delete(this.tlsMaterial.dir);
    }
  }

  logTail(lines = 20): string {
    const file = join(this.spec.dir, 'redis.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no redis log)';
  }
}

async function launch(
  options: StartRedisOptions,
  clusterMode: boolean,
  tlsMaterial: TestTls | undefined,
  ownsTls: boolean,
  adminPassword = randomPassword(),
): Promise<Server> {
  // a free port can be taken between asking and binding: try a few times
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'cache-client-redis-'));
    liveDirs.add(dir);
    const spec: NodeSpec = {
      dir,
      port: await freePort(),
      tlsPort: tlsMaterial ? await freePort() : undefined,
      clusterPort: clusterMode ? await freePort() : undefined,
    };
    const server = new Server(spec, tlsMaterial, ownsTls, options.users ?? [], options.config ?? [], clusterMode, adminPassword);
    try {
      await server.start();
      return server;
    } catch (error) {
      lastError = error;
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    }
  }
  if (ownsTls) tlsMaterial?.remove();
  throw lastError;
}

/**
 * Starts a standalone redis-server on free loopback ports: plaintext for the test's admin
 * commands, TLS (test CA) for the client under test, ACL users from the contract's builder.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  requireRedisServer();
  installExitHook();
  const wantTls = options.tls ?? true;
  const tlsMaterial = wantTls ? (options.tlsMaterial ?? (await createTestTls())) : undefined;
  if (tlsMaterial && !options.tlsMaterial) liveDirs.add(tlsMaterial.dir);
  return launch(options, false, tlsMaterial, wantTls && !options.tlsMaterial);
}

export interface RedisClusterHandle {
  readonly nodes: readonly RedisServer[];
  readonly caPem: string | undefined;
  /** The secret a service would get: the first node as the single endpoint (as on ElastiCache Serverless). */
  secretFor(name: string, overrides?: Partial<CacheSecretPayload>): CacheSecretPayload;
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions extends Omit<StartRedisOptions, 'config'> {
  /**
   * Number of primaries (no replicas).
   * @default 3
   */
  readonly nodes?: number;
}

/**
 * Starts a Redis Cluster of `nodes` primaries (cluster-enabled redis-server processes) and assigns
 * all slots with `redis-cli --cluster create`; waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  requireRedisServer();
  installExitHook();
  const count = options.nodes ?? 3;
  const wantTls = options.tls ?? true;
  const tlsMaterial = wantTls ? (options.tlsMaterial ?? (await createTestTls())) : undefined;
  const ownsTls = wantTls && !options.tlsMaterial;
  if (tlsMaterial && ownsTls) liveDirs.add(tlsMaterial.dir);
  const nodes: Server[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    if (ownsTls && tlsMaterial) {
      tlsMaterial.remove();
      liveDirs.delete(tlsMaterial.dir);
    }
  };
  try {
    const adminPassword = randomPassword();
    for (let i = 0; i < count; i++) nodes.push(await launch(options, true, tlsMaterial, false, adminPassword));
    const first = nodes[0];
    if (!first) throw new Error('a cluster needs at least one node');
    // cluster creation goes over the plaintext ports; the cluster bus uses TLS when tls-cluster is on
    await run('redis-cli', [
      '--user',
      ADMIN_USER,
      '--pass',
      first.adminPassword,
      '--no-auth-warning',
      ...(tlsMaterial ? ['--tls', '--cacert', tlsMaterial.caFile] : []),
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${tlsMaterial ? n.tlsPort : n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${error.stdout ?? ''}${error.stderr ?? error.message}`);
    });
    const deadline = Date.now() + 15_000;
    for (const node of nodes) {
      for (;;) {
        const info = await node.admin('CLUSTER', 'INFO');
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster did not become ok:\n${info}\n${node.logTail()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const first = nodes[0] as Server;
  return {
    nodes,
    caPem: tlsMaterial?.caPem,
    secretFor: (name, overrides) => first.secretFor(name, overrides),
    stop,
  };
}

export { createTestTls, type TestTls } from './tls';
