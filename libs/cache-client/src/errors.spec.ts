import { ClientClosedError, ClientOfflineError, DisconnectsClientError, ErrorReply, SocketClosedUnexpectedlyError } from '@redis/client';
import { SecretPayloadError } from '@cache-platform/cache-contract';
import {
  CacheSecretError,
  CacheTimeoutError,
  CacheUsageError,
  describeError,
  describeErrorForHealth,
  isConnectionDrop,
  undisclosed,
} from './errors';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';

describe('describeErrorForHealth (health may be served on a public path)', () => {
  it('keeps the class, the Node or Redis code and this library’s rule; drops upstream text, ARNs and hosts', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.3.17:6379'), { code: 'ECONNREFUSED' });
    const gaveUp = new (class DeadClientError extends Error {})('the Redis connection gave up (...)', { cause: refused });
    const cases: Array<[unknown, string]> = [
      [new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.'), 'ErrorReply WRONGPASS'],
      [new ErrorReply('NOPERM User orders-api-dev has no permissions to access the key'), 'ErrorReply NOPERM'],
      [refused, 'Error ECONNREFUSED'],
      [gaveUp, 'DeadClientError (Error ECONNREFUSED)'],
      [new AggregateError([refused]), 'Error ECONNREFUSED'],
      [new CacheTimeoutError('connect', 250), 'CacheTimeoutError: cache connect took longer than 250 ms'],
      [
        new CacheSecretError(
          ARN,
          'Secrets Manager GetSecretValue failed: AccessDeniedException',
          `User: arn:aws:sts::123456789012:assumed-role/r is not authorized on ${ARN}`,
        ),
        'CacheSecretError: Secrets Manager GetSecretValue failed: AccessDeniedException',
      ],
      [
        new SecretPayloadError('port', ARN, 'must be an integer port 1-65535 (got string)'),
        'SecretPayloadError: field "port" must be an integer port 1-65535 (got string)',
      ],
      [
        new CacheUsageError('secretArn', undisclosed('{"password":"x"}'), 'must be a Secrets Manager ARN'),
        'CacheUsageError: invalid secretArn: must be a Secrets Manager ARN',
      ],
      ['a string', 'unknown error'],
    ];
    for (const [error, expected] of cases) {
      expect(describeErrorForHealth(error)).toBe(expected);
      expect(describeErrorForHealth(error)).not.toMatch(/arn:|123456789012|10\.0\.3\.17|orders-api-dev/);
    }
    // the logs keep the detail
    expect(describeError(new CacheSecretError(ARN, 'Secrets Manager GetSecretValue failed: AccessDeniedException', 'not authorized'))).toBe(
      `CacheSecretError: cache secret ${ARN}: Secrets Manager GetSecretValue failed: AccessDeniedException: not authorized`,
    );
  });
});

describe('CacheUsageError values', () => {
  it('never shows a value that looks like a JSON document, nor an undisclosed one', () => {
    expect(new CacheUsageError('key', '{"password":"Sup3r-Secret"}', 'must not be JSON').message).toBe(
      'invalid key (a JSON document, not shown): must not be JSON',
    );
    expect(new CacheUsageError('x', undisclosed('Sup3r-Secret'), 'rule').message).toBe('invalid x (not shown): rule');
    expect(new CacheUsageError('key', '_l:x', 'must not start with "_"').message).toBe('invalid key "_l:x": must not start with "_"');
  });
});

describe('isConnectionDrop', () => {
  it('is true for a connection that went away or is not back yet, false for what this library did and for refusals', () => {
    const code = (c: string) => Object.assign(new Error(c), { code: c });
    expect(
      [new SocketClosedUnexpectedlyError(), new ClientOfflineError(), code('ECONNRESET'), code('EPIPE')].map(isConnectionDrop),
    ).toEqual([true, true, true, true]);
    // closed on purpose (circuit opening, credential refresh), a stalled server, a refusal, a refused connect
    const others = [
      new DisconnectsClientError(),
      new ClientClosedError(),
      new CacheTimeoutError('read', 250),
      new ErrorReply('NOPERM no'),
      code('ECONNREFUSED'),
      'text',
      undefined,
    ];
    expect(others.map(isConnectionDrop)).toEqual(others.map(() => false));
  });
});
