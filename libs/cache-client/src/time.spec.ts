import { CacheTimeoutError } from './errors';
import { SharedTimeout, sleep, withTimeout } from './time';

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
