import {
  assertEnvironmentName,
  assertKeyspace,
  assertKeyspacesDisjoint,
  assertServiceName,
  buildAccessString,
  DISABLED_DEFAULT_ACCESS_STRING,
  elastiCacheAccessString,
  assertRotationSchedule,
  DEFAULT_ROTATION_SCHEDULE,
  ACCESS_PROFILES,
  CACHE_ENGINES,
  DEFAULT_CACHE_TARGET,
  SERVERLESS_UNAVAILABLE_COMMANDS,
  SUPPORTED_MAJOR_VERSIONS,
  serverlessTarget,
  type CacheTarget,
  ContractViolation,
  keyspaceClaimParameterName,
  keyspacesOverlap,
  ownershipTags,
  parseCacheSecret,
  platformExportNames,
  platformResourceNames,
  serviceResourceNames,
  EXPORT_KEYS,
  assertAuthMode,
  OWNERSHIP_TAG_KEYS,
} from './index';

describe('service names', () => {
  it.each([
    ['Orders', 'must be lower case'],
    ['orders:v2', 'must not contain ":"'],
    ['orders*', 'must not contain "*"'],
    ['orders?', 'must not contain "?"'],
    ['orders[1]', 'must not contain "["'],
    ['orders{x}', 'must not contain "{"'],
    ['1orders', 'must start with a letter'],
    ['orders--api', 'must not contain consecutive hyphens'],
    ['orders-', 'must not end with a hyphen'],
    ['orders_api', 'may only contain lower-case letters'],
    ['orders api', 'may only contain lower-case letters'],
    ['', 'must be a non-empty string'],
    [' orders', 'must not have leading or trailing whitespace'],
    ['a'.repeat(29), 'must be at most 28 characters (it has 29)'],
    ['default', 'is reserved'],
    ['platform', 'is reserved'],
  ])('refuses %j: %s', (name, rule) => {
    expect(() => assertServiceName(name)).toThrow(ContractViolation);
    expect(() => assertServiceName(name)).toThrow(`invalid service name ${JSON.stringify(name)}: ${rule}`);
  });

  it('refuses non-strings with the value shown', () => {
    expect(() => assertServiceName(42)).toThrow('invalid service name 42: must be a non-empty string');
  });

  it.each(['orders', 'orders-api', 'a1', 'enrollment-api', 'a'.repeat(28)])('accepts %j', (name) => {
    expect(assertServiceName(name)).toBe(name);
  });

  it('lists every rule a name breaks in one message, not one per attempt', () => {
    const error = violation(() => assertServiceName('Orders_API'));
    expect(error.rules).toEqual([
      'must be lower case (ElastiCache stores user ids lower-cased, so upper case would collide)',
      'may only contain lower-case letters (a-z), digits (0-9) and hyphens (-), not "_"',
    ]);
    expect(error.message).toBe(`invalid service name "Orders_API": ${error.rules.join('; ')}`);
  });

  it('blames each character once and names every offending character', () => {
    const error = violation(() => assertServiceName(' 1Orders_api--v2.x*:- '));
    expect(error.message.startsWith('invalid service name " 1Orders_api--v2.x*:- ": ')).toBe(true);
    expect(error.rules).toEqual([
      'must not have leading or trailing whitespace',
      expect.stringContaining('must be lower case'),
      expect.stringContaining('must not contain "*", ":":'),
      'must start with a letter (a-z)',
      'must not contain consecutive hyphens',
      'must not end with a hyphen',
      'may only contain lower-case letters (a-z), digits (0-9) and hyphens (-), not "_", "."',
    ]);
  });

  it('does not report a rule that only follows from another one', () => {
    // upper case is not also "must start with a letter"; surrounding spaces are not "may only contain"
    expect(violation(() => assertServiceName('Orders')).rules).toHaveLength(1);
    expect(violation(() => assertServiceName(' orders ')).rules).toEqual(['must not have leading or trailing whitespace']);
    expect(violation(() => assertServiceName('   ')).rules).toEqual(['must be a non-empty string (it has only whitespace)']);
  });

  it('reports a reserved name together with its case problem', () => {
    expect(violation(() => assertServiceName('Default')).rules).toEqual([
      expect.stringContaining('must be lower case'),
      expect.stringContaining('is reserved once lower-cased, as "default" (reserved names: '),
    ]);
  });

  it('reports the length together with the character rules', () => {
    const name = `${'a'.repeat(28)}_`;
    expect(violation(() => assertServiceName(name)).rules).toEqual([
      expect.stringContaining('not "_"'),
      'must be at most 28 characters (it has 29)',
    ]);
  });
});

