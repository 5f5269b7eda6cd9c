import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheSecretPayload } from '@cache-platform/cache-contract';
import { planConnection, samePlan } from './connection-plan';
import { exampleSecret } from '../test/helpers';

const secret: CacheSecretPayload = exampleSecret({
  host: 'cache-platform-dev-abc123.serverless.euw1.cache.amazonaws.com',
  readerPort: 6380,
});
const settings = { connectTimeoutMs: 1000, maxQueuedCommands: 1000 };

describe('planConnection', () => {
  it('uses verified TLS against the secret host, the contract key prefix and cluster mode from the secret', () => {
    const plan = planConnection(secret, settings);
    expect(plan).toEqual({
      mode: 'cluster',
      host: secret.host,
      port: 6379,
      tls: { servername: secret.host, ca: undefined },
      username: 'orders-api-dev',
      authMode: 'password',
      keyPrefix: 'orders:',
      connectTimeoutMs: 1000,
      maxQueuedCommands: 1000,
    });
    // the password is only handed to the client at handshake time, never kept in the plan
    expect(JSON.stringify(plan)).not.toContain(secret.password);
  });

  it('verifies an IP address host against the certificate IP (no SNI), and honours overrides', () => {
    expect(planConnection({ ...secret, host: '127.0.0.1' }, settings).tls).toEqual({ servername: undefined, ca: undefined });
    const plan = planConnection(
      { ...secret, host: '127.0.0.1' },
      { ...settings, clusterMode: false, tls: { ca: 'PEM', servername: 'localhost' } },
    );
    expect(plan.mode).toBe('standalone');
    expect(plan.tls).toEqual({ servername: 'localhost', ca: 'PEM' });
  });

  it('goes without TLS only when the secret says so', () => {
    expect(planConnection({ ...secret, tls: false }, settings).tls).toBe(false);
  });
});

describe('samePlan (is the open client still the right one after a secret re-read?)', () => {
  const plan = (overrides: Partial<CacheSecretPayload> = {}, tls?: { ca?: string | string[]; servername?: string }) =>
    planConnection({ ...secret, ...overrides }, { ...settings, tls });
  it('is true for the same secret (a new password alone needs no new client), false for any connection change', () => {
    expect(samePlan(plan(), plan({ password: 'another-password-000000001' }))).toBe(true);
    expect(samePlan(plan({}, { ca: ['A', 'B'] }), plan({}, { ca: ['A', 'B'] }))).toBe(true);
    const changes: Array<Partial<CacheSecretPayload>> = [
      { host: 'other.example' },
      { port: 6380 },
      { tls: false },
      { username: 'orders-api-dev-2' },
      // the case the old comparison could never see: it copied the fresh secret's authMode
      { authMode: 'iam', password: '' },
      { keyspace: 'orders2' },
      { clusterMode: false },
    ];
    for (const change of changes) expect({ change, same: samePlan(plan(), plan(change)) }).toEqual({ change, same: false });
    expect(samePlan(plan({}, { ca: 'A' }), plan({}, { ca: 'B' }))).toBe(false);
  });
});

describe('shipped code', () => {
  // a common hand-wired setup switches certificate checks off; make sure nothing here ever does
  it('never disables certificate or host name verification', () => {
    const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(join(__dirname, file), 'utf8');
      expect({ file, found: /rejectUnauthorized|checkServerIdentity|NODE_TLS_REJECT_UNAUTHORIZED/.test(text) }).toEqual({
        file,
        found: false,
      });
    }
  });

  it('keeps every Redis client out of the client-config entry point (a service on ioredis does not bundle @redis/client)', () => {
    const reachable = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (reachable.has(file)) return;
      reachable.add(file);
      const text = readFileSync(join(__dirname, `${file}.ts`), 'utf8');
      // type-only imports are erased from bundles
      for (const [, spec] of text.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gm)) {
        if (spec!.startsWith('./')) visit(spec!.slice(2));
        else packages.add(spec!);
      }
    };
    visit('own-client-config');
    expect(reachable).toContain('connection-plan');
    expect([...packages].sort()).toEqual(['@cache-platform/cache-contract', 'node:net']);
  });

  it('reaches SigV4 presigning from the main entry point only behind the bundled auth mode (dead code in a password bundle)', () => {
    const importers = new Map<string, string[]>();
    const reachable = new Set<string>();
    const visit = (file: string) => {
      if (reachable.has(file)) return;
      reachable.add(file);
      const text = readFileSync(join(__dirname, `${file}.ts`), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import\()\s*'\.\/([\w-]+)'/g)) {
        importers.set(spec!, [...(importers.get(spec!) ?? []), file]);
        visit(spec!);
      }
    };
    visit('index');
    expect(reachable).toContain('secrets-manager');
    // one dynamic import, in the branch tools/lambda-bundle turns into dead code for a password service
    // (tools/lambda-bundle/src/bundle.spec.ts bundles both kinds and looks for the signer)
    expect(importers.get('iam-auth')).toEqual(['auth-mode']);
    const authMode = readFileSync(join(__dirname, 'auth-mode.ts'), 'utf8');
    const guard = authMode.indexOf("process.env['CACHE_PLATFORM_BUNDLED_AUTH_MODE'] === 'password'");
    expect(guard).toBeGreaterThan(0);
    expect(authMode.indexOf("import('./iam-auth')")).toBeGreaterThan(guard);
  });
});
