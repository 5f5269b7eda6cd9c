// Separate entry point (`@cache-platform/cache-client/iam-auth`): SigV4 presigning and the AWS
// credential chain are bundled only into services that use IAM authentication.
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import type { AuthTokenProvider } from './types';

/** ElastiCache refuses tokens valid for longer than this. */
export const MAX_TOKEN_SECONDS = 900;

export interface IamAuthOptions {
  /**
   * Region of the cache.
   * @default process.env.AWS_REGION
   */
  readonly region?: string;
  /**
   * Credentials that sign the token; their principal needs `elasticache:Connect` on the cache and the user.
   * @default the AWS SDK default chain (the Lambda's role)
   */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * Token lifetime in seconds (ElastiCache accepts at most 900). Only the handshake uses it; an
   * authenticated connection stays up (ElastiCache closes it after 12 hours).
   * @default 900
   */
  readonly expiresInSeconds?: number;
  /**
   * The cache is ElastiCache Serverless (the token then names `ResourceType=ServerlessCache`).
   * @default true
   */
  readonly serverless?: boolean;
}

export interface IamAuthTokenRequest extends Required<Omit<IamAuthOptions, 'credentials'>> {
  readonly cacheName: string;
  readonly userId: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** signing time @default now */
  readonly signingDate?: Date;
}

// RFC 3986 escaping, as SigV4 canonicalises query strings
const escape = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Builds an ElastiCache IAM auth token: a SigV4-presigned `GET http://<cache name>/?Action=connect&User=<user id>`
 * for service `elasticache`, with the scheme removed.
 */
export async function createIamAuthToken(request: IamAuthTokenRequest): Promise<string> {
  if (request.expiresInSeconds <= 0 || request.expiresInSeconds > MAX_TOKEN_SECONDS) {
    throw new Error(`invalid expiresInSeconds ${request.expiresInSeconds}: must be 1-${MAX_TOKEN_SECONDS}`);
  }
  const hostname = request.cacheName.toLowerCase();
  const query: Record<string, string> = { Action: 'connect', User: request.userId };
  if (request.serverless) query['ResourceType'] = 'ServerlessCache';
  const signer = new SignatureV4({ service: 'elasticache', region: request.region, credentials: request.credentials, sha256: Sha256 });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname, path: '/', query, headers: { host: hostname } },
    { expiresIn: request.expiresInSeconds, signingDate: request.signingDate },
  );
  const params = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : v === null || v === undefined ? [] : [[k, v] as const]))
    .map(([k, v]) => `${escape(k)}=${escape(String(v))}`)
    .join('&');
  return `${hostname}/?${params}`;
}

/**
 * An `authTokenProvider` for `createServiceCache`: signs a token for the secret's cache and user,
 * reusing it until a minute before it expires.
 */
export function iamAuthTokenProvider(options: IamAuthOptions = {}): AuthTokenProvider {
  const expiresInSeconds = options.expiresInSeconds ?? MAX_TOKEN_SECONDS;
  const credentials = options.credentials ?? defaultProvider();
  let cached: { key: string; token: string; reuseUntil: number } | undefined;
  return async (secret: CacheSecretPayload) => {
    const region = options.region ?? process.env['AWS_REGION'];
    if (!region) throw new Error('IAM auth token: no region (set IamAuthOptions.region or AWS_REGION)');
    const key = `${secret.cacheName}\u0000${secret.username}`;
    if (cached && cached.key === key && Date.now() < cached.reuseUntil) return cached.token;
    const token = await createIamAuthToken({
      cacheName: secret.cacheName,
      // IAM-enabled ElastiCache users have user name == user id
      userId: secret.username,
      region,
      credentials,
      expiresInSeconds,
      serverless: options.serverless ?? true,
    });
    cached = { key, token, reuseUntil: Date.now() + Math.max(0, expiresInSeconds - 60) * 1000 };
    return token;
  };
}
