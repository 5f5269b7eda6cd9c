import { createIamAuthToken, iamAuthTokenProvider } from './iam-auth';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('IAM auth token', () => {
  it('is a SigV4-presigned connect request for the cache and user, without scheme', async () => {
    const token = await createIamAuthToken({
      cacheName: 'Cache-Platform-Dev',
      userId: 'orders-api-dev',
      region: 'eu-west-1',
      credentials,
      expiresInSeconds: 900,
      serverless: true,
      signingDate: new Date('2025-01-02T03:04:05Z'),
    });
    expect(token.startsWith('cache-platform-dev/?')).toBe(true);
    const query = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(query.get('Action')).toBe('connect');
    expect(query.get('User')).toBe('orders-api-dev');
    expect(query.get('ResourceType')).toBe('ServerlessCache');
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20250102/eu-west-1/elasticache/aws4_request');
    expect(query.get('X-Amz-Date')).toBe('20250102T030405Z');
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(query.get('X-Amz-SignedHeaders')).toBe('host');
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain('http');
    expect(token).not.toContain(credentials.secretAccessKey);
  });

  it('refuses lifetimes ElastiCache would refuse', async () => {
    await expect(
      createIamAuthToken({ cacheName: 'c', userId: 'u', region: 'eu-west-1', credentials, expiresInSeconds: 901, serverless: true }),
    ).rejects.toThrow('invalid expiresInSeconds 901: must be 1-900');
  });

  it('reuses a token until shortly before it expires', async () => {
    const provide = iamAuthTokenProvider({ region: 'eu-west-1', credentials });
    const secret = { cacheName: 'cache-platform-dev', username: 'orders-api-dev' } as Parameters<typeof provide>[0];
    const first = await provide(secret);
    expect(await provide(secret)).toBe(first);
    expect(await provide({ ...secret, username: 'other-user' })).not.toBe(first);
  });
});
