import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, globalAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FinalizeHandler, FinalizeHandlerArguments, HttpRequest, MetadataBearer } from '@smithy/types';
import { createTestTls, type TestTls } from '../test/tls';
import { endpointFor, getSecretValue, MAX_ATTEMPTS, signGetSecretValue } from './secrets-manager';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
// the documentation's example key pair (AWS SigV4 test suite)
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** What the AWS SDK v3 client itself sends for GetSecretValue, captured before it leaves the process. */
async function sdkRequest(
  credentials: typeof CREDENTIALS & { sessionToken?: string },
  region: string,
  endpoint?: string,
): Promise<HttpRequest> {
  let captured: HttpRequest | undefined;
  const client = new SecretsManagerClient({
    region,
    credentials,
    ...(endpoint ? { endpoint } : {}),
    requestHandler: {
      handle: async (request: HttpRequest) => {
        captured = request;
        return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{"SecretString":"{}"}')]) } };
      },
    },
  });
  // the SDK's own bookkeeping headers (invocation id, attempt counter, user agent) are not part of the
  // API request: drop them before the SDK signs, so both sign the same request
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, MetadataBearer>) => async (args: FinalizeHandlerArguments<object>) => {
      const headers = (args.request as HttpRequest).headers;
      for (const name of ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent', 'user-agent']) delete headers[name];
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'dropSdkBookkeeping' },
  );
  await client.send(new GetSecretValueCommand({ SecretId: ARN }));
  if (!captured) throw new Error('the SDK sent nothing');
  return captured;
}

const amzDate = (value: string) =>
  new Date(
    `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`,
  );

describe('GetSecretValue signing', () => {
  const saved = process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
  // the SDK announces its Node 22 requirement on Node 20 (the workspace's minimum); the Lambdas run nodejs22.x
  beforeAll(() => (process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'));
  afterAll(() => {
    if (saved === undefined) delete process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
    else process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = saved;
  });

  it.each([
    ['long-term keys, regional endpoint', CREDENTIALS, 'eu-west-1', undefined],
    [
      'Lambda role credentials (session token)',
      { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+/=' },
      'us-east-1',
      undefined,
    ],
    ['an endpoint override with a port', CREDENTIALS, 'eu-central-1', 'http://127.0.0.1:4566'],
  ])('signs exactly what the AWS SDK client signs: %s', async (_, credentials, region, endpoint) => {
    const sdk = await sdkRequest(credentials, region, endpoint);
    const date = amzDate(String(sdk.headers['x-amz-date']));
    const url = endpointFor(region, endpoint ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint } : {});
    const ours = await signGetSecretValue(ARN, region, credentials, url, date);

    expect(`${url.protocol}//${url.host}`).toBe(`${sdk.protocol}//${sdk.hostname}${sdk.port ? `:${sdk.port}` : ''}`);
    expect(ours.method).toBe(sdk.method);
    expect(url.pathname).toBe(sdk.path);
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(new TextDecoder().decode(sdk.body as Uint8Array)));
    const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower(ours.headers)).toEqual(lower(sdk.headers));
    expect(ours.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/[a-z0-9-]+\/secretsmanager\/aws4_request, /,
    );
  });

  it('matches a signature computed by botocore for the same request, time and key', async () => {
    // botocore's SigV4Auth (canonical_request, string_to_sign, signature), the signer the AWS CLI and
    // moto use, on the same headers, body and X-Amz-Date: an implementation independent of ours and the JS SDK's
    const url = endpointFor('eu-west-1', {});
    const ours = await signGetSecretValue(ARN, 'eu-west-1', CREDENTIALS, url, new Date('2015-08-30T12:36:00Z'));
    expect(ours.headers['x-amz-date']).toBe('20150830T123600Z');
    expect(ours.headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/secretsmanager/aws4_request, ' +
        'SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, ' +
        'Signature=f7e734a48db091a05a897f11762ad55ac38bdb1541684e6117f4d5e88cfccef2',
    );
  });

  it('chooses the endpoint as the SDK does', () => {
    expect(endpointFor('eu-west-1', {}).href).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
    expect(endpointFor('cn-north-1', {}).href).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn/');
    expect(endpointFor('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566' }).href).toBe('http://localhost:4566/');
    expect(
      endpointFor('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:5000' })
        .href,
    ).toBe('http://127.0.0.1:5000/');
    expect(endpointFor('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).href).toBe(
      'https://secretsmanager.eu-west-1.amazonaws.com/',
    );
  });

  it('names the missing variables and the ARN when there are no credentials or region', async () => {
    await expect(getSecretValue(ARN, undefined, { AWS_REGION: 'eu-west-1' })).rejects.toThrow(
      `cache secret ${ARN}: no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) are not set (the Lambda runtime sets them)`,
    );
    const noRegionArn = 'arn:aws:secretsmanager::123456789012:secret:x';
    await expect(getSecretValue(noRegionArn, undefined, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).rejects.toThrow(
      `cache secret ${noRegionArn}: no AWS region: the ARN names none and AWS_REGION is not set`,
    );
  });
});

