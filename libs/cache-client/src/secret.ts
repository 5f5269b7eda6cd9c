import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseCacheSecret, SECRET_ARN_ENV_VAR, type CacheSecretPayload } from '@cache-platform/cache-contract';
import { CacheSecretError, CacheUsageError, undisclosed } from './errors';
import { monotonicMs } from './time';

const ARN_SHAPE = 'arn:aws:secretsmanager:<region>:<account>:secret:<name>';

/**
 * Where the cache secret comes from. Production reads Secrets Manager; local runs and tests hand
 * the same JSON document in from a file or from memory, through the same parsing and validation.
 */
export interface SecretSource {
  /**
   * Names the secret in errors and logs (an ARN, a file path). Never the secret itself.
   * @default '(unnamed secret source)'
   */
  readonly name?: string;
  /**
   * Returns the secret string (the JSON document of `CacheSecretPayload`).
   * @param force skip any cache the source keeps: set when a rotation is suspected
   */
  fetch(force?: boolean): Promise<string>;
}

/** A fixed secret, for tests and local runs. Accepts the payload or its JSON text. */
export function staticSecretSource(secret: CacheSecretPayload | string, name = 'static secret'): SecretSource {
  const text = typeof secret === 'string' ? secret : JSON.stringify(secret);
  return { name, fetch: async () => text };
}

/** Reads a JSON secret file on every fetch, so a local rotation is a file rewrite. */
export function fileSecretSource(path: string): SecretSource {
  return {
    name: path,
    fetch: async () => {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        throw new CacheSecretError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    },
  };
}

export interface SecretsManagerSourceOptions {
  /**
   * AWS region of the secret.
   * @default the region in the ARN, else `AWS_REGION`
   */
  readonly region?: string;
}

/**
 * Reads the secret from AWS Secrets Manager (one signed `GetSecretValue` call, on every fetch: a forced
 * re-read sees a rotated value). The request code lives in its own module, loaded on first fetch:
 * services that get their secret elsewhere never evaluate it.
 */
export function secretsManagerSource(secretArn: string, options: SecretsManagerSourceOptions = {}): SecretSource {
  if (typeof secretArn !== 'string' || !secretArn.startsWith('arn:')) {
    // not shown: a value that is not an ARN may be the secret itself
    const shown = typeof secretArn === 'string' ? undisclosed(secretArn) : secretArn;
    throw new CacheUsageError('secretArn', shown, `must be a Secrets Manager ARN (${ARN_SHAPE})`);
  }
  return {
    name: secretArn,
    fetch: async () => {
      const { getSecretString } = await import('./secrets-manager');
      return getSecretString(secretArn, options.region);
    },
  };
}

/**
 * The source a deployed function uses: `REDIS_SECRET_ARN` holds a Secrets Manager ARN. For local
 * runs it may hold a `file:` URL of a JSON document instead, so the same handler runs unchanged.
 */
export function secretSourceFromEnv(env: NodeJS.ProcessEnv = process.env): SecretSource {
  const value = env[SECRET_ARN_ENV_VAR];
  if (value === undefined || value.trim() === '') {
    throw new CacheUsageError(
      `environment variable ${SECRET_ARN_ENV_VAR}`,
      value ?? '(unset)',
      'must hold the ARN of the service cache secret (the service stack sets it), or a file: URL for a local run',
    );
  }
  if (value.startsWith('file:')) return fileSecretSource(fileURLToPath(value));
  if (value.startsWith('arn:')) return secretsManagerSource(value);
  // never echoed: the secret's JSON document (password included) pasted here instead of its ARN is an easy mistake
  throw new CacheUsageError(
    `environment variable ${SECRET_ARN_ENV_VAR}`,
    undisclosed(value),
    `must be a Secrets Manager ARN (${ARN_SHAPE}) or, for a local run, a file: URL (file:///path/to/secret.json)`,
  );
}

export interface SecretLoaderOptions {
  /** fewest milliseconds between two forced re-fetches */
  readonly minRefreshIntervalMs: number;
  readonly onFetch?: (forced: boolean) => void;
}

/**
 * Holds the parsed secret for the execution environment. Concurrent callers share one fetch; a
 * failed fetch is not remembered (the next caller tries again, the circuit breaker paces them);
 * forced re-fetches are rate-limited so a burst of auth failures costs one Secrets Manager call.
 */
export class SecretLoader {
  private current: CacheSecretPayload | undefined;
  private pending: Promise<CacheSecretPayload> | undefined;
  private lastForcedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly resolveSource: () => SecretSource,
    private readonly options: SecretLoaderOptions,
  ) {}

  /** The secret already loaded, if any (no I/O). */
  peek(): CacheSecretPayload | undefined {
    return this.current;
  }

  /** The secret, fetched once; waits for a re-fetch in progress so callers never use a password being replaced. */
  get(): Promise<CacheSecretPayload> {
    if (this.pending) return this.pending;
    if (this.current) return Promise.resolve(this.current);
    return this.load(false);
  }

  /**
   * Re-reads the secret, skipping source caches, unless the previous forced re-read was less than
   * `minRefreshIntervalMs` ago; then the secret in hand is returned. The first forced re-read is
   * never delayed: a rotation may land right after a cold start.
   */
  refresh(): Promise<CacheSecretPayload> {
    if (this.pending) return this.pending;
    if (this.current && monotonicMs() - this.lastForcedAt < this.options.minRefreshIntervalMs) {
      return Promise.resolve(this.current);
    }
    return this.load(true);
  }

  private load(force: boolean): Promise<CacheSecretPayload> {
    const pending = (async () => {
      const source = this.resolveSource();
      if (force) this.lastForcedAt = monotonicMs();
      this.options.onFetch?.(force);
      const secret = parseCacheSecret(await source.fetch(force), source.name ?? '(unnamed secret source)');
      this.current = secret;
      return secret;
    })();
    this.pending = pending;
    const clear = () => {
      if (this.pending === pending) this.pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }
}
