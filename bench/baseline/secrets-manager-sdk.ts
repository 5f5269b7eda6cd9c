// BENCHMARK BASELINE ONLY: libs/cache-client/src/secrets-manager.ts as it was before issue 13 (the AWS SDK
// v3 client), unchanged but for the import path and the answer's shape (SecretString with its VersionId, which
// the secret loader compares since issue 18). `npm run bench` bundles the sample handler a second time
// with this module in place of the current one, so that the bundle size and cold start of "before" and
// "after" are measured side by side in one run. Not part of any Lambda bundle.
//
// Loaded only through a dynamic import from secret.ts: the SDK is evaluated only when the secret
// really comes from AWS (local runs and tests never pay its start-up cost).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CacheSecretError } from '../../libs/cache-client/src/errors';
import type { SecretValue } from '../../libs/cache-client/src/secret';

const clients = new Map<string, SecretsManagerClient>();

function regionOf(secretArn: string, region: string | undefined): string | undefined {
  // arn:aws:secretsmanager:<region>:<account>:secret:<name>
  return region ?? (secretArn.split(':')[3] || process.env['AWS_REGION']);
}

function clientFor(region: string | undefined): SecretsManagerClient {
  const key = region ?? '';
  let client = clients.get(key);
  if (!client) {
    client = new SecretsManagerClient({
      region,
      // requests never wait for this call beyond their own budget (they answer from the loader and it
      // finishes in the background); these bounds keep that background call to seconds, not the SDK's minutes
      requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
      maxAttempts: 2,
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * Reads `SecretString` and `VersionId` of the secret's current version. Concurrent callers are not merged
 * here: the cache's SecretLoader already shares one fetch among them (one place does that, not two).
 */
export async function getSecretValue(secretArn: string, region?: string): Promise<SecretValue> {
  try {
    const out = await clientFor(regionOf(secretArn, region)).send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (typeof out.SecretString !== 'string') {
      throw new CacheSecretError(secretArn, 'has no SecretString (binary secrets are not supported)');
    }
    return { secretString: out.SecretString, versionId: out.VersionId || undefined };
  } catch (error) {
    if (error instanceof CacheSecretError) throw error;
    const e = error as Error;
    // SDK errors name the operation and the reason (AccessDenied, ResourceNotFound, timeout), never the
    // value; their text (roles, ARNs) goes to the logs only, the error name to health reports
    throw new CacheSecretError(secretArn, `Secrets Manager GetSecretValue failed: ${e.name}`, e.message);
  }
}
