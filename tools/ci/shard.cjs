// `npm run affected:test -- --shard=K/N`: which of the affected projects shard K of N runs. Every
// machine computes the same split from the same inputs (the affected list and, when present, the
// durations file), so N machines together run each affected project exactly once.

/** Parses `K/N` (1 <= K <= N); throws naming the value and the rule. */
function parseShard(value) {
  const match = /^(\d+)\/(\d+)$/.exec(String(value));
  const index = match ? Number(match[1]) : NaN;
  const total = match ? Number(match[2]) : NaN;
  if (!match || total < 1 || index < 1 || index > total) {
    throw new Error(`invalid --shard ${JSON.stringify(value)}: expected K/N with 1 <= K <= N, e.g. --shard=2/4`);
  }
  return { index, total };
}

/**
 * Splits `projects` into `total` shards and returns shard `index` (1-based), sorted by name.
 * Heaviest first, each to the lightest shard so far (ties: the lower shard): a deterministic greedy
 * balance. A project's weight is its recorded duration in seconds (`weights`), else the (lower) median of the
 * recorded ones (or 1 when none is recorded, which balances on project count).
 */
function shardProjects(projects, { index, total }, weights = {}) {
  const known = projects
    .map((p) => weights[p])
    .filter((w) => typeof w === 'number' && w > 0)
    .sort((a, b) => a - b);
  const fallback = known.length > 0 ? known[Math.floor((known.length - 1) / 2)] : 1;
  const weightOf = (p) => (typeof weights[p] === 'number' && weights[p] > 0 ? weights[p] : fallback);
  const ordered = [...new Set(projects)].sort((a, b) => weightOf(b) - weightOf(a) || a.localeCompare(b));
  const loads = Array.from({ length: total }, () => ({ load: 0, projects: [] }));
  for (const project of ordered) {
    let lightest = 0;
    for (let i = 1; i < total; i++) if (loads[i].load < loads[lightest].load) lightest = i;
    loads[lightest].load += weightOf(project);
    loads[lightest].projects.push(project);
  }
  return loads[index - 1].projects.sort();
}

module.exports = { parseShard, shardProjects };