/** Runs `fn`, which must throw a ContractViolation, and returns it. */
function violation(fn: () => unknown): ContractViolation {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error('expected a ContractViolation, nothing was thrown');
}

describe('environment names', () => {
  it('accepts short lower-case names and refuses long or odd ones', () => {
    expect(assertEnvironmentName('prod')).toBe('prod');
    expect(() => assertEnvironmentName('production-eu1')).toThrow(
      'invalid environment name "production-eu1": must be at most 10 characters (it has 14)',
    );
    expect(() => assertEnvironmentName('Prod')).toThrow('must be lower case');
    expect(() => assertEnvironmentName('eu-prod')).toThrow('invalid environment name "eu-prod": must not contain hyphens');
    expect(assertEnvironmentName('prod1')).toBe('prod1');
  });

  it('lists every rule an environment name breaks in one message', () => {
    expect(() => assertEnvironmentName('EU-Prod_1')).toThrow(
      'invalid environment name "EU-Prod_1": must be lower case (ElastiCache stores user ids lower-cased, so upper case would collide); ' +
        'may only contain lower-case letters (a-z), digits (0-9) and hyphens (-), not "_"; must not contain hyphens',
    );
  });
});

describe('keyspaces', () => {
  it('follows the same character rules and refuses reserved names', () => {
    expect(() => assertKeyspace('orders:v2')).toThrow('invalid keyspace "orders:v2": must not contain ":"');
    expect(() => assertKeyspace('default')).toThrow('invalid keyspace "default": is reserved');
    expect(() => assertKeyspace('x'.repeat(33))).toThrow('must be at most 32 characters (it has 33)');
  });

  it('lists every rule a keyspace breaks in one message', () => {
    expect(violation(() => assertKeyspace('Orders_API')).message).toBe(
      'invalid keyspace "Orders_API": must be lower case (ElastiCache stores user ids lower-cased, so upper case would collide); ' +
        'may only contain lower-case letters (a-z), digits (0-9) and hyphens (-), not "_"',
    );
    expect(violation(() => assertKeyspace('Orders:v2*')).rules).toEqual([
      expect.stringContaining('must be lower case'),
      expect.stringContaining('must not contain ":", "*":'),
    ]);
  });

  it('detects overlap on the key patterns', () => {
    expect(keyspacesOverlap('orders', 'orders')).toBe(true);
    // with ':' allowed these would overlap; the general check still sees it
    expect(keyspacesOverlap('orders', 'orders:v2')).toBe(true);
    expect(keyspacesOverlap('orders', 'orders-v2')).toBe(false);
  });

  it('refuses a keyspace claimed twice, naming the first owner', () => {
    expect(() =>
      assertKeyspacesDisjoint([
        { keyspace: 'orders', service: 'orders-api' },
        { keyspace: 'catalog', service: 'catalog-api' },
        { keyspace: 'orders', service: 'orders-worker' },
      ]),
    ).toThrow('invalid keyspace "orders": is already claimed by service "orders-api"; keyspaces must be unique');
  });

  it('refuses an invalid keyspace in a claim set', () => {
    expect(() => assertKeyspacesDisjoint([{ keyspace: 'orders:*', service: 'a' }])).toThrow('must not contain ":"');
  });

  it('accepts disjoint claims', () => {
    expect(() =>
      assertKeyspacesDisjoint([
        { keyspace: 'orders', service: 'orders-api' },
        { keyspace: 'orders-v2', service: 'orders-v2-api' },
      ]),
    ).not.toThrow();
  });
});

