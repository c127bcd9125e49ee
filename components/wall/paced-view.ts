// The wall redraws at a pace, not on every pushed frame: under churn the
// socket brings tens of frames a second, each a new task table, and drawing
// 5,000 tasks for each one left no time for the frames on screen. A wall is
// read from across the room; two redraws a second lose nothing (a node down
// still shows well inside the 2 s the issue allows).

/**
 * The least time between two redraws of the wall, and between two maps its engine posts. Each one reads a
 * new task table, a copy of tens of thousands of entries: at four a second (250 ms) those copies were most of
 * what the page allocated (before the engine took the tasks to its worker), and its collector paused the page
 * for 100-250 ms at a time under churn.
 */
export const WALL_PACE_MS = 500;

/** How the pace waits: a timer, then the next animation frame (the browser's); injected in tests. */
export interface PaceClock {
  now(): number;
  /** call `fn` after `ms`, on an animation frame; returns a cancel */
  later(ms: number, fn: () => void): () => void;
}

/**
 * A store that follows `source` but publishes its newest value at most once
 * every `paceMs`: the first change after a quiet spell is published on the
 * next animation frame, the ones that follow are merged until the pace allows
 * the next. Listeners only ever see the source's latest value.
 */
export class PacedStore<T> {
  private shown: T;
  private last = -Infinity;
  private cancel: (() => void) | null = null;
  private listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly source: { getView(): T; subscribe(l: () => void): () => void },
    private readonly clock: PaceClock,
    private readonly paceMs = WALL_PACE_MS,
  ) {
    this.shown = source.getView();
  }

  getView = (): T => this.shown;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.unsubscribe) {
      // caught up at once: what the source holds now is drawn without waiting
      this.shown = this.source.getView();
      this.unsubscribe = this.source.subscribe(this.changed);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = null;
        this.cancel?.();
        this.cancel = null;
      }
    };
  };

  private changed = (): void => {
    if (this.cancel) return; // a publish is already due: it will take the newest value
    const wait = Math.max(0, this.last + this.paceMs - this.clock.now());
    this.cancel = this.clock.later(wait, this.publish);
  };

  private publish = (): void => {
    this.cancel = null;
    this.last = this.clock.now();
    const next = this.source.getView();
    if (next === this.shown) return;
    this.shown = next;
    for (const l of this.listeners) l();
  };
}

/** The browser's clock: a timer when there is a wait, then requestAnimationFrame. */
export const browserPaceClock: PaceClock = {
  now: () => performance.now(),
  later(ms, fn) {
    let frame = 0;
    const frameThen = () => {
      frame = requestAnimationFrame(fn);
    };
    const timer = ms > 0 ? setTimeout(frameThen, ms) : (frameThen(), undefined);
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      cancelAnimationFrame(frame);
    };
  },
};
