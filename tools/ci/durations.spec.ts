const { durationsFromProfile } = require('./durations.cjs') as {
  durationsFromProfile: (events: unknown, previous?: Record<string, number>, source?: string) => Record<string, number>;
};

/** One task's event as Nx's TaskProfilingLifeCycle (NX_PROFILE) writes it. */
const task = (id: string, seconds: number, status: string) => {
  const [project, target] = id.split(':');
  return {
    name: id,
    cat: `${project},${target}`,
    ph: 'X',
    ts: 1,
    dur: seconds * 1e6,
    pid: 1,
    tid: 0,
    args: { target: { project, target }, status },
  };
};

describe('durations recorded from an NX_PROFILE trace', () => {
  it('sums the tasks that ran per project, ignores cache hits and thread names, keeps earlier projects', () => {
    const events = [
      { name: 'thread_name', ph: 'M', pid: 1, tid: 0, ts: 0, args: { name: 'Group #1' } },
      task('catalog-api:bundle', 1.24, 'success'),
      task('catalog-api:synth', 3.5, 'success'),
      task('catalog-api:validate', 6.02, 'failure'),
      task('enrollment-api:synth', 2, 'local-cache'),
      task('platform:synth', 4, 'success'),
    ];
    expect(durationsFromProfile(events, { 'enrollment-api': 9, platform: 1 })).toEqual({
      'catalog-api': 10.8,
      'enrollment-api': 9,
      platform: 4,
    });
    expect(Object.keys(durationsFromProfile(events, { zeta: 1, alpha: 2 }))).toEqual(['alpha', 'catalog-api', 'platform', 'zeta']);
  });

  it('names the file when the trace is not a list of events', () => {
    expect(() => durationsFromProfile({ tasks: [] }, {}, 'tmp/ci/nx-profile.json')).toThrow(
      'invalid tmp/ci/nx-profile.json: expected a JSON list of trace events',
    );
  });
});
