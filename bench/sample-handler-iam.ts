// The same handler on IAM auth: the secret says `iam`, and only a bundle built for iam (the
// manifest's authMode, as tools/lambda-bundle compiles it in) carries the SigV4 token signer.
import { createServiceCache } from '@cache-platform/cache-client';

const cache = createServiceCache();

export const handler = async () => cache.checkHealth();
