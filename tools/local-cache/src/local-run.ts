import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { SECRET_ARN_ENV_VAR } from '@cache-platform/cache-contract';
import { startRedis, type RedisServer } from '@cache-platform/cache-client/testing';
import { bundleHandler } from '@cache-platform/lambda-bundle';
import { readWorkspace } from '@cache-platform/platform-environments';

const run = promisify(execFile);

/** The Redis user a service gets locally: same access string as in AWS, a fresh random password. */
export function localUserName(service: string): string {
  return `${service}-local`;
}

export interface LocalRunOptions {
  readonly workspace: string;
  readonly service: string;
  /** requests to send, as `[METHOD ]/path[?query]`, e.g. `/health`, `/?id=1`, `DELETE /?id=1` */
  readonly requests: readonly string[];
  /** progress and results */
  readonly log?: (line: string) => void;
}

export interface LocalRunResult {
  readonly responses: ReadonlyArray<{ request: string; statusCode: number; body: unknown }>;
  /** CloudWatch EMF lines the handler printed */
  readonly metricLines: readonly string[];
}

/** `GET /?id=1` -> an API Gateway v2-shaped event. */
export function requestToEvent(request: string): Record<string, unknown> {
  const match = /^(?:(GET|POST|PUT|DELETE|PATCH)\s+)?(\/[^?\s]*)(?:\?(\S*))?$/.exec(request.trim());
  if (!match)
    throw new Error(`invalid request ${JSON.stringify(request)}: expected "[METHOD ]/path[?query]", e.g. "/health" or "DELETE /?id=1"`);
  const [, method = 'GET', rawPath, query] = match;
  const queryStringParameters = query ? Object.fromEntries(new URLSearchParams(query)) : null;
  return { rawPath, requestContext: { http: { method } }, queryStringParameters };
}

/**
 * Starts a TLS redis-server with an ACL user per workspace service (built by the contract's
 * access-string builder), bundles the chosen service's handler exactly as for Lambda, and invokes it
 * in a fresh Node process whose REDIS_SECRET_ARN points at a local secret file: the same
 * secret -> verified-TLS client path as in AWS, with the secret supplied locally.
 */
export async function localRun(options: LocalRunOptions): Promise<LocalRunResult> {
  const log = options.log ?? (() => undefined);
  // every service of the workspace, wherever it lives: each gets its ACL user, as in the shared cache
  const { services } = readWorkspace(options.workspace);
  const target = services.find((s) => s.manifest.service === options.service);
  if (!target) {
    const known = services.map((s) => s.manifest.service).join(', ') || '(none)';
    throw new Error(`unknown service ${JSON.stringify(options.service)}: services in this workspace are ${known}`);
  }
  const events = options.requests.map(requestToEvent);
  const scratch = mkdtempSync(join(tmpdir(), 'local-cache-'));
  let redis: RedisServer | undefined;
  try {
    redis = await startRedis({
      users: services.map((s) => ({
        name: localUserName(s.manifest.service),
        keyspace: s.manifest.keyspace,
        profile: s.manifest.accessProfile,
        passwords: [randomBytes(24).toString('hex')],
      })),
    });
    log(
      `redis-server on 127.0.0.1:${redis.tlsPort} (TLS, test CA), users: ${services.map((s) => localUserName(s.manifest.service)).join(', ')}`,
    );

    const secretFile = join(scratch, 'secret.json');
    writeFileSync(secretFile, JSON.stringify(redis.secretFor(localUserName(options.service), { clusterMode: false })), { mode: 0o600 });
    const caFile = join(scratch, 'ca.pem');
    // startRedis always serves TLS here (as ElastiCache Serverless does), so it always has a CA
    if (!redis.caPem) throw new Error('the local redis-server started without TLS material');
    writeFileSync(caFile, redis.caPem);

    // the entry the manifest names, as the service's own bundle target uses (an adopted app may differ)
    const bundle = await bundleHandler({
      entry: join(options.workspace, target.root, target.manifest.handler),
      outdir: join(scratch, 'bundle'),
    });
    log(`bundled ${options.service} handler: ${(bundle.bytes / 1024).toFixed(0)} KB`);

    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});
      const events = JSON.parse(process.env.LOCAL_EVENTS);
      const responses = [];
      for (const event of events) responses.push(await handler(event));
      console.log('@@responses ' + JSON.stringify(responses));
      process.exit(0);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        [SECRET_ARN_ENV_VAR]: pathToFileURL(secretFile).href,
        // the local CA stands in for the Amazon roots; the hostname is still verified
        NODE_EXTRA_CA_CERTS: caFile,
        LOCAL_EVENTS: JSON.stringify(events),
      },
      maxBuffer: 16 << 20,
    });
    const lines = stdout.split('\n');
    const marker = lines.find((l) => l.startsWith('@@responses '));
    if (!marker) throw new Error(`the handler printed no responses:\n${stdout}`);
    const raw = JSON.parse(marker.slice('@@responses '.length)) as Array<{ statusCode: number; body?: string }>;
    if (raw.length !== options.requests.length) {
      throw new Error(`the handler answered ${raw.length} of ${options.requests.length} requests:\n${stdout}`);
    }
    const responses = raw.map((r, i) => ({
      request: options.requests[i],
      statusCode: r.statusCode,
      body: r.body ? safeJson(r.body) : undefined,
    }));
    return { responses, metricLines: lines.filter((l) => l.includes('"_aws"')) };
  } finally {
    await redis?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
