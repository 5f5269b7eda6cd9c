import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertServiceManifest,
  buildAccessString,
  ownershipTags,
  serverlessTarget,
  type ServiceManifest,
} from '@cache-platform/cache-contract';
import { desiredPlatformUser, desiredServiceUsers } from './desired';
import { planRedisUserChange, type LiveAccount, type LiveUser, type UserAction, type UserPlan } from './plan';

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
    groupMembers: users.map((u) => u.userId),
  };
}

/** Applies a plan to a copy of the account, as an executor would. */
function apply(account: LiveAccount, plan: UserPlan): LiveAccount {
  let users = [...account.users];
  let members = [...account.groupMembers];
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
        members.push(action.userId);
        break;
      case 'remove-from-group':
        members = members.filter((m) => m !== action.userId);
        break;
      case 'delete-orphan':
        users = users.filter((u) => u.userId !== action.userId);
        break;
    }
  }
  return { ...account, users, groupMembers: members };
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
      live: { ...live, groupMembers: live.groupMembers.filter((m) => m !== 'catalog-api-dev') },
    });
    expect(summary(plan.actions)).toEqual(['add-to-group catalog-api-dev']);
    expect(plan.actions[0]!.reason).toBe('user is not in the platform user group');
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
      live: { ...live, users: [...live.users, stranger], groupMembers: [...live.groupMembers, 'hand-made'] },
    });
    expect(summary(plan.actions)).toEqual(['remove-from-group hand-made']);
    expect(plan.actions[0]!.reason).toBe(
      'in the platform user group, but the platform did not create it (no managed-by tag) and no manifest defines it; it grants every key (~*) and allows flushall, flushdb, keys, config|set, scan and 80 more',
    );
  });

  it('users outside the group: tag the ones nobody owns, review the over-privileged, leave the rest alone', () => {
    const live = inSyncAccount(samples());
    const outside: LiveUser[] = [
      { userId: 'no-tags', userName: 'no-tags', accessString: 'on ~reports:* +get', tags: {} },
      {
        userId: 'wide-open',
        userName: 'wide-open',
        accessString: 'on ~* +@all -@dangerous',
        tags: { 'cache-platform:owner': 'team-data', 'cache-platform:purpose': 'ad-hoc analysis' },
      },
      {
        userId: 'someone-elses',
        userName: 'someone-elses',
        accessString: 'on ~theirs:* -@all +get +set',
        tags: { 'cache-platform:owner': 'team-x', 'cache-platform:purpose': 'their own cluster' },
      },
    ];
    const plan = planRedisUserChange({
      environment: 'dev',
      desired: desiredOf(...samples()),
      live: { ...live, users: [...live.users, ...outside] },
    });
    expect(summary(plan.actions)).toEqual(['tag no-tags', 'review wide-open']);
    expect(plan.actions[0]!.reason).toBe(
      'no manifest defines this user and it has no ownership tags (missing cache-platform:owner, cache-platform:purpose): tag it with its owner and purpose, or delete it',
    );
    expect(plan.actions[1]).toMatchObject({
      owner: 'team-data',
      purpose: 'ad-hoc analysis',
      reason:
        'not created by the platform and not in its user group, but it grants every key (~*) and allows scan, cluster|countkeysinslot, cluster|getkeysinslot, dbsize, function|delete and 5 more',
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