describe('access strings', () => {
  const selfManagedRedis7: CacheTarget = { engine: 'redis', majorEngineVersion: '7', serverless: false };

  it('restricts a read-write user to its keyspace and removes dangerous and key-listing commands', () => {
    const rules = buildAccessString('orders', 'readwrite', selfManagedRedis7).split(' ');
    expect(rules[0]).toBe('on');
    expect(rules.filter((r) => r.startsWith('~'))).toEqual(['~orders:*']);
    expect(rules).toEqual(
      expect.arrayContaining([
        '-@dangerous',
        '-@admin',
        '-@pubsub',
        '-scan',
        '-randomkey',
        '-dbsize',
        '-cluster|getkeysinslot',
        '-cluster|countkeysinslot',
        '-client|tracking',
        '-move',
        '+eval',
        '+evalsha',
      ]),
    );
    // no broad key pattern, no password, no channel wildcard
    expect(rules).not.toContain('~*');
    expect(rules).not.toContain('allkeys');
    expect(rules.some((r) => r.startsWith('>') || r.startsWith('#') || r.startsWith('&'))).toBe(false);
    // removals come after the grant, so they win
    expect(rules.indexOf('-@dangerous')).toBeGreaterThan(rules.indexOf('+@all'));
  });

  it('removes writes for the readonly profile', () => {
    const rules = buildAccessString('orders', 'readonly').split(' ');
    expect(rules).toContain('-@write');
    expect(rules).not.toContain('+eval');
    expect(rules).toContain('+evalsha_ro');
  });

  // every target the platform can deploy, both profiles
  const serverlessTargets = CACHE_ENGINES.flatMap((engine) =>
    SUPPORTED_MAJOR_VERSIONS[engine].map((majorEngineVersion): CacheTarget => ({ engine, majorEngineVersion, serverless: true })),
  );

  it.each(serverlessTargets.flatMap((t) => ACCESS_PROFILES.map((p) => [`${t.engine} ${t.majorEngineVersion}`, p, t] as const)))(
    'names no command ElastiCache Serverless lists as unavailable (%s, %s)',
    (_name, profile, target) => {
      const named = buildAccessString('orders', profile, target)
        .split(' ')
        .filter((r) => /^[+-][^@]/.test(r))
        .map((r) => r.slice(1));
      expect(named.filter((c) => SERVERLESS_UNAVAILABLE_COMMANDS.includes(c))).toEqual([]);
      expect(named).not.toContain('client|tracking');
      expect(named).not.toContain('move');
    },
  );

  it('is what the platform deploys by default: serverless Valkey 8', () => {
    expect(DEFAULT_CACHE_TARGET).toEqual({ engine: 'valkey', majorEngineVersion: '8', serverless: true });
    expect(buildAccessString('orders')).toBe(buildAccessString('orders', 'readwrite', DEFAULT_CACHE_TARGET));
  });

  it('removes CLUSTER SLOT-STATS where the engine has it (Valkey 8) and only there', () => {
    const valkey8 = buildAccessString('orders', 'readwrite', serverlessTarget('valkey', '8')).split(' ');
    expect(valkey8).toContain('-cluster|slot-stats');
    // removals after the grant, so they win
    expect(valkey8.indexOf('-cluster|slot-stats')).toBeGreaterThan(valkey8.indexOf('+@all'));
    for (const target of [serverlessTarget('valkey', '7'), serverlessTarget('redis', '7'), selfManagedRedis7]) {
      expect(buildAccessString('orders', 'readwrite', target)).not.toContain('slot-stats');
    }
  });

  it('removes CLIENT TRACKING and MOVE where the server offers them (node-based and self-managed)', () => {
    const rules = buildAccessString('orders', 'readonly', { engine: 'valkey', majorEngineVersion: '8', serverless: false }).split(' ');
    expect(rules).toEqual(expect.arrayContaining(['-client|tracking', '-move', '-cluster|slot-stats', '-@write']));
  });

  it('refuses a target the platform cannot run', () => {
    expect(() => buildAccessString('orders', 'readwrite', { engine: 'redis', majorEngineVersion: '8', serverless: true })).toThrow(
      'invalid major engine version "8"',
    );
    expect(() =>
      buildAccessString('orders', 'readwrite', { engine: 'memcached' as never, majorEngineVersion: '1', serverless: true }),
    ).toThrow('invalid engine "memcached"');
  });

  it('refuses a bad keyspace or profile', () => {
    expect(() => buildAccessString('*')).toThrow('invalid keyspace "*"');
    expect(() => buildAccessString('orders', 'admin' as never)).toThrow(
      'invalid access profile "admin": must be one of readwrite, readonly',
    );
  });
});

