import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTERS, Metrics } from './metrics';

describe('Metrics', () => {
  it('renders counters since the last flush as one CloudWatch EMF line', () => {
    const lines: string[] = [];
    let now = 1_700_000_000_000;
    const metrics = new Metrics(
      { write: (l) => lines.push(l), namespace: 'Test', flushIntervalMs: 1000 },
      () => ({ Keyspace: 'orders' }),
      () => now,
    );
    metrics.count('hits', 3);
    metrics.count('misses');
    metrics.latency(1.23456);
    metrics.latency(2);
    metrics.maybeFlush();
    expect(lines).toHaveLength(0);
    now += 1000;
    metrics.maybeFlush();
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!);
    expect(doc._aws).toEqual({
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: 'Test',
          Dimensions: [['Keyspace']],
          Metrics: [
            { Name: 'CacheHits', Unit: 'Count' },
            { Name: 'CacheMisses', Unit: 'Count' },
            { Name: 'CacheLatency', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
    expect(doc).toMatchObject({ Keyspace: 'orders', CacheHits: 3, CacheMisses: 1, CacheLatency: [1.235, 2] });
    // deltas: nothing new, nothing written; totals keep counting
    expect(metrics.flush()).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(metrics.snapshot()).toMatchObject({ hits: 3, misses: 1, latency: { count: 2, p50Ms: 1.235, maxMs: 2 } });
  });

  it('writes nothing when disabled and survives a throwing writer', () => {
    const off = new Metrics(
      {
        enabled: false,
        write: () => {
          throw new Error('no');
        },
      },
      () => ({}),
    );
    off.count('errors');
    expect(off.flush()).toContain('"CacheErrors":1');
    const throwing = new Metrics(
      {
        write: () => {
          throw new Error('stdout closed');
        },
      },
      () => ({}),
    );
    throwing.count('errors');
    expect(() => throwing.flush()).not.toThrow();
  });

  it('keeps at most 100 latency samples (EMF limit) and reports percentiles over recent ones', () => {
    const metrics = new Metrics({ enabled: false }, () => ({}));
    for (let i = 1; i <= 250; i++) metrics.latency(i);
    const snapshot = metrics.snapshot();
    expect(snapshot.latency.count).toBe(100);
    expect(snapshot.latency.p50Ms).toBe(200);
    expect(snapshot.latency.maxMs).toBe(250);
    expect(JSON.parse(metrics.renderEmf()!).CacheLatency).toHaveLength(100);
  });
});

describe('one list of counters', () => {
  it('feeds counters from events: a timeout is an error and a timeout, a drop one drop', () => {
    const metrics = new Metrics({ enabled: false }, () => ({}));
    metrics.record('timeout');
    metrics.record('failure');
    metrics.record('connectionDrop');
    expect(metrics.snapshot()).toMatchObject({ errors: 2, timeouts: 1, connectionDrops: 1, hits: 0 });
  });

  it('zeroes every counter of COUNTERS, and the README table lists exactly them, in order', () => {
    const snapshot = new Metrics({ enabled: false }, () => ({})).snapshot();
    expect(Object.keys(snapshot).filter((k) => k !== 'latency')).toEqual(Object.keys(COUNTERS));
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(\w+)` +\| `(Cache\w+)` +\|/gm)].map(([, name, metric]) => [name, metric]);
    expect(rows).toEqual(Object.entries(COUNTERS));
  });

  it("counts hit() exactly as record('hit'), in the totals and the next EMF line", () => {
    const viaRecord = new Metrics(
      { enabled: false },
      () => ({}),
      () => 1_000,
    );
    const viaHit = new Metrics(
      { enabled: false },
      () => ({}),
      () => 1_000,
    );
    for (let i = 0; i < 3; i++) {
      viaRecord.record('hit');
      viaHit.hit();
    }
    expect(viaHit.snapshot()).toEqual(viaRecord.snapshot());
    expect(viaHit.snapshot().hits).toBe(3);
    expect(JSON.parse(viaHit.renderEmf()!).CacheHits).toBe(3);
    expect(viaHit.renderEmf()).toBe(viaRecord.renderEmf());
  });

  it('flushes on the wall-clock time the caller passes, without reading the clock itself', () => {
    const lines: string[] = [];
    const metrics = new Metrics(
      { write: (l) => lines.push(l), flushIntervalMs: 1000 },
      () => ({}),
      () => 5_000,
    );
    metrics.hit();
    metrics.maybeFlush(5_999);
    expect(lines).toHaveLength(0);
    metrics.maybeFlush(6_000);
    expect(lines).toHaveLength(1);
  });
});
