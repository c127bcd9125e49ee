import { describe, expect, it } from 'vitest';
import { rotationAt, rotationFromQuery } from './rotation-model';

const q = (s: string) => rotationFromQuery(new URLSearchParams(s));

describe('rotation', () => {
  it('reads a pinned view and an interval from the URL, and ignores what it cannot read', () => {
    expect(q('view=map&interval=20')).toEqual({ pinned: 'map', intervalMs: 20_000 });
    expect(q('view=raft')).toEqual({ pinned: 'raft', intervalMs: 20_000 });
    expect(q('view=ticker').pinned).toBe('ticker');
    expect(q('view=topology').pinned).toBe('topology');
    expect(q('view=nope&interval=abc')).toEqual({ pinned: null, intervalMs: 20_000 });
    expect(q('interval=1').intervalMs).toBe(5_000);
    expect(q('interval=-3').intervalMs).toBe(20_000);
  });

  it('turns through the views on the interval, with the progress of the current one', () => {
    const c = q('interval=10');
    expect(rotationAt(c, 0)).toEqual({ view: 'map', progress: 0, stayMs: 10_000, since: 0 });
    expect(rotationAt(c, 2_500)).toMatchObject({ view: 'map', progress: 0.25 });
    expect(rotationAt(c, 10_000).view).toBe('updates');
    expect(rotationAt(c, 20_000).view).toBe('topology');
    expect(rotationAt(c, 30_000).view).toBe('raft');
    expect(rotationAt(c, 40_000).view).toBe('ticker');
    expect(rotationAt(c, 50_000).view).toBe('map');
  });

  it('skips views with nothing to show (the view before stays), but never the map, and a pinned view stays', () => {
    const c = q('interval=10');
    const skip = new Set(['updates', 'map'] as const);
    expect([0, 10_000, 20_000, 30_000, 40_000, 50_000].map((t) => rotationAt(c, t, skip).view)).toEqual([
      'map',
      'map',
      'topology',
      'raft',
      'ticker',
      'map',
    ]);
    // the map's stay is two intervals: its tick runs over both
    expect(rotationAt(c, 15_000, skip)).toEqual({ view: 'map', progress: 0.75, stayMs: 20_000, since: 0 });
    expect(rotationAt(q('view=updates&interval=10'), 95_000, skip)).toMatchObject({ view: 'updates', progress: 0 });
  });

  it('a view coming or going from the skipped ones changes nothing on screen but its own turn', () => {
    const c = q('interval=20');
    const none = new Set<never>();
    const updates = new Set(['updates'] as const);
    // every second of five rounds: with or without rollouts, the same view unless it is the updates' turn
    for (let t = 0; t < 500_000; t += 1000) {
      const a = rotationAt(c, t, none);
      const b = rotationAt(c, t, updates);
      if (a.view === 'updates') expect(b.view).toBe('map');
      else expect(b.view).toBe(a.view);
    }
  });
});
