import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from './clock';

afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock', () => {
  it('waits the full time for delays beyond the 2^31-1 ms timer limit', () => {
    vi.useFakeTimers();
    let fired = false;
    systemClock.setTimeout(() => (fired = true), 30 * 24 * 3600 * 1000); // 30 days
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(30 * 24 * 3600 * 1000 - (2 ** 31 - 1));
    expect(fired).toBe(true);
  });

  it('can be cancelled, also after a chained wait', () => {
    vi.useFakeTimers();
    let fired = false;
    const cancel = systemClock.setTimeout(() => (fired = true), 2 ** 31 + 5000);
    vi.advanceTimersByTime(2 ** 31);
    cancel();
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(false);
  });
});

describe('ManualClock', () => {
  it('fires due timers in time order', () => {
    const c = new ManualClock(0);
    const seen: number[] = [];
    c.setTimeout(() => seen.push(2), 20);
    c.setTimeout(() => seen.push(1), 10);
    const cancel = c.setTimeout(() => seen.push(3), 15);
    cancel();
    c.advance(25);
    expect(seen).toEqual([1, 2]);
    expect(c.now()).toBe(25);
  });
});
