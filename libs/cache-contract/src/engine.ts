import { ContractViolation } from './errors';

/**
 * The engine facts infrastructure and runtime must agree on: which engines and versions the platform
 * runs decides which commands exist, and so what a service user's access string may name.
 */

/** Engines a serverless cache of this platform may run. */
export type CacheEngine = 'valkey' | 'redis';

export const CACHE_ENGINES: readonly CacheEngine[] = ['valkey', 'redis'];

/** Major versions ElastiCache Serverless offers per engine (Redis OSS serverless is 7 only). */
export const SUPPORTED_MAJOR_VERSIONS: Readonly<Record<CacheEngine, readonly string[]>> = {
  valkey: ['7', '8'],
  redis: ['7'],
};

/** The version used when none is given: the newest one offered. */
export const DEFAULT_MAJOR_VERSIONS: Readonly<Record<CacheEngine, string>> = {
  valkey: '8',
  redis: '7',
};

/** Engine of the platform's cache when the environment names none. */
export const DEFAULT_CACHE_ENGINE: CacheEngine = 'valkey';

/** Validates the engine and its major version; returns the version to use. */
export function resolveEngineVersion(engine: CacheEngine, majorEngineVersion?: string): string {
  if (!CACHE_ENGINES.includes(engine)) {
    throw new ContractViolation('engine', engine, `must be one of ${CACHE_ENGINES.join(', ')}`);
  }
  if (majorEngineVersion === undefined) return DEFAULT_MAJOR_VERSIONS[engine];
  const supported = SUPPORTED_MAJOR_VERSIONS[engine];
  if (!supported.includes(majorEngineVersion)) {
    throw new ContractViolation(
      'major engine version',
      majorEngineVersion,
      `engine ${engine} on ElastiCache Serverless supports major version ${supported.join(' or ')} (a major version only, e.g. "${supported[supported.length - 1]}")`,
    );
  }
  return majorEngineVersion;
}

/**
 * The cache a service user is created on. It decides which commands exist there: an access string
 * must not name a command the target does not offer (ElastiCache can refuse the user), and must
 * remove every command the target offers that would reach across keyspaces.
 */
export interface CacheTarget {
  readonly engine: CacheEngine;
  /** major engine version, e.g. "8" */
  readonly majorEngineVersion: string;
  /** ElastiCache Serverless (true), or a node-based / self-managed server such as a test `redis-server` (false) */
  readonly serverless: boolean;
}

/** What the platform deploys by default: ElastiCache Serverless, Valkey 8. */
export const DEFAULT_CACHE_TARGET: CacheTarget = {
  engine: DEFAULT_CACHE_ENGINE,
  majorEngineVersion: DEFAULT_MAJOR_VERSIONS[DEFAULT_CACHE_ENGINE],
  serverless: true,
};

/** The serverless target of an environment's platform settings (engine and version defaulted as the platform does). */
export function serverlessTarget(engine: CacheEngine = DEFAULT_CACHE_ENGINE, majorEngineVersion?: string): CacheTarget {
  return { engine, majorEngineVersion: resolveEngineVersion(engine, majorEngineVersion), serverless: true };
}