describe('access strings as ElastiCache returns them', () => {
  // what ElastiCache returned for these (sources in elastiCacheAccessString's comment)
  it.each([
    ['on ~app:* +@read', 'on ~app:* -@all +@read'],
    ['on ~* &* +@read', 'on ~* &* -@all +@read'],
    ['on ~* +@all', 'on ~* +@all'],
    [
      'on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit -bitfield -hset -hsetnx -hmset -hincrby -hincrbyfloat -hdel -bitop -geoadd -georadius -georadiusbymember',
      'on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit -bitfield -hset -hsetnx -hmset -hincrby -hincrbyfloat -hdel -bitop -geoadd -georadius -georadiusbymember',
    ],
  ])('reads %j back as %j', (given, returned) => {
    expect(elastiCacheAccessString(given)).toBe(returned);
  });

  it('rewrites aliases, case and repeated rules as Redis 7.2+ describes them', () => {
    // #20334: this one gave a perpetual diff
    expect(elastiCacheAccessString('on allkeys allcommands')).toBe('on ~* +@all');
    expect(elastiCacheAccessString('ON ~App:* +GET -@Write')).toBe('on ~App:* -@all +get -@write');
    // a later rule on the same name replaces the earlier one (and a command's rule its subcommands')
    expect(elastiCacheAccessString('on ~a:* +@all -get -config|set +get +config')).toBe('on ~a:* +@all +get +config');
    // +@all / -@all start over
    expect(elastiCacheAccessString('on ~a:* +@read -@all +ping')).toBe('on ~a:* -@all +ping');
    expect(elastiCacheAccessString('on ~a:* +get nocommands allcommands -@admin')).toBe('on ~a:* +@all -@admin');
    // neither on nor off: off; key permissions merge, resetkeys clears
    expect(elastiCacheAccessString('~a:* %R~b:* %W~b:* resetkeys %R~c:* -@all')).toBe('off %R~c:* -@all');
    expect(elastiCacheAccessString('off allchannels -@all')).toBe('off &* -@all');
  });

  it('refuses what ElastiCache refuses and what the model has no evidence for, naming the rule', () => {
    expect(() => elastiCacheAccessString('on >secret ~a:* +@all')).toThrow(
      'invalid access string "on >secret ~a:* +@all": rule ">secret" is refused by ElastiCache in an access string',
    );
    expect(() => elastiCacheAccessString('reset on ~a:* +@all')).toThrow('rule "reset" is refused by ElastiCache');
    expect(() => elastiCacheAccessString('on ~a:* &news:* +@all')).toThrow('rule "&news:*" names channels other than &*');
    expect(() => elastiCacheAccessString('on ~a:* +@all (~b:* +get)')).toThrow('rule "(~b:*" is a selector');
    expect(() => elastiCacheAccessString('on allkeys ~a:* +@all')).toThrow('rule "~a:*" adds a key pattern after ~* (or allkeys)');
    expect(() => elastiCacheAccessString('on ~a:* +@all whatever')).toThrow('rule "whatever" is not an access-string rule');
  });

  // a synthesized string ElastiCache would return differently is a change on every plan and a
  // ModifyUser on every apply: every string the platform writes must already be in that form
  const everyTarget = CACHE_ENGINES.flatMap((engine) =>
    SUPPORTED_MAJOR_VERSIONS[engine].flatMap((majorEngineVersion) =>
      [true, false].map((serverless): CacheTarget => ({ engine, majorEngineVersion, serverless })),
    ),
  );
  it.each(
    everyTarget.flatMap((t) =>
      ACCESS_PROFILES.map((p) => [`${t.engine} ${t.majorEngineVersion}${t.serverless ? ' serverless' : ''}`, p, t] as const),
    ),
  )('synthesizes the form ElastiCache returns (%s, %s)', (_name, profile, target) => {
    const synthesized = buildAccessString('orders-api', profile, target);
    expect(elastiCacheAccessString(synthesized)).toBe(synthesized);
  });

  it('writes the disabled default user in the form ElastiCache returns', () => {
    expect(elastiCacheAccessString(DISABLED_DEFAULT_ACCESS_STRING)).toBe(DISABLED_DEFAULT_ACCESS_STRING);
  });
});

