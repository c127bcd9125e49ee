// One virtual-time event queue drives the whole simulation: network
// deliveries, fsync completions, raft ticks, faults and clients. Between two
// events the microtask queue is drained, so Promise chains in the real code
// run to quiescence at a fixed point of virtual time and a seed replays exactly.

import { setImmediate } from 'node:timers';
import type { Clock } from '../../server/util/clock';
import { FNV_SEED, fnv } from './prng';

interface Event {
  at: number;
  seq: number;
  label: string;
  fn: () => void;
  cancelled: boolean;
}

/** Lets every pending microtask (and the microtasks they queue) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler {
  now = 0;
  /** Events run so far. */
  steps = 0;
  /** Hash of every event run (time + label): two runs of a seed must agree. */
  traceHash = FNV_SEED;
  private heap: Event[] = [];
  private seq = 0;

  /** Run `fn` after `delayMs` of virtual time; returns a cancel function. */
  at(delayMs: number, label: string, fn: () => void): () => void {
    const ev: Event = { at: this.now + Math.max(0, delayMs), seq: this.seq++, label, fn, cancelled: false };
    this.push(ev);
    return () => {
      ev.cancelled = true;
    };
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Run the next event, then drain microtasks. False when nothing is left. */
  async step(): Promise<boolean> {
    for (;;) {
      const ev = this.pop();
      if (!ev) return false;
      if (ev.cancelled) continue;
      this.now = ev.at;
      this.steps++;
      this.traceHash = fnv(fnv(this.traceHash, String(ev.at)), ev.label);
      ev.fn();
      await settle();
      return true;
    }
  }

  /** Run events until virtual time `until` (or `stop()` says so after an event). */
  async runUntil(until: number, after?: () => boolean | void): Promise<void> {
    while (this.heap.length > 0 && this.peekTime() <= until) {
      if (!(await this.step())) break;
      if (after?.() === true) return;
    }
    if (this.now < until) this.now = until;
  }

  private peekTime(): number {
    return this.heap[0]!.at;
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** A Clock on the scheduler for one process incarnation: a crash silences its timers. */
export class SimClock implements Clock {
  alive = true;
  constructor(
    private readonly sched: Scheduler,
    private readonly label: string,
  ) {}
  now(): number {
    return this.sched.now;
  }
  setTimeout(fn: () => void, ms: number): () => void {
    return this.sched.at(ms, this.label, () => {
      if (this.alive) fn();
    });
  }
}
