// the names, namespace and dimension the service stacks' alarms watch are defined once, in the contract
import { CACHE_METRIC_NAMES, CACHE_METRIC_NAMESPACE } from '@cache-platform/cache-contract';

/**
 * The counters, in one list: name, EMF metric name, and (as its doc comment) what it counts. The
 * `CacheCounters` type, the zeroes, the EMF names and the README's table all come from here (a test
 * holds the README to it).
 */
export const COUNTERS = {
  /** fresh values served from Redis */
  hits: CACHE_METRIC_NAMES.hits,
  /** stale values served while one caller refreshes them (stale-while-revalidate) */
  staleHits: CACHE_METRIC_NAMES.staleHits,
  /** cached "not found" answers served (negative caching) */
  negativeHits: CACHE_METRIC_NAMES.negativeHits,
  /** keys not in Redis: the loader ran (or a lock holder's value was awaited) */
  misses: CACHE_METRIC_NAMES.misses,
  /** loader calls */
  loads: 'CacheLoads',
  /** loader calls that threw (passed on to the caller, never cached) */
  loaderErrors: 'CacheLoaderErrors',
  /** cache operations that failed: Redis errors, timeouts, secret or connection problems */
  errors: CACHE_METRIC_NAMES.errors,
  /** the part of `errors` that were timeouts */
  timeouts: CACHE_METRIC_NAMES.timeouts,
  /** requests answered by the loader because the cache failed or the circuit was open */
  failOpen: CACHE_METRIC_NAMES.failOpen,
  /** requests that skipped Redis because the circuit was open */
  circuitSkips: 'CacheCircuitSkips',
  /** times the circuit opened */
  circuitOpens: CACHE_METRIC_NAMES.circuitOpens,
  /** cross-instance locks taken */
  lockAcquired: 'CacheLockAcquired',
  /** requests that found the lock taken and waited for its holder's value */
  lockWaits: 'CacheLockWaits',
  /** waits that ended without a value (the loader then ran anyway) */
  lockWaitTimeouts: 'CacheLockWaitTimeouts',
  /** secret reads (the first one and forced re-reads) */
  secretFetches: 'CacheSecretFetches',
  /** authentication failures seen (WRONGPASS, NOAUTH) */
  authFailures: 'CacheAuthFailures',
  /** connection drops seen by commands in flight, each counted once however many commands it failed */
  connectionDrops: 'CacheConnectionDrops',
  /** commands retried on the reconnected client after a drop (reads, deletes) */
  dropRetries: 'CacheDropRetries',
  /** invalidate() calls */
  invalidations: 'CacheInvalidations',
  /** bumpNamespace() calls */
  namespaceBumps: 'CacheNamespaceBumps',
  /** misses served by the legacy Redis during a cutover (`legacyRead`) and written to the new cache; each is also one of `loads` */
  legacyHits: 'CacheLegacyHits',
  /** legacy Redis reads that failed or timed out (the loader answered) */
  legacyErrors: 'CacheLegacyErrors',
} as const;

export type CounterName = keyof typeof COUNTERS;

/** Counters since the cache was created (or since the last `flushMetrics()` for the EMF deltas). */
export type CacheCounters = { -readonly [K in CounterName]: number };

/**
 * What the parts of the cache report, and the counters each event feeds. The cache-aside behaviours
 * and the connection only report what happened; which numbers that moves is decided here.
 */
const EVENT_COUNTERS = {
  hit: ['hits'],
  staleHit: ['staleHits'],
  negativeHit: ['negativeHits'],
  miss: ['misses'],
  load: ['loads'],
  loaderError: ['loaderErrors'],
  failure: ['errors'],
  timeout: ['errors', 'timeouts'],
  failOpen: ['failOpen'],
  circuitSkip: ['circuitSkips'],
  circuitOpen: ['circuitOpens'],
  lockAcquired: ['lockAcquired'],
  lockWait: ['lockWaits'],
  lockWaitTimeout: ['lockWaitTimeouts'],
  secretFetch: ['secretFetches'],
  authFailure: ['authFailures'],
  connectionDrop: ['connectionDrops'],
  dropRetry: ['dropRetries'],
  invalidation: ['invalidations'],
  namespaceBump: ['namespaceBumps'],
  legacyHit: ['legacyHits'],
  legacyError: ['legacyErrors'],
} as const satisfies Record<string, readonly CounterName[]>;

export type CacheEvent = keyof typeof EVENT_COUNTERS;

/** Where the parts of the cache report events (the cache's Metrics). */
export type ReportEvent = (event: CacheEvent) => void;

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

const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];

const zeroCounters = (): CacheCounters => Object.fromEntries(COUNTER_NAMES.map((name) => [name, 0])) as CacheCounters;

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

  count(name: CounterName, by = 1): void {
    this.totals[name] += by;
    this.delta[name] += by;
  }

  /** Counts an event reported by the cache (see EVENT_COUNTERS). */
  record(event: CacheEvent): void {
    for (const name of EVENT_COUNTERS[event]) this.count(name);
  }

  /**
   * {@link record}`('hit')`, for the hot path: named increments instead of {@link count}'s keyed
   * ones, which see every counter name and go megamorphic (docs/benchmarks.md).
   */
  hit(): void {
    this.totals.hits++;
    this.delta.hits++;
  }

  latency(ms: number): void {
    // a ring: the hot path must not shift arrays
    this.samples[this.nextSample] = ms;
    this.nextSample = this.nextSample === MAX_SAMPLES - 1 ? 0 : this.nextSample + 1;
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

  /**
   * Writes a line when the flush interval has passed. Cheap when it has not. `now`: the wall-clock
   * time when the caller has it already (the hit path derives it from the reply's arrival).
   */
  maybeFlush(now?: number): void {
    if (this.enabled && this.flushIntervalMs > 0 && (now ?? this.now()) - this.lastFlush >= this.flushIntervalMs) this.flush();
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
    const names = COUNTER_NAMES.filter((k) => this.delta[k] > 0);
    if (names.length === 0 && this.pendingSamples.length === 0) return undefined;
    const dimensions = { ...this.defaultDimensions(), ...this.options.dimensions };
    const doc: Record<string, unknown> = {
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.options.namespace ?? CACHE_METRIC_NAMESPACE,
            Dimensions: [Object.keys(dimensions)],
            Metrics: [
              ...names.map((k) => ({ Name: COUNTERS[k], Unit: 'Count' })),
              ...(this.pendingSamples.length > 0 ? [{ Name: 'CacheLatency', Unit: 'Milliseconds' }] : []),
            ],
          },
        ],
      },
      ...dimensions,
    };
    for (const k of names) doc[COUNTERS[k]] = this.delta[k];
    if (this.pendingSamples.length > 0) doc['CacheLatency'] = this.pendingSamples.map(round);
    return JSON.stringify(doc);
  }
}
