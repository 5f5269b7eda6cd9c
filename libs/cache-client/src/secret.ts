import { createHash } from 'node:crypto';
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
   * Returns the secret string (the JSON document of `CacheSecretPayload`), alone or with the id of
   * the version it was read from (Secrets Manager's `VersionId`). A re-read after an authentication
   * failure compares versions: by id when the source gives one, else by the document's content.
   * @param force skip any cache the source keeps: set when a rotation is suspected
   */
  fetch(force?: boolean): Promise<string | SecretValue>;
}

/** A secret document and the version it was read from. */
export interface SecretValue {
  readonly secretString: string;
  /**
   * Unique per version of the secret (Secrets Manager's `VersionId`: every rotation writes a new
   * one). Undefined when the source has none: the document's content then tells versions apart.
   */
  readonly versionId: string | undefined;
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
      const { getSecretValue } = await import('./secrets-manager');
      return getSecretValue(secretArn, options.region);
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

/**
 * The first pause after a forced re-read that found the version already in hand; it doubles with
 * every such re-read, up to `SecretLoaderOptions.maxPauseMs`.
 */
export const FIRST_UNCHANGED_PAUSE_MS = 100;

export interface SecretLoaderOptions {
  /**
   * Longest pause between two forced re-reads that found no new version (a wrong password, or a
   * rotation that has not moved `AWSCURRENT` yet). 0: no pause.
   */
  readonly maxPauseMs: number;
  readonly onFetch?: (forced: boolean) => void;
}

/** The version a fetch returned: its id when the source has one, else a digest of the document. */
function versionOf(fetched: string | SecretValue): { text: string; version: string } {
  if (typeof fetched !== 'string' && fetched.versionId !== undefined)
    return { text: fetched.secretString, version: `id:${fetched.versionId}` };
  const text = typeof fetched === 'string' ? fetched : fetched.secretString;
  // a digest, not the text: the version is compared and may be kept around, the password need not be
  return { text, version: `sha256:${createHash('sha256').update(text).digest('base64')}` };
}

/**
 * Holds the parsed secret for the execution environment. Concurrent callers share one fetch (a burst
 * of auth failures costs one Secrets Manager call); a failed fetch is not remembered (the next
 * caller tries again, the circuit breaker paces them).
 *
 * Forced re-reads (after an authentication failure) are paced by what they find: one that finds a
 * new version leaves the next one free to happen at once, so a second rotation right after a first
 * is picked up as soon as it is refused; one that finds the version in hand (or fails) makes the
 * next wait {@link FIRST_UNCHANGED_PAUSE_MS}, doubling up to `maxPauseMs`, so a password that is
 * really wrong does not hammer Secrets Manager.
 */
export class SecretLoader {
  private current: CacheSecretPayload | undefined;
  /** the version of `current` */
  private version: string | undefined;
  private pending: Promise<CacheSecretPayload> | undefined;
  /** the pause after the last forced re-read: 0 after one that found a new version */
  private pauseMs = 0;
  /** monotonic time before which a forced re-read returns the secret in hand */
  private nextForcedAt = Number.NEGATIVE_INFINITY;

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
   * Re-reads the secret, skipping source caches, unless the pause that the previous forced re-read
   * earned has not passed; then the secret in hand is returned. A re-read in progress is shared. The
   * first forced re-read is never delayed: a rotation may land right after a cold start.
   */
  refresh(): Promise<CacheSecretPayload> {
    if (this.pending) return this.pending;
    if (this.current && monotonicMs() < this.nextForcedAt) return Promise.resolve(this.current);
    return this.load(true);
  }

  private load(force: boolean): Promise<CacheSecretPayload> {
    const pending = (async () => {
      let changed = false;
      try {
        const source = this.resolveSource();
        this.options.onFetch?.(force);
        const { text, version } = versionOf(await source.fetch(force));
        const secret = parseCacheSecret(text, source.name ?? '(unnamed secret source)');
        changed = version !== this.version;
        this.current = secret;
        this.version = version;
        return secret;
      } finally {
        if (force) this.paceAfter(changed);
      }
    })();
    this.pending = pending;
    const clear = () => {
      if (this.pending === pending) this.pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  /** After a forced re-read: no pause when it found a new version, else a growing one (from its end). */
  private paceAfter(changed: boolean): void {
    this.pauseMs = changed ? 0 : Math.min(this.options.maxPauseMs, this.pauseMs === 0 ? FIRST_UNCHANGED_PAUSE_MS : this.pauseMs * 2);
    this.nextForcedAt = monotonicMs() + this.pauseMs;
  }
}
