import { describe, expect, it } from 'vitest';
import { PacedStore, type PaceClock } from './paced-view';

/** A source like the cluster store, and a clock whose timers run when the test says. */
function setup(paceMs = 250) {
  let value = 0;
  const sourceListeners = new Set<() => void>();
  const source = {
    getView: () => value,
    subscribe: (l: () => void) => {
      sourceListeners.add(l);
      return () => sourceListeners.delete(l);
    },
  };
  const set = (v: number) => {
    value = v;
    for (const l of sourceListeners) l();
  };
  let now = 1000;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: PaceClock = {
    now: () => now,
    later(ms, fn) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => timers.splice(timers.indexOf(t), 1);
    },
  };
  /** Move the clock on, running the timers that fall due (an animation frame counts as no time). */
  const advance = (ms: number) => {
    now += ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.splice(timers.indexOf(due), 1);
      due.fn();
    }
  };
  const store = new PacedStore(source, clock, paceMs);
  const seen: number[] = [];
  const stop = store.subscribe(() => seen.push(store.getView()));
  return { store, set, advance, seen, timers, stop, sourceListeners };
}

describe('PacedStore', () => {
  it('publishes the first change on the next frame, then at most one a pace, always the newest', () => {
    const { store, set, advance, seen } = setup();
    set(1);
    expect(store.getView()).toBe(0); // not before the frame
    advance(0);
    expect(seen).toEqual([1]);
    // a burst inside the pace: merged into one publish of the last value, a pace after the first
    set(2);
    set(3);
    advance(100);
    set(4);
    advance(100);
    expect(seen).toEqual([1]);
    advance(50);
    expect(seen).toEqual([1, 4]);
    expect(store.getView()).toBe(4);
  });

  it('after a quiet spell the next change is drawn at once', () => {
    const { set, advance, seen } = setup();
    set(1);
    advance(0);
    advance(5_000);
    set(2);
    advance(0);
    expect(seen).toEqual([1, 2]);
  });

  it('stops following the source when the last listener leaves, and starts from its newest value again', () => {
    const { store, set, advance, stop, timers, sourceListeners, seen } = setup();
    set(1);
    stop();
    expect(timers).toHaveLength(0);
    expect(sourceListeners.size).toBe(0);
    set(2);
    const again: number[] = [];
    store.subscribe(() => again.push(store.getView()));
    expect(store.getView()).toBe(2);
    set(3);
    advance(300);
    expect(again).toEqual([3]);
    expect(seen).toEqual([]);
  });
});
