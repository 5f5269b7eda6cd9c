const { parseShard, shardProjects } = require('./shard.cjs') as {
  parseShard: (value: string) => { index: number; total: number };
  shardProjects: (projects: string[], shard: { index: number; total: number }, weights?: Record<string, number>) => string[];
};

const PROJECTS = Array.from({ length: 23 }, (_, i) => `svc-${String(i).padStart(2, '0')}`).concat([
  'platform',
  'service-access',
  'cache-client',
]);

function allShards(projects: string[], total: number, weights?: Record<string, number>): string[][] {
  return Array.from({ length: total }, (_, i) => shardProjects(projects, { index: i + 1, total }, weights));
}

describe('--shard=K/N over the affected projects', () => {
  it.each([1, 2, 3, 4, 7])('%i shards: their union is exactly the affected set, with no overlap and no empty shard', (total) => {
    const shards = allShards(PROJECTS, total);
    expect(shards.flat().sort()).toEqual([...PROJECTS].sort());
    expect(new Set(shards.flat()).size).toBe(PROJECTS.length);
    for (const shard of shards) expect(shard.length).toBeGreaterThan(0);
    // balanced on project count when no durations are recorded
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is deterministic whatever order the affected list comes in', () => {
    const reversed = [...PROJECTS].reverse();
    expect(allShards(reversed, 4)).toEqual(allShards(PROJECTS, 4));
  });

  it('balances on recorded durations: a slow project gets a shard of its own', () => {
    const weights: Record<string, number> = { 'service-access': 700, platform: 120, 'cache-client': 60 };
    for (const p of PROJECTS) weights[p] ??= 10;
    const shards = allShards(PROJECTS, 3, weights);
    expect(shards.find((s) => s.includes('service-access'))).toEqual(['service-access']);
    expect(shards.flat().sort()).toEqual([...PROJECTS].sort());
    // unrecorded projects weigh the median of the recorded ones
    const partial = allShards(['slow', 'a', 'b', 'c'], 2, { slow: 30, a: 10 });
    expect(partial.find((s) => s.includes('slow'))).toEqual(['slow']);
  });

  it('leaves the extra shards empty only when there are fewer projects than shards', () => {
    const shards = allShards(['a', 'b'], 3);
    expect(shards.filter((s) => s.length === 0)).toHaveLength(1);
    expect(shards.flat().sort()).toEqual(['a', 'b']);
  });

  it('refuses a malformed or out-of-range shard, naming it', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/4', '5/4', '4', 'a/b', '1/0']) {
      expect(() => parseShard(bad)).toThrow(`invalid --shard ${JSON.stringify(bad)}: expected K/N with 1 <= K <= N, e.g. --shard=2/4`);
    }
  });
});
