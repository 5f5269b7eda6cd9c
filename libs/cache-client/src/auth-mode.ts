// How the client authenticates is the secret's `authMode` (the service stack writes it from the
// manifest): a handler never restates it. A password is in the secret; an IAM token is signed here.
import type { AuthTokenProvider } from './types';
import { CacheUsageError } from './usage-error';

/**
 * The token provider for a secret that says `authMode: "iam"` when the caller passed none: the IAM
 * token signer (`iamAuthTokenProvider()` with its defaults: the function's role, `AWS_REGION`),
 * loaded on first use.
 *
 * tools/lambda-bundle replaces `process.env.CACHE_PLATFORM_BUNDLED_AUTH_MODE` (the contract's
 * BUNDLED_AUTH_MODE_VARIABLE) with the manifest's `authMode`: in a password service's bundle the
 * import below is dead code, so SigV4 presigning is not bundled. Unbundled it is unset and the signer
 * loads on demand. The name is written out: esbuild's `define` matches the literal expression.
 */
export function defaultAuthTokenProvider(): Promise<AuthTokenProvider> {
  return process.env['CACHE_PLATFORM_BUNDLED_AUTH_MODE'] === 'password'
    ? Promise.reject(
        new CacheUsageError(
          'secret authMode',
          'iam',
          'this function was bundled for "password" (cache-service.json authMode), so it carries no IAM token signer: set "authMode": "iam" in cache-service.json and deploy again',
        ),
      )
    : import('./iam-auth').then((m) => m.iamAuthTokenProvider());
}
