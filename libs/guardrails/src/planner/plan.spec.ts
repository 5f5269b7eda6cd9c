import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertServiceManifest,
  buildAccessString,
  ownershipTags,
  serverlessTarget,
  type ServiceManifest,
} from '@cache-platform/cache-contract';
import { desiredPlatformUser, desiredPlatformUsers, desiredServiceUsers } from './desired';
import { placeUser, planRedisUserChange, type LiveAccount, type LiveGroup, type LiveUser, type UserAction, type UserPlan } from './plan';

const workspace = join(__dirname, '..', '..', '..', '..');
const sample = (app: string): ServiceManifest =>
  assertServiceManifest(JSON.parse(readFileSync(join(workspace, 'apps', app, 'cache-service.json'), 'utf8')), app);
const manifest = (service: string, keyspace = service, extra: Partial<ServiceManifest> = {}): ServiceManifest =>
  assertServiceManifest(
    {
      service,
      keyspace,
      owner: `team-${service}`,
      purpose: `cache for ${service}`,
      authMode: 'password',
      accessProfile: 'readwrite',
      ...extra,
    },
    `${service}/cache-service.json`,
  );

const ENV = { name: 'dev', engine: 'valkey' as const, majorEngineVersion: '8' };
const PLATFORM = desiredPlatformUser('dev', { owner: 'team-platform', purpose: 'shared cache' });
const desiredOf = (...manifests: ServiceManifest[]) => [...desiredServiceUsers(manifests, ENV), PLATFORM];
const MAIN_GROUP = 'cache-platform-dev-users';
const mainGroup = (members: string[]): LiveGroup[] => [{ cell: 'main', userGroupId: MAIN_GROUP, members }];
const membersOf = (account: LiveAccount, groupId = MAIN_GROUP) => account.groups.find((g) => g.userGroupId === groupId)?.members ?? [];
const withMembers = (account: LiveAccount, members: string[], groupId = MAIN_GROUP): LiveAccount => ({
  ...account,
  groups: account.groups.map((g) => (g.userGroupId === groupId ? { ...g, members } : g)),
});

/** The account after the platform applied everything: what ElastiCache would return. */
function inSyncAccount(manifests: ServiceManifest[]): LiveAccount {
  const users: LiveUser[] = desiredOf(...manifests).map((d) => ({
    userId: d.userId,
    userName: d.userName,
    // ElastiCache hands access strings back rewritten: this must not read as drift
    accessString: d.accessString.replace(/^on /, 'on -@all ').replace('+@all', '-@all +@all'),
    tags: { ...d.tags },
  }));
  return {
    users: [...users, { userId: 'default', userName: 'default', accessString: 'on ~* +@all', tags: {} }],
    groups: mainGroup(users.map((u) => u.userId)),
  };
}

/** Applies a plan to a copy of the account, as an executor would. */
function apply(account: LiveAccount, plan: UserPlan): LiveAccount {
  let users = [...account.users];
  let groups = account.groups.map((g) => ({ ...g, members: [...g.members] }));
  const desired = new Map(desiredOf(sample('catalog-api'), sample('enrollment-api'), manifest('orders-api')).map((d) => [d.userId, d]));
  for (const action of plan.actions) {
    const want = desired.get(action.userId);
    switch (action.kind) {
      case 'create-user':
        users.push({
          userId: action.userId,
          userName: action.userId,
          accessString: action.accessString,
          tags: want ? { ...want.tags } : {},
        });
        break;
      case 'update-access-string':
        users = users.map((u) => (u.userId === action.userId ? { ...u, accessString: action.to } : u));
        break;
      case 'tag':
        users = users.map((u) => (u.userId === action.userId ? { ...u, tags: { ...u.tags, ...action.tags } } : u));
        break;
      case 'add-to-group':
        groups = groups.map((g) => (g.userGroupId === action.userGroupId ? { ...g, members: [...g.members, action.userId] } : g));
        break;
      case 'remove-from-group':
        groups = groups.map((g) =>
          g.userGroupId === action.userGroupId ? { ...g, members: g.members.filter((m) => m !== action.userId) } : g,
        );
        break;
      case 'delete-orphan':
        users = users.filter((u) => u.userId !== action.userId);
        break;
    }
  }
  return { ...account, users, groups };
}

