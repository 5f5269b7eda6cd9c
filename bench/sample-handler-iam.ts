// The same handler on IAM auth: only this variant pulls in the SigV4 token signer.
import { createServiceCache } from '@cache-platform/cache-client';
import { iamAuthTokenProvider } from '@cache-platform/cache-client/iam-auth';

const cache = createServiceCache({ authTokenProvider: iamAuthTokenProvider() });

export const handler = async () => cache.checkHealth();