describe('derived names', () => {
  it('derives every AWS name of a service within its limit', () => {
    expect(serviceResourceNames('orders-api', 'prod')).toEqual({
      userId: 'orders-api-prod',
      userName: 'orders-api-prod',
      secretName: 'cache-platform/prod/orders-api/redis',
      lambdaFunctionName: 'orders-api-prod-handler',
      lambdaRoleName: 'orders-api-prod-cache-fn',
    });
    const longest = serviceResourceNames('a'.repeat(28), 'b'.repeat(10));
    // with hyphen-free environments, <service>-<environment> splits one way only
    expect(serviceResourceNames('orders-eu', 'prod').userId).not.toBe(serviceResourceNames('orders', 'euprod').userId);
    expect(longest.userId.length).toBeLessThanOrEqual(40);
    expect(longest.lambdaRoleName.length).toBeLessThanOrEqual(64);
    expect(longest.lambdaFunctionName.length).toBeLessThanOrEqual(64);
  });

  it('validates its inputs', () => {
    expect(() => serviceResourceNames('Orders', 'prod')).toThrow('invalid service name "Orders"');
    expect(() => serviceResourceNames('orders', 'prod_1')).toThrow('invalid environment name "prod_1"');
  });

  it('names platform resources per environment, with a distinct id for the disabled default user', () => {
    const names = platformResourceNames('dev');
    expect(names.cacheName).toBe('cache-platform-dev');
    expect(names.disabledDefaultUserId).not.toBe('default');
  });
});

describe('exports', () => {
  it('puts every export under the environment root', () => {
    const names = platformExportNames('staging');
    expect(Object.keys(names).sort()).toEqual([...EXPORT_KEYS].sort());
    for (const name of Object.values(names)) expect(name).toMatch(/^\/cache-platform\/staging\/exports\/[a-z-]+$/);
    expect(new Set(Object.values(names)).size).toBe(EXPORT_KEYS.length);
  });

  it('names keyspace claims per environment and validates the keyspace', () => {
    expect(keyspaceClaimParameterName('dev', 'orders')).toBe('/cache-platform/dev/keyspaces/orders');
    expect(() => keyspaceClaimParameterName('dev', 'a/b')).toThrow('invalid keyspace "a/b"');
  });
});

describe('ownership tags', () => {
  const ownership = { service: 'orders-api', owner: 'team-orders', purpose: 'cache product lookups', environment: 'dev' };

  it('produces every ownership tag', () => {
    const tags = ownershipTags(ownership);
    expect(Object.keys(tags).sort()).toEqual(Object.values(OWNERSHIP_TAG_KEYS).sort());
    expect(tags[OWNERSHIP_TAG_KEYS.managedBy]).toBe('cache-platform/cdktf');
  });

  it('refuses values AWS tagging would refuse', () => {
    expect(() => ownershipTags({ ...ownership, owner: '' })).toThrow('invalid tag cache-platform:owner "": must be a non-empty string');
    expect(() => ownershipTags({ ...ownership, purpose: 'cache; drop' })).toThrow('AWS tag values allow only');
    expect(() => ownershipTags({ ...ownership, purpose: 'x'.repeat(257) })).toThrow('must be at most 256 characters (it has 257)');
  });
});