const summary = (actions: readonly UserAction[]) => actions.map((a) => `${a.kind} ${a.userId}`);
const samples = () => [sample('catalog-api'), sample('enrollment-api')];

describe('desired users from the workspace', () => {
  it("builds each sample's user with the contract's names, access string and ownership tags", () => {
    const [catalog] = desiredServiceUsers([sample('catalog-api')], ENV);
    expect(catalog).toMatchObject({
      service: 'catalog-api',
      userId: 'catalog-api-dev',
      keyspace: 'catalog-api',
      owner: 'team-catalog',
      accessString: buildAccessString('catalog-api', 'readwrite', serverlessTarget('valkey', '8')),
      tags: ownershipTags({ service: 'catalog-api', owner: 'team-catalog', purpose: sample('catalog-api').purpose, environment: 'dev' }),
    });
  });
  it('leaves out services that do not run in the environment', () => {
    expect(desiredServiceUsers([manifest('orders-api', 'orders-api', { environments: ['prod'] })], ENV)).toEqual([]);
  });
});

describe('planRedisUserChange', () => {
  it('plans nothing for an account in sync, twice in a row (ElastiCache rewrites are not drift)', () => {
    const input = { environment: 'dev', desired: desiredOf(...samples()), live: inSyncAccount(samples()) };
    const first = planRedisUserChange(input);
    const second = planRedisUserChange(input);
    expect(first.actions).toEqual([]);
    expect(first.conflicts).toEqual([]);
    expect(second).toEqual(first);
    expect(first.inSync).toEqual(['cache-platform-dev-default-off', 'catalog-api-dev', 'enrollment-api-dev']);
  });

  it('a new service: create the user, then add it to the group; applied, the next plan is empty', () => {
    const desired = desiredOf(...samples(), manifest('orders-api'));
    const plan = planRedisUserChange({ environment: 'dev', desired, live: inSyncAccount(samples()) });
    expect(summary(plan.actions)).toEqual(['create-user orders-api-dev', 'add-to-group orders-api-dev']);
    expect(plan.actions[0]).toMatchObject({
      owner: 'team-orders-api',
      purpose: 'cache for orders-api',
      accessString: buildAccessString('orders-api'),
    });
    const after = apply(inSyncAccount(samples()), plan);
    expect(planRedisUserChange({ environment: 'dev', desired, live: after }).actions).toEqual([]);
  });

  it('access-string drift: update, saying what differs', () => {
    const live = inSyncAccount(samples());
    const drifted = {
      ...live,
      users: live.users.map((u) => (u.userId === 'enrollment-api-dev' ? { ...u, accessString: 'on ~* +@all -@dangerous' } : u)),
    };
    const plan = planRedisUserChange({ environment: 'dev', desired: desiredOf(...samples()), live: drifted });
    expect(summary(plan.actions)).toEqual(['update-access-string enrollment-api-dev']);
    expect(plan.actions[0]).toMatchObject({ owner: 'team-enrollment', service: 'enrollment-api' });
    expect(plan.actions[0]!.reason).toMatch(/^live also allows keys ~\*; live lacks keys ~enrollment-api:\*; live also allows commands /);
    expect(planRedisUserChange({ environment: 'dev', desired: desiredOf(...samples()), live: apply(drifted, plan) }).actions).toEqual([]);
  });

  it('missing membership: add to the group', () => {
    const live = inSyncAccount(samples());
    const plan = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples()),
      live: withMembers(
        live,
        membersOf(live).filter((m) => m !== 'catalog-api-dev'),
      ),
    });
    expect(summary(plan.actions)).toEqual(['add-to-group catalog-api-dev']);
    expect(plan.actions[0]).toMatchObject({ cell: 'main', userGroupId: MAIN_GROUP });
    expect(plan.actions[0]!.reason).toBe("user is not in cell main's user group (cache-platform-dev-users)");
  });

  it('orphaned user (created by the platform, no manifest any more): remove from the group, then delete', () => {
    const live = inSyncAccount([...samples(), manifest('orders-api')]);
    const plan = planRedisUserChange({ environment: 'dev', desired: desiredOf(...samples()), live });
    expect(summary(plan.actions)).toEqual(['remove-from-group orders-api-dev', 'delete-orphan orders-api-dev']);
    expect(plan.actions[1]).toMatchObject({ service: 'orders-api', owner: 'team-orders-api', purpose: 'cache for orders-api' });
    expect(planRedisUserChange({ environment: 'dev', desired: desiredOf(...samples()), live: apply(live, plan) }).actions).toEqual([]);
  });

  it('user without ownership tags: tag it, naming the missing tags', () => {
    const live = inSyncAccount(samples());
    const untagged = { ...live, users: live.users.map((u) => (u.userId === 'catalog-api-dev' ? { ...u, tags: {} } : u)) };
    const plan = planRedisUserChange({ environment: 'dev', desired: desiredOf(...samples()), live: untagged });
    expect(summary(plan.actions)).toEqual(['tag catalog-api-dev']);
    expect(plan.actions[0]).toMatchObject({
      owner: 'team-catalog',
      missing: expect.arrayContaining(['cache-platform:owner', 'cache-platform:purpose']),
    });
    expect(plan.actions[0]!.reason).toContain('missing tag(s) cache-platform:service, cache-platform:owner');
  });

  it('two services claiming one keyspace: a conflict, and no action for the later claimant', () => {
    const live = inSyncAccount(samples());
    const plan = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples(), manifest('catalog-copy', 'catalog-api')),
      live,
    });
    expect(plan.actions).toEqual([]);
    expect(plan.conflicts).toEqual([
      expect.objectContaining({ keyspace: 'catalog-api', heldBy: 'catalog-api', claimedBy: 'catalog-copy', owner: 'team-catalog-copy' }),
    ]);
    // against the account's claims too: the keyspace parameter names another service
    const claimed = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples(), manifest('orders-api')),
      live: { ...live, claims: [{ keyspace: 'orders-api', service: 'legacy-orders', owner: 'team-legacy' }] },
    });
    expect(claimed.actions).toEqual([]);
    expect(claimed.conflicts[0]!.reason).toBe(
      'keyspace "orders-api" is claimed in the account by service legacy-orders (owner team-legacy), not by orders-api',
    );
  });

  it('a user in the group that the platform did not create: remove it from the group, never delete it', () => {
    const live = inSyncAccount(samples());
    const stranger: LiveUser = { userId: 'hand-made', userName: 'hand-made', accessString: 'on ~* +@all', tags: { team: 'someone' } };
    const plan = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples()),
      live: withMembers({ ...live, users: [...live.users, stranger] }, [...membersOf(live), 'hand-made']),
    });
    expect(summary(plan.actions)).toEqual(['remove-from-group hand-made']);
    expect(plan.actions[0]!.reason).toBe(
      "in cell main's user group (cache-platform-dev-users) of environment dev, but no manifest defines it here and which environment it belongs to is unknown: it has no cache-platform:environment tag and its id does not end in -<environment> (dev); it grants every key (~*) and allows flushall, flushdb, keys, config|set, scan and 80 more",
    );
    // a hand-made user of this environment (its tag says so) in the group: removed from it, still never deleted
    const ownUser = { ...stranger, userId: 'hand-made-dev', tags: { 'cache-platform:environment': 'dev' } };
    const own = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples()),
      live: withMembers({ ...live, users: [...live.users, ownUser] }, [...membersOf(live), 'hand-made-dev']),
    });
    expect(summary(own.actions)).toEqual(['remove-from-group hand-made-dev']);
    expect(own.actions[0]!.reason).toMatch(
      /^in cell main's user group \(cache-platform-dev-users\), but the platform did not create it \(no managed-by tag\) and no manifest defines it; it grants every key/,
    );
  });

  it('users outside the group: tag the ones nobody owns, review the over-privileged, leave the rest alone', () => {
    const live = inSyncAccount(samples());
    const outside: LiveUser[] = [
      // of this environment by its id alone
      { userId: 'no-tags-dev', userName: 'no-tags-dev', accessString: 'on ~reports:* +get', tags: {} },
      {
        userId: 'wide-open',
        userName: 'wide-open',
        accessString: 'on ~* +@all -@dangerous',
        tags: { 'cache-platform:owner': 'team-data', 'cache-platform:purpose': 'ad-hoc analysis', 'cache-platform:environment': 'dev' },
      },
      {
        userId: 'someone-elses',
        userName: 'someone-elses',
        accessString: 'on ~theirs:* -@all +get +set',
        tags: { 'cache-platform:owner': 'team-x', 'cache-platform:purpose': 'their own cluster', 'cache-platform:environment': 'dev' },
      },
    ];
    const plan = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples()),
      live: { ...live, users: [...live.users, ...outside] },
    });
    expect(summary(plan.actions)).toEqual(['tag no-tags-dev', 'review wide-open']);
    expect(plan.actions[0]!.reason).toBe(
      'no manifest defines this user and it lacks ownership tags (missing cache-platform:owner, cache-platform:purpose, cache-platform:environment): tag it with its owner, purpose and environment, or delete it',
    );
    expect(plan.actions[1]).toMatchObject({
      owner: 'team-data',
      purpose: 'ad-hoc analysis',
      reason:
        'not created by the platform and not in its user groups, but it grants every key (~*) and allows scan, cluster|countkeysinslot, cluster|getkeysinslot, dbsize, function|delete and 5 more',
    });
  });

  it("the platform's disabled default user is planned like the rest: enabled, it is drift", () => {
    const live = inSyncAccount(samples());
    const enabled = { ...live, users: live.users.map((u) => (u.userId === PLATFORM.userId ? { ...u, accessString: 'on -@all' } : u)) };
    const plan = planRedisUserChange({ environment: 'dev', desired: desiredOf(...samples()), live: enabled });
    expect(plan.actions).toEqual([
      expect.objectContaining({ kind: 'update-access-string', userId: PLATFORM.userId, reason: 'user is on, should be off' }),
    ]);
  });
});

