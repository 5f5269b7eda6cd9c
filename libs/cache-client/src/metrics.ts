/** Counters since the cache was created (or since the last `flushMetrics()` for the EMF deltas). */
export interface CacheCounters {
  /** fresh values served from Redis */
  hits: number;
  /** stale values served while one caller refreshes them (stale-while-revalidate) */
  staleHits: number;
  /** cached "not found" answers served (negative caching) */
  negativeHits: number;
  /** keys not in Redis: the loader ran (or a lock holder's value was awaited) */
  misses: number;
  /** loader calls */
  loads: number;
  /** loader calls that threw (passed on to the caller, never cached) */
  loaderErrors: number;
  /** cache operations that failed: Redis errors, timeouts, secret or connection problems */
  errors: number;
  /** the part of `errors` that were timeouts */
  timeouts: number;
  /** requests answered by the loader because the cache failed or the circuit was open */
  failOpen: number;
  /** requests that skipped Redis because the circuit was open */
  circuitSkips: number;
  /** times the circuit opened */
  circuitOpens: number;
  /** cross-instance locks taken */
  lockAcquired: number;
  /** requests that found the lock taken and waited for its holder's value */
  lockWaits: number;
  /** waits that ended without a value (the loader then ran anyway) */
  lockWaitTimeouts: number;
  /** secret reads (the first one and forced re-reads) */
  secretFetches: number;
  /** authentication failures seen (WRONGPASS, NOAUTH) */
  authFailures: number;
  /** connection drops seen by commands in flight, each counted once however many commands it failed */
  connectionDrops: number;
  /** reads retried on the reconnected client after a drop */
  dropRetries: number;
  invalidations: number;
  namespaceBumps: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface CacheMetricsSnapshot extends Readonly<CacheCounters> {
  /** time spent in Redis reads on the getOrLoad path (recent samples) */
  readonly latency: LatencySummary;
}

/** Where metrics go. */
export interface MetricsOptions {
  /**
   * Write CloudWatch embedded-metric-format lines at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * CloudWatch namespace of the metrics.
   * @default 'CachePlatform'
   */
  readonly namespace?: string;
  /**
   * Dimensions of every metric.
   * @default { Keyspace: <the secret's keyspace> }
   */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * While the cache is used, write a line at most this often (milliseconds). 0: only on
   * `flushMetrics()` and `close()`. Lambda handlers call `flushMetrics()` at the end of an invocation.
   * @default 60000
   */
  readonly flushIntervalMs?: number;
  /**
   * Receives each EMF line (one JSON document).
   * @default writes the line to stdout, which Lambda ships to CloudWatch Logs
   */
  readonly write?: (line: string) => void;
}

const METRIC_NAMES: Record<keyof CacheCounters, string> = {
  hits: 'CacheHits',
  staleHits: 'CacheStaleHits',
  negativeHits: 'CacheNegativeHits',
  misses: 'CacheMisses',
  loads: 'CacheLoads',
  loaderErrors: 'CacheLoaderErrors',
  errors: 'CacheErrors',
  timeouts: 'CacheTimeouts',
  failOpen: 'CacheFailOpen',
  circuitSkips: 'CacheCircuitSkips',
  circuitOpens: 'CacheCircuitOpens',
  lockAcquired: 'CacheLockAcquired',
  lockWaits: 'CacheLockWaits',
  lockWaitTimeouts: 'CacheLockWaitTimeouts',
  secretFetches: 'CacheSecretFetches',
  authFailures: 'CacheAuthFailures',
  connectionDrops: 'CacheConnectionDrops',
  dropRetries: 'CacheDropRetries',
  invalidations: 'CacheInvalidations',
  namespaceBumps: 'CacheNamespaceBumps',
};

const zeroCounters = (): CacheCounters => ({
  hits: 0,
  staleHits: 0,
  negativeHits: 0,
  misses: 0,
  loads: 0,
  loaderErrors: 0,
  errors: 0,
  timeouts: 0,
  failOpen: 0,
  circuitSkips: 0,
  circuitOpens: 0,
  lockAcquired: 0,
  lockWaits: 0,
  lockWaitTimeouts: 0,
  secretFetches: 0,
  authFailures: 0,
  connectionDrops: 0,
  dropRetries: 0,
  invalidations: 0,
  namespaceBumps: 0,
});

// EMF accepts at most 100 values per metric and line; a ring of recent samples also serves the snapshot
const MAX_SAMPLES = 100;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Counters, recent latency samples, and their rendering as CloudWatch EMF (no API calls). */
export class Metrics {
  readonly totals = zeroCounters();
  private delta = zeroCounters();
  private samples: number[] = [];
  private nextSample = 0;
  private pendingSamples: number[] = [];
  private lastFlush: number;
  private readonly enabled: boolean;
  private readonly flushIntervalMs: number;
  private readonly write: (line: string) => void;

  constructor(
    private readonly options: MetricsOptions = {},
    private readonly defaultDimensions: () => Record<string, string>,
    private readonly now: () => number = Date.now,
  ) {
    this.enabled = options.enabled ?? true;
    this.flushIntervalMs = options.flushIntervalMs ?? 60_000;
    this.write = options.write ?? ((line) => void process.stdout.write(line + '\n'));
    this.lastFlush = now();
  }

  count(name: keyof CacheCounters, by = 1): void {
    this.totals[name] += by;
    this.delta[name] += by;
  }

  latency(ms: number): void {
    // a ring: the hot path must not shift arrays
    this.samples[this.nextSample] = ms;
    this.nextSample = (this.nextSample + 1) % MAX_SAMPLES;
    if (this.pendingSamples.length < MAX_SAMPLES) this.pendingSamples.push(ms);
  }

  snapshot(): CacheMetricsSnapshot {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      ...this.totals,
      latency: {
        count: sorted.length,
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        maxMs: round(sorted[sorted.length - 1] ?? 0),
      },
    };
  }

  /** Writes a line when the flush interval has passed. Cheap when it has not. */
  maybeFlush(): void {
    if (this.enabled && this.flushIntervalMs > 0 && this.now() - this.lastFlush >= this.flushIntervalMs) this.flush();
  }

  /** Writes the counters gathered since the last flush as one EMF line; returns it (undefined when nothing happened). */
  flush(): string | undefined {
    this.lastFlush = this.now();
    const line = this.renderEmf();
    this.delta = zeroCounters();
    this.pendingSamples = [];
    if (line && this.enabled) {
      try {
        this.write(line);
      } catch {
        // metrics must never fail a request
      }
    }
    return line;
  }

  /** The EMF document for the counters since the last flush, or undefined when all are zero. */
  renderEmf(): string | undefined {
    const names = (Object.keys(METRIC_NAMES) as Array<keyof CacheCounters>).filter((k) => this.delta[k] > 0);
    if (names.length === 0 && this.pendingSamples.length === 0) return undefined;
    const dimensions = { ...this.defaultDimensions(), ...this.options.dimensions };
    const doc: Record<string, unknown> = {
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.options.namespace ?? 'CachePlatform',
            Dimensions: [Object.keys(dimensions)],
            Metrics: [
              ...names.map((k) => ({ Name: METRIC_NAMES[k], Unit: 'Count' })),
              ...(this.pendingSamples.length > 0 ? [{ Name: 'CacheLatency', Unit: 'Milliseconds' }] : []),
            ],
          },
        ],
      },
      ...dimensions,
    };
    for (const k of names) doc[METRIC_NAMES[k]] = this.delta[k];
    if (this.pendingSamples.length > 0) doc['CacheLatency'] = this.pendingSamples.map(round);
    return JSON.stringify(doc);
  }
}
