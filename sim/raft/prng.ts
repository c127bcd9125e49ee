// Seeded randomness for the simulation: one generator per run, so a seed replays exactly.

import { seededRandom } from '../../server/util/random';

/** mulberry32 (server/util/random.ts): small, fast, good enough for fault schedules. */
export const mulberry32 = seededRandom;

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.next() * items.length)];
  }
  /** A new independent generator (e.g. one per raft member). */
  fork(): () => number {
    return mulberry32(Math.floor(this.next() * 4294967296));
  }
}

/** FNV-1a over strings, for trace and state hashes. */
export function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
export const FNV_SEED = 0x811c9dc5;