describe('secret payload', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-platform/dev/orders-api/redis-AbCdEf';
  const valid = {
    schemaVersion: 1,
    host: 'cache.example.internal',
    port: 6379,
    readerPort: 6380,
    username: 'orders-api-dev',
    password: 'S3cret-password-value-123',
    keyspace: 'orders-api',
    tls: true,
    authMode: 'password',
    cacheName: 'cache-platform-dev',
    user_arn: 'arn:aws:elasticache:eu-west-1:123456789012:user:orders-api-dev',
    clusterMode: true,
  };
  const parse = (doc: unknown) => () => parseCacheSecret(typeof doc === 'string' ? doc : JSON.stringify(doc), arn);

  it('parses a valid payload', () => {
    expect(parseCacheSecret(JSON.stringify(valid), arn)).toEqual(valid);
  });

  it.each(['host', 'port', 'username', 'password', 'keyspace', 'tls', 'authMode', 'cacheName', 'user_arn', 'clusterMode'])(
    'names the missing field %s and the secret',
    (field) => {
      const doc: Record<string, unknown> = { ...valid };
      delete doc[field];
      expect(parse(doc)).toThrow(`cache secret ${arn}: field "${field}" is missing`);
    },
  );

  it('refuses wrong types and empty values', () => {
    expect(parse({ ...valid, port: '6379' })).toThrow('field "port" must be an integer port 1-65535 (got string)');
    expect(parse({ ...valid, host: '' })).toThrow('field "host" must not be empty');
    expect(parse({ ...valid, tls: 'yes' })).toThrow('field "tls" must be a boolean (got string)');
    expect(parse({ ...valid, authMode: 'token' })).toThrow('field "authMode" must be one of password, iam (got "token")');
    expect(parse({ ...valid, schemaVersion: 2 })).toThrow('field "schemaVersion" must be 1 (got 2)');
    expect(parse({ ...valid, keyspace: 'a:b' })).toThrow('field "keyspace" invalid keyspace "a:b"');
    expect(parse([1])).toThrow('field "(document)" must be a JSON object (got array)');
    expect(() => parseCacheSecret(undefined, arn)).toThrow('the secret has no SecretString');
  });

  it('allows an empty password only for IAM auth', () => {
    expect(parseCacheSecret(JSON.stringify({ ...valid, authMode: 'iam', password: '' }), arn).authMode).toBe('iam');
    expect(parse({ ...valid, password: '' })).toThrow('field "password" must not be empty');
  });

  it('never puts the password or the raw document in an error', () => {
    const broken = `{"password":"${valid.password}", "host": }`;
    let message = '';
    try {
      parseCacheSecret(broken, arn);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`cache secret ${arn}: field "(document)" is not valid JSON`);
    for (const doc of [
      { ...valid, port: valid.password },
      { ...valid, host: 7 },
    ]) {
      try {
        parseCacheSecret(JSON.stringify(doc), arn);
      } catch (error) {
        expect((error as Error).message).not.toContain(valid.password);
      }
    }
  });
});

describe('auth modes', () => {
  it("accepts the known modes and names the caller's subject on refusal", () => {
    expect(assertAuthMode('iam')).toBe('iam');
    expect(() => assertAuthMode('token')).toThrow('invalid auth mode "token": must be one of password, iam');
    expect(() => assertAuthMode('token', 'authMode')).toThrow('invalid authMode "token": must be one of password, iam');
  });
});

describe('rotation schedules', () => {
  it.each(['rate(1 day)', 'rate(30 days)', 'rate(1000 days)', 'rate(4 hours)', 'rate(24 hours)', 'cron(0 3 ? * SUN *)'])(
    'accepts %s',
    (schedule) => {
      expect(assertRotationSchedule(schedule)).toBe(schedule);
    },
  );

  it.each([
    'rate(0 days)',
    'rate(1001 days)',
    'rate(3 hours)',
    'rate(25 hours)',
    'rate(1 days)',
    'rate(2 day)',
    'weekly',
    'cron(0 3 * *)',
    7,
  ])('refuses %p, naming it and the rule', (schedule) => {
    expect(() => assertRotationSchedule(schedule, 'password rotation schedule of dev')).toThrow(
      `invalid password rotation schedule of dev ${JSON.stringify(schedule)}: expected "rate(<1-1000> days)"`,
    );
  });

  it('defaults to monthly', () => {
    expect(DEFAULT_ROTATION_SCHEDULE).toBe('rate(30 days)');
  });
});