describe('one environment and every cell of it, in an account another environment shares', () => {
  // dev has two cells; cell b runs Redis OSS 7 (its own engine: its services' access strings follow it)
  const DEV = {
    name: 'dev',
    engine: 'valkey' as const,
    majorEngineVersion: '8',
    cells: [{ name: 'main' }, { name: 'b', engine: 'redis' as const, majorEngineVersion: '7' }],
  };
  const PROD = { name: 'prod', engine: 'valkey' as const, majorEngineVersion: '8' };
  const KNOWN = ['dev', 'prod'];
  const OWNERSHIP = { owner: 'team-platform', purpose: 'shared cache' };
  const manifests = () => [sample('catalog-api'), { ...sample('enrollment-api'), cell: 'b' }];
  const desiredIn = (env: typeof DEV | typeof PROD, list: ServiceManifest[]) => [
    ...desiredServiceUsers(list, env),
    ...desiredPlatformUsers(env, OWNERSHIP),
  ];
  const asLive = (d: ReturnType<typeof desiredIn>[number]): LiveUser => ({
    userId: d.userId,
    userName: d.userName,
    accessString: d.accessString,
    tags: { ...d.tags },
  });
  const groupsFrom = (desired: ReturnType<typeof desiredIn>): LiveGroup[] => {
    const byId = new Map<string, LiveGroup>();
    for (const d of desired) {
      const group = byId.get(d.userGroupId) ?? { cell: d.cell, userGroupId: d.userGroupId, members: [] };
      byId.set(d.userGroupId, { ...group, members: [...group.members, d.userId] });
    }
    return [...byId.values()];
  };

  /** dev (cells main and b) and prod (with one orphan the prod audit should delete) in one account. */
  function sharedAccount(): {
    dev: LiveAccount;
    prod: LiveAccount;
    devDesired: ReturnType<typeof desiredIn>;
    prodDesired: ReturnType<typeof desiredIn>;
  } {
    const devDesired = desiredIn(DEV, manifests());
    const prodDesired = desiredIn(PROD, [sample('catalog-api'), sample('enrollment-api')]);
    const orphan = desiredIn(PROD, [manifest('orders-api')]).find((d) => d.userId === 'orders-api-prod')!;
    const users: LiveUser[] = [...devDesired, ...prodDesired, orphan].map(asLive);
    return {
      devDesired,
      prodDesired,
      dev: { users, groups: groupsFrom(devDesired) },
      prod: { users, groups: groupsFrom([...prodDesired, orphan]) },
    };
  }

  it("reads every cell's group: cell b's services and its disabled default user are in sync; prod's users are left alone", () => {
    const { dev, devDesired } = sharedAccount();
    expect(devDesired.map((d) => `${d.userId} ${d.userGroupId}`)).toEqual([
      'catalog-api-dev cache-platform-dev-users',
      'enrollment-api-dev cache-platform-dev-b-users',
      'cache-platform-dev-default-off cache-platform-dev-users',
      'cache-platform-dev-b-default-off cache-platform-dev-b-users',
    ]);
    // cell b's engine, not the environment's
    expect(devDesired[1]!.accessString).toBe(buildAccessString('enrollment-api', 'readwrite', serverlessTarget('redis', '7')));
    const plan = planRedisUserChange({ environment: 'dev', desired: devDesired, live: dev, knownEnvironments: KNOWN });
    expect(plan.actions).toEqual([]);
    expect(plan.inSync).toEqual([
      'cache-platform-dev-b-default-off',
      'cache-platform-dev-default-off',
      'catalog-api-dev',
      'enrollment-api-dev',
    ]);
    expect(plan.otherEnvironments).toEqual([
      { userId: 'cache-platform-prod-default-off', environment: 'prod', by: 'tag and id' },
      { userId: 'catalog-api-prod', environment: 'prod', by: 'tag and id' },
      { userId: 'enrollment-api-prod', environment: 'prod', by: 'tag and id' },
      { userId: 'orders-api-prod', environment: 'prod', by: 'tag and id' },
    ]);
  });

  it("never deletes another environment's users; that environment's own plan does, and names none of dev's", () => {
    const { dev, prod, devDesired, prodDesired } = sharedAccount();
    const devPlan = planRedisUserChange({ environment: 'dev', desired: devDesired, live: dev, knownEnvironments: KNOWN });
    expect(devPlan.actions.filter((a) => a.userId.endsWith('-prod') || a.userId.includes('-prod-'))).toEqual([]);
    const prodPlan = planRedisUserChange({ environment: 'prod', desired: prodDesired, live: prod, knownEnvironments: KNOWN });
    expect(summary(prodPlan.actions)).toEqual(['remove-from-group orders-api-prod', 'delete-orphan orders-api-prod']);
    expect(prodPlan.otherEnvironments.map((u) => u.userId)).toEqual([
      'cache-platform-dev-b-default-off',
      'cache-platform-dev-default-off',
      'catalog-api-dev',
      'enrollment-api-dev',
    ]);
  });

  it("a service in the wrong cell's group: add it to its own cell's group, then remove it from the other; applied, in sync", () => {
    const { dev, devDesired } = sharedAccount();
    const wrong: LiveAccount = {
      ...dev,
      groups: dev.groups.map((g) =>
        g.cell === 'main'
          ? { ...g, members: [...g.members, 'enrollment-api-dev'] }
          : { ...g, members: g.members.filter((m) => m !== 'enrollment-api-dev') },
      ),
    };
    const plan = planRedisUserChange({ environment: 'dev', desired: devDesired, live: wrong, knownEnvironments: KNOWN });
    expect(plan.actions).toEqual([
      expect.objectContaining({
        kind: 'add-to-group',
        userId: 'enrollment-api-dev',
        cell: 'b',
        userGroupId: 'cache-platform-dev-b-users',
        owner: 'team-enrollment',
        reason:
          "user is in cell main's user group (cache-platform-dev-users), but its manifest names cell b: add it to cell b's user group (cache-platform-dev-b-users)",
      }),
      expect.objectContaining({
        kind: 'remove-from-group',
        userId: 'enrollment-api-dev',
        cell: 'main',
        userGroupId: 'cache-platform-dev-users',
        reason:
          "user is in cell main's user group (cache-platform-dev-users), but its manifest names cell b (cache-platform-dev-b-users): remove it from cache-platform-dev-users",
      }),
    ]);
    const after = apply(wrong, plan);
    expect(planRedisUserChange({ environment: 'dev', desired: devDesired, live: after, knownEnvironments: KNOWN }).actions).toEqual([]);
  });

  it('places users by tag, then by id; a user nobody can place (or whose tag and id disagree) is reported, never deleted', () => {
    const user = (userId: string, tags: Record<string, string> = {}) => ({ userId, tags });
    expect(placeUser(user('x', { 'cache-platform:environment': 'prod' }), KNOWN)).toEqual({ environment: 'prod', by: 'tag' });
    expect(placeUser(user('reports-prod'), KNOWN)).toEqual({ environment: 'prod', by: 'id' });
    expect(placeUser(user('cache-platform-prod-b-default-off'), KNOWN)).toEqual({ environment: 'prod', by: 'id' });
    expect(placeUser(user('cache-platform-qa-default-off'), KNOWN)).toMatchObject({ environment: undefined });
    expect(placeUser(user('reporting'), KNOWN)).toEqual({
      environment: undefined,
      reason: 'it has no cache-platform:environment tag and its id does not end in -<environment> (dev, prod)',
    });
    expect(placeUser(user('catalog-api-prod', { 'cache-platform:environment': 'dev' }), KNOWN)).toEqual({
      environment: undefined,
      reason: 'its cache-platform:environment tag says "dev" but its id says "prod"',
    });

    const { dev, devDesired } = sharedAccount();
    const managed = {
      'cache-platform:managed-by': 'cache-platform/cdktf',
      'cache-platform:owner': 'team-x',
      'cache-platform:purpose': 'p',
    };
    const strangers: LiveUser[] = [
      { userId: 'reporting', userName: 'reporting', accessString: 'on ~* +@all', tags: {} },
      // managed-by and tagged dev, but its id is prod's: conflicting evidence, so not an orphan to delete
      {
        userId: 'billing-api-prod',
        userName: 'billing-api-prod',
        accessString: 'on ~billing:* +get',
        tags: { ...managed, 'cache-platform:environment': 'dev' },
      },
      // managed-by, no environment tag, id says dev: this environment's, but not deleted on its id alone
      { userId: 'billing-api-dev', userName: 'billing-api-dev', accessString: 'on ~billing:* +get', tags: managed },
      // tagged prod but sitting in dev's cell b group: removed from dev's group, never deleted
      {
        userId: 'intruder',
        userName: 'intruder',
        accessString: 'on ~x:* +get',
        tags: { 'cache-platform:environment': 'prod', ...managed },
      },
    ];
    const live: LiveAccount = {
      users: [...dev.users, ...strangers],
      groups: dev.groups.map((g) => (g.cell === 'b' ? { ...g, members: [...g.members, 'intruder'] } : g)),
    };
    const plan = planRedisUserChange({ environment: 'dev', desired: devDesired, live, knownEnvironments: KNOWN });
    expect(summary(plan.actions)).toEqual([
      'tag billing-api-dev',
      'remove-from-group intruder',
      'unknown-environment billing-api-prod',
      'unknown-environment reporting',
    ]);
    expect(plan.actions.some((a) => a.kind === 'delete-orphan')).toBe(false);
    const [tag, remove, conflict, unknown] = plan.actions;
    expect(tag!.reason).toContain('missing cache-platform:environment');
    expect(remove).toMatchObject({ cell: 'b', userGroupId: 'cache-platform-dev-b-users' });
    expect(remove!.reason).toBe(
      "in cell b's user group (cache-platform-dev-b-users) of environment dev, but no manifest defines it here and it belongs to environment prod (its cache-platform:environment tag)",
    );
    expect(conflict!.reason).toBe(
      'which environment it belongs to is unknown: its cache-platform:environment tag says "dev" but its id says "prod"; the audit never changes or deletes such a user: tag it with its cache-platform:environment (and owner and purpose)',
    );
    expect(unknown!.reason).toMatch(
      /^which environment it belongs to is unknown: it has no cache-platform:environment tag and its id does not end in -<environment> \(dev, prod\); .*; it grants every key \(~\*\)/,
    );
  });

  it('a manifest naming a cell the environment does not have is an error naming both', () => {
    expect(() => desiredServiceUsers([{ ...sample('catalog-api'), cell: 'c' }], DEV)).toThrow(
      /cell "c".*service "catalog-api" names a cell environment "dev" does not have \(cells: main, b\)/,
    );
  });
});
