import { describe, expect, it } from 'vitest';
import { compactAge, decideConnection, STALE_AFTER_MS, staleLabel, WATCHDOG_MS } from './staleness';

const T = 1_800_000_000_000;

/** Ticks a watchdog every WATCHDOG_MS from `from` to `to`, as the browser would, and returns the last state. */
function run(heardAt: number | undefined, from: number, to: number, connected = true) {
  let status = decideConnection({ connected, heardAt }, from, 'connecting').status;
  let last = { status, since: 0 };
  let checkedAt = from;
  for (let now = from + WATCHDOG_MS; now <= to; now += WATCHDOG_MS) {
    last = decideConnection({ connected, heardAt, checkedAt }, now, status);
    status = last.status;
    checkedAt = now;
  }
  return last;
}

describe('decideConnection', () => {
  it('is connecting until anything was heard', () => {
    expect(decideConnection({ connected: false }, T, 'connecting')).toEqual({ status: 'connecting', since: 0 });
    expect(decideConnection({ connected: true }, T, 'connecting').status).toBe('connecting');
  });

  it('a page that never connects is connecting, then stale since it loaded', () => {
    expect(run(T, T, T + 2000, false)).toEqual({ status: 'connecting', since: T });
    expect(run(T, T, T + 4000, false)).toEqual({ status: 'stale', since: T });
  });

  it('stays live while beats arrive, and goes stale within 5 s of the last one though the socket looks open', () => {
    expect(run(T, T, T + STALE_AFTER_MS)).toEqual({ status: 'live', since: T });
    // a frozen manager: the TCP connection stays up, the frames stop
    let staleAt: number | undefined;
    let status = 'live' as ReturnType<typeof decideConnection>['status'];
    for (let now = T; now <= T + 10_000; now += WATCHDOG_MS) {
      const s = decideConnection({ connected: true, heardAt: T, checkedAt: now - WATCHDOG_MS }, now, status);
      status = s.status;
      if (status === 'stale' && staleAt === undefined) {
        staleAt = now;
        expect(s.since).toBe(T); // since the last frame, not since we noticed
      }
    }
    expect(staleAt).toBeDefined();
    expect(staleAt! - T).toBeGreaterThan(STALE_AFTER_MS - 1);
    expect(staleAt! - T).toBeLessThanOrEqual(5000);
  });

  it('says reconnecting for a fresh drop, then stale once the silence is long, and live again on the next frame', () => {
    expect(decideConnection({ connected: false, heardAt: T, checkedAt: T }, T + 500, 'live').status).toBe(
      'reconnecting',
    );
    expect(decideConnection({ connected: false, heardAt: T, checkedAt: T + 3000 }, T + 3500, 'reconnecting')).toEqual({
      status: 'stale',
      since: T,
    });
    // still disconnected but the stale verdict does not flip back to reconnecting
    expect(
      decideConnection({ connected: false, heardAt: T + 4500, checkedAt: T + 4400 }, T + 4500, 'stale').status,
    ).toBe('stale');
    // SIGCONT: beats again
    expect(decideConnection({ connected: true, heardAt: T + 9000, checkedAt: T + 8900 }, T + 9000, 'stale')).toEqual({
      status: 'live',
      since: T + 9000,
    });
  });

  it('does not call it stale on a late watchdog tick (a throttled tab or a busy main thread); the next tick decides', () => {
    // the tab slept 60 s: the first tick after it sees old facts, frames may still be queued
    const late = decideConnection({ connected: true, heardAt: T, checkedAt: T }, T + 60_000, 'live');
    expect(late.status).toBe('live');
    // queued beats were delivered: live
    expect(
      decideConnection({ connected: true, heardAt: T + 60_010, checkedAt: T + 60_000 }, T + 60_500, 'live').status,
    ).toBe('live');
    // nothing was queued: the next punctual tick says stale
    expect(decideConnection({ connected: true, heardAt: T, checkedAt: T + 60_000 }, T + 60_500, 'live')).toEqual({
      status: 'stale',
      since: T,
    });
    // already stale: a late tick does not revive it
    expect(decideConnection({ connected: true, heardAt: T, checkedAt: T }, T + 60_000, 'stale').status).toBe('stale');
  });
});

describe('staleLabel', () => {
  it('says since when, in local time, and for how long', () => {
    const since = new Date(2026, 11, 6, 14, 3, 21, 400).getTime();
    expect(staleLabel(since, since + 12_300)).toBe('Stale since 14:03:21 (12 s)');
    expect(staleLabel(since, since + 184_000)).toBe('Stale since 14:03:21 (3 min 04 s)');
    expect(staleLabel(new Date(2026, 0, 1, 9, 5, 7).getTime(), new Date(2026, 0, 1, 11, 10, 0).getTime())).toBe(
      'Stale since 09:05:07 (2 h 04 min)',
    );
  });
  it('never shows a negative age (clock ticks racing the last frame)', () => {
    expect(compactAge(-500)).toBe('0 s');
  });
});
