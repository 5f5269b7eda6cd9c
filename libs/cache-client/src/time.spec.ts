import { CacheTimeoutError } from './errors';
import { monotonicMs, replyArrivedMs, SharedTimeout, sleep, wallMsAt, withTimeout } from './time';

describe('SharedTimeout (one timer for the hot path reads)', () => {
  it('times out what did not finish, in order, and never what finished first', async () => {
    const timeouts = new SharedTimeout(30, 'read');
    const fired: string[] = [];
    const a = timeouts.start(() => fired.push('a'));
    const b = timeouts.start(() => fired.push('b'));
    await sleep(5);
    const c = timeouts.start((error) => fired.push(`c ${error instanceof CacheTimeoutError ? error.message : 'other'}`));
    expect(timeouts.finish(b)).toBe(true);
    await sleep(80);
    expect(fired).toEqual(['a', 'c cache read took longer than 30 ms']);
    // finishing after the timeout: too late, and nothing fires twice
    expect(timeouts.finish(a)).toBe(false);
    expect(timeouts.finish(c)).toBe(false);
    expect(timeouts.finish(b)).toBe(false);
  });

  it('keeps working after the list ran empty (the timer re-arms for new deadlines)', async () => {
    const timeouts = new SharedTimeout(20, 'read');
    const fired: number[] = [];
    timeouts.finish(timeouts.start(() => fired.push(1)));
    await sleep(50);
    timeouts.start(() => fired.push(2));
    const late = timeouts.start(() => fired.push(3));
    timeouts.finish(late);
    await sleep(60);
    expect(fired).toEqual([2]);
  });
});

describe('withTimeout', () => {
  it('rejects with CacheTimeoutError when the promise is slower, and observes the loser', async () => {
    await expect(withTimeout(sleep(200), 10, 'op')).rejects.toThrow('cache op took longer than 10 ms');
    await expect(withTimeout(Promise.reject(new Error('x')), 0, 'op')).rejects.toBeInstanceOf(CacheTimeoutError);
    await expect(withTimeout(Promise.resolve(7), 1000, 'op')).resolves.toBe(7);
  });
});

describe('replyArrivedMs (one clock read per burst of reply callbacks)', () => {
  it('gives every callback of one pass the same reading, and the next pass a fresh one', async () => {
    // what node-redis does with the replies of one socket read: settles them all in one synchronous pass
    const settle: Array<() => void> = [];
    const replies = Array.from({ length: 16 }, () => new Promise<void>((resolve) => settle.push(resolve)));
    const seen: number[] = [];
    const done = Promise.all(replies.map((reply) => reply.then(() => seen.push(replyArrivedMs()))));
    const before = monotonicMs();
    for (const resolve of settle) resolve();
    await done;
    expect(seen).toHaveLength(16);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toBeGreaterThanOrEqual(before);
    // a later read: a later reading, not the cached one
    await sleep(5);
    const [next] = await Promise.all([Promise.resolve().then(() => replyArrivedMs())]);
    expect(next! - seen[0]!).toBeGreaterThanOrEqual(4);
  });

  it('does not carry a reading over to callbacks queued after the burst (a caller starting its next read)', async () => {
    let first = 0;
    let later = 0;
    await Promise.resolve().then(() => {
      first = replyArrivedMs();
      // queued behind the burst's end: as a caller's continuation is
      return Promise.resolve().then(() => {
        const until = monotonicMs() + 3;
        while (monotonicMs() < until) {
          // busy: a caller's own work between two reads
        }
        later = replyArrivedMs();
      });
    });
    expect(later - first).toBeGreaterThanOrEqual(3);
  });
});

describe('wallMsAt (the wall clock from a monotonic reading)', () => {
  it('lies between Date.now() read just before and just after, however long the machine stalls in between', async () => {
    // bracketed, not "within N ms": a busy machine may pause between any two lines
    const bracket = () => {
      const before = Date.now();
      const wall = wallMsAt(monotonicMs());
      const after = Date.now();
      // Date.now() truncates to whole milliseconds: one of slack on either side
      expect(wall).toBeGreaterThanOrEqual(before - 1);
      expect(wall).toBeLessThanOrEqual(after + 1);
    };
    bracket();
    await sleep(20);
    bracket();
    // one offset for all readings (a re-read of the offset may move it by Date.now()'s truncation)
    const mono = monotonicMs();
    expect(Math.abs(wallMsAt(mono) - wallMsAt(mono - 500) - 500)).toBeLessThanOrEqual(1);
  });
});
