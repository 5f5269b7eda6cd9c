// The durations file `affected.mjs --durations=<file>` balances shards on: project name → seconds.
// Written by `affected.mjs --record-durations=<file>` from Nx's own task timings: with NX_PROFILE set,
// Nx writes a trace of the run (one complete event per task: `name` the task id, `dur` in µs,
// `args.target.project`, `args.status`), and each project's seconds are the sum of its tasks that ran.

/** Task outcomes that measured work; a cache hit took no time and says nothing about the next run. */
const RAN = new Set(['success', 'failure']);

/**
 * Each project's seconds in one run, from the events of an NX_PROFILE trace, merged over `previous`
 * (a project this run did not run, or replayed from the cache, keeps its earlier duration).
 * Throws naming the file when the trace is not a list of events.
 * @param {unknown} events the parsed NX_PROFILE file
 * @param {Record<string, number>} [previous]
 * @param {string} [source] the trace's file name, for the error
 * @returns {Record<string, number>} sorted by project name, seconds rounded to 0.1
 */
function durationsFromProfile(events, previous = {}, source = 'the NX_PROFILE trace') {
  if (!Array.isArray(events)) throw new Error(`invalid ${source}: expected a JSON list of trace events`);
  /** @type {Record<string, number>} */
  const run = {};
  for (const e of events) {
    const project = e?.args?.target?.project;
    if (e?.ph !== 'X' || typeof project !== 'string' || typeof e.dur !== 'number' || !RAN.has(e.args.status)) continue;
    run[project] = (run[project] ?? 0) + e.dur / 1e6;
  }
  const merged = { ...previous, ...Object.fromEntries(Object.entries(run).map(([p, s]) => [p, Math.round(s * 10) / 10])) };
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

module.exports = { durationsFromProfile };
