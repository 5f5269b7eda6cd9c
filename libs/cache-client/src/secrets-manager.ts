// Loaded only through a dynamic import from secret.ts: the signer and the HTTPS request are evaluated
// only when the secret really comes from AWS (local runs and tests never pay for them).
//
// One `GetSecretValue` call, signed by `@smithy/signature-v4` (the signer the AWS SDK itself uses), sent
// with `node:https` (certificate and host name verified by Node's defaults). It replaces the SDK v3
// client, which was ~46 % of a password-auth bundle for this single call: see docs/benchmarks.md.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';
import { CacheSecretError } from './errors';
import type { SecretValue } from './secret';

/** The whole call (connect, TLS, answer) per attempt; requests never wait for it beyond their own budget. */
export const ATTEMPT_TIMEOUT_MS = 3000;
/** Attempts for transient failures (network errors, throttling, 5xx), as the SDK client was configured. */
export const MAX_ATTEMPTS = 2;
const RETRY_PAUSE_MS = 100;

const CREDENTIAL_VARIABLES = 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)';

/** SHA-256 for the signer from node:crypto (the `Checksum` shape `@aws-crypto/sha256-js` has), without a JS hash in the bundle. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

function regionOf(secretArn: string, region: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  // arn:aws:secretsmanager:<region>:<account>:secret:<name>
  return region ?? (secretArn.split(':')[3] || env['AWS_REGION']);
}

/**
 * Where the call goes: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL` (both honoured as the
 * SDK does, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the regional endpoint. Inside a VPC,
 * the interface endpoint's private DNS answers for the regional name.
 */
export function endpointFor(region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured =
    env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] === 'true' ? undefined : env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] || env['AWS_ENDPOINT_URL'];
  if (configured) return new URL(configured);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://secretsmanager.${region}.${suffix}`);
}

/** The Lambda role's credentials, which the runtime puts in the environment. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentialIdentity | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

export interface SignedRequest {
  readonly url: URL;
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Builds and signs `GetSecretValue` for one secret (exported for the signature tests). */
export async function signGetSecretValue(
  secretArn: string,
  region: string,
  credentials: AwsCredentialIdentity,
  url: URL,
  signingDate?: Date,
): Promise<SignedRequest> {
  const body = JSON.stringify({ SecretId: secretArn });
  const signer = new SignatureV4({ service: 'secretsmanager', region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname || '/',
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    },
    { signingDate },
  );
  return { url, method: 'POST', headers: signed.headers, body };
}

interface Answer {
  readonly status: number;
  /** `x-amzn-errortype`: the error code, when the API sends it as a header */
  readonly errorType: string | undefined;
  readonly text: string;
}

function send(signed: SignedRequest, timeoutMs: number): Promise<Answer> {
  const options: RequestOptions = {
    method: signed.method,
    protocol: signed.url.protocol,
    hostname: signed.url.hostname,
    port: signed.url.port || undefined,
    path: signed.url.pathname || '/',
    headers: signed.headers,
    timeout: timeoutMs,
  };
  // https for AWS; plain http only when an endpoint override says so (a local stand-in)
  const transport = signed.url.protocol === 'http:' ? httpRequest : httpsRequest;
  const timeout = () => Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' });
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (error: Error) => settle(() => reject(error));
    // one deadline for the whole exchange, also when the answer stalls halfway (the socket timeout
    // alone restarts with every chunk)
    const timer = setTimeout(() => {
      fail(timeout());
      req.destroy();
    }, timeoutMs);
    const req = transport(options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const errorType = res.headers['x-amzn-errortype'];
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            errorType: typeof errorType === 'string' ? errorType : undefined,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the connection closed before the answer was complete')));
    });
    req.on('timeout', () => {
      fail(timeout());
      req.destroy();
    });
    req.on('error', fail);
    req.end(signed.body);
  });
}

/**
 * The error code and message of an error answer, found where the SDK looks: the `x-amzn-errortype`
 * header, the JSON body's `code` or `__type` (possibly `prefix#Name`), and `message` or `Message`; an
 * XML `<Code>`/`<Message>` (what some front ends and emulators send for authentication failures).
 */
function apiError(answer: Answer): { name: string; message: string } {
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    // not JSON: XML or a proxy's page
  }
  const xml = (tag: string) => new RegExp(`<${tag}>([^<]{1,200})</${tag}>`).exec(answer.text)?.[1];
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const code = answer.errorType?.split(':')[0] || text(doc['code']) || text(doc['__type']) || xml('Code');
  const name = code?.split('#').pop() || `HTTP ${answer.status}`;
  return { name, message: text(doc['message']) ?? text(doc['Message']) ?? xml('Message') ?? `HTTP ${answer.status}` };
}

const transient = (status: number, name: string) => status >= 500 || status === 429 || /Throttl/i.test(name);

/**
 * Reads `SecretString` and `VersionId` of the secret's current version, on every call (no cache here:
 * a forced re-read after a rotation must see the new value). Concurrent callers are not merged here:
 * the cache's SecretLoader already shares one fetch among them (one place does that, not two).
 */
export async function getSecretValue(
  secretArn: string,
  region?: string,
  env: NodeJS.ProcessEnv = process.env,
  attemptTimeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<SecretValue> {
  const resolvedRegion = regionOf(secretArn, region, env);
  if (!resolvedRegion) {
    throw new CacheSecretError(secretArn, 'no AWS region: the ARN names none and AWS_REGION is not set');
  }
  const credentials = credentialsFromEnv(env);
  if (!credentials) {
    throw new CacheSecretError(secretArn, `no AWS credentials: ${CREDENTIAL_VARIABLES} are not set (the Lambda runtime sets them)`);
  }
  const url = endpointFor(resolvedRegion, env);
  let failure: { name: string; message: string } = { name: 'Error', message: 'not attempted' };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let answer: Answer;
    try {
      // signed per attempt: the signature carries its time
      answer = await send(await signGetSecretValue(secretArn, resolvedRegion, credentials, url), attemptTimeoutMs);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      failure = { name: e.code ?? e.name, message: e.message };
      continue;
    }
    if (answer.status === 200) {
      let doc: { SecretString?: unknown; VersionId?: unknown };
      try {
        doc = JSON.parse(answer.text) as { SecretString?: unknown; VersionId?: unknown };
      } catch {
        throw new CacheSecretError(secretArn, 'Secrets Manager GetSecretValue failed: the answer is not JSON');
      }
      if (typeof doc.SecretString !== 'string') {
        throw new CacheSecretError(secretArn, 'has no SecretString (binary secrets are not supported)');
      }
      const versionId = typeof doc.VersionId === 'string' && doc.VersionId !== '' ? doc.VersionId : undefined;
      return { secretString: doc.SecretString, versionId };
    }
    failure = apiError(answer);
    if (!transient(answer.status, failure.name)) break;
    // throttling or a server error: a short pause before the last attempt
    if (attempt < MAX_ATTEMPTS) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
  }
  // the API's error names the operation's reason (AccessDeniedException, ResourceNotFoundException, a
  // timeout), never the value; its text (roles, ARNs) goes to the logs only, the name to health reports
  throw new CacheSecretError(secretArn, `Secrets Manager GetSecretValue failed: ${failure.name}`, failure.message);
}