describe('GetSecretValue over the wire', () => {
  let server: Server;
  let answer: (attempt: number) => { status: number; body: string; stallAfter?: number } | undefined;
  let attempts = 0;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const reply = answer(++attempts);
        if (!reply) return; // silent: a stalled endpoint
        res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
        // an answer that stops halfway and never ends
        if (reply.stallAfter !== undefined) res.write(reply.body.slice(0, reply.stallAfter));
        else res.end(reply.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' };
  });
  beforeEach(() => (attempts = 0));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('bounds every attempt and names the ARN when the endpoint does not answer', async () => {
    answer = () => undefined;
    const started = performance.now();
    const error = (await getSecretValue(ARN, undefined, env, 200).catch((e: Error) => e)) as Error;
    // two bounded attempts, then an error; the margin is for a busy machine, not for a third attempt
    expect(performance.now() - started).toBeLessThan(200 * MAX_ATTEMPTS + 2000);
    expect(attempts).toBe(MAX_ATTEMPTS);
    expect(error.message).toBe(`cache secret ${ARN}: Secrets Manager GetSecretValue failed: TimeoutError: no answer within 200 ms`);
  });

  it('bounds an answer that stalls halfway', async () => {
    answer = () => ({ status: 200, body: '{"SecretString":"{}"}', stallAfter: 5 });
    const started = performance.now();
    const error = (await getSecretValue(ARN, undefined, env, 200).catch((e: Error) => e)) as Error;
    expect(performance.now() - started).toBeLessThan(200 * MAX_ATTEMPTS + 2000);
    expect(attempts).toBe(MAX_ATTEMPTS);
    expect(error.message).toBe(`cache secret ${ARN}: Secrets Manager GetSecretValue failed: TimeoutError: no answer within 200 ms`);
  });

  it('retries a throttled or failed attempt once, and not a refusal', async () => {
    answer = (n) =>
      n === 1
        ? { status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' }
        : { status: 200, body: '{"SecretString":"{}"}' };
    expect(await getSecretValue(ARN, undefined, env)).toEqual({ secretString: '{}', versionId: undefined });
    expect(attempts).toBe(2);

    attempts = 0;
    answer = () => ({ status: 400, body: '{"__type":"com.amazonaws.secretsmanager#AccessDeniedException","Message":"not you"}' });
    await expect(getSecretValue(ARN, undefined, env)).rejects.toThrow(
      `cache secret ${ARN}: Secrets Manager GetSecretValue failed: AccessDeniedException: not you`,
    );
    expect(attempts).toBe(1);
  });

  it('returns the VersionId with the SecretString (what a re-read after WRONGPASS compares)', async () => {
    // the shape of the API reference's example answer
    answer = () => ({
      status: 200,
      body: JSON.stringify({
        ARN,
        Name: 'cache-platform/dev/orders-api/redis',
        SecretString: '{"v":2}',
        VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1523477145.713,
      }),
    });
    expect(await getSecretValue(ARN, undefined, env)).toEqual({
      secretString: '{"v":2}',
      versionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
    });
    // an empty or non-string VersionId is no version id (the document itself then tells versions apart)
    answer = () => ({ status: 200, body: '{"SecretString":"{}","VersionId":""}' });
    expect((await getSecretValue(ARN, undefined, env)).versionId).toBeUndefined();
    answer = () => ({ status: 200, body: '{"SecretString":"{}","VersionId":7}' });
    expect((await getSecretValue(ARN, undefined, env)).versionId).toBeUndefined();
  });

  it('refuses a binary secret and never quotes the answer', async () => {
    answer = () => ({ status: 200, body: '{"SecretBinary":"c2VjcmV0LXZhbHVl"}' });
    const error = (await getSecretValue(ARN, undefined, env).catch((e: Error) => e)) as Error;
    expect(error.message).toBe(`cache secret ${ARN}: has no SecretString (binary secrets are not supported)`);
  });
});

describe('GetSecretValue over HTTPS', () => {
  let tls: TestTls;
  let server: ReturnType<typeof createHttpsServer>;
  let endpoint: string;
  const env = () => ({ AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'k' });
  const savedCa = globalAgent.options.ca;
  beforeAll(async () => {
    // the certificate names localhost only: a request to 127.0.0.1 must fail the host name check
    tls = await createTestTls({ serverNames: ['localhost'] });
    server = createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('{"SecretString":"{}"}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => (globalAgent.options.ca = savedCa));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tls.remove();
  });

  it('verifies the certificate chain: an unknown CA is refused', async () => {
    await expect(getSecretValue(ARN, undefined, env())).rejects.toThrow(
      `cache secret ${ARN}: Secrets Manager GetSecretValue failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE`,
    );
  });

  it('verifies the host name, and reads the secret from a trusted server with the right name', async () => {
    // trusted the way NODE_EXTRA_CA_CERTS would (for this test only): nothing in the request itself
    globalAgent.options.ca = tls.caPem;
    expect((await getSecretValue(ARN, undefined, env())).secretString).toBe('{}');
    const wrongName = endpoint.replace('localhost', '127.0.0.1');
    await expect(getSecretValue(ARN, undefined, { ...env(), AWS_ENDPOINT_URL_SECRETS_MANAGER: wrongName })).rejects.toThrow(
      `cache secret ${ARN}: Secrets Manager GetSecretValue failed: ERR_TLS_CERT_ALTNAME_INVALID`,
    );
  });
});
