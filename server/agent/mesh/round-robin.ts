// IPVS `rr` parity: each route hands out its backends in turn. The cursor is by
// position, so a backend set that changes keeps spreading evenly.
import type { Backend } from './routes';

export class RoundRobin {
  private readonly cursors = new Map<string, number>();

  /** The next backend of `key` not in `skip`, or undefined when every one was skipped. */
  next(key: string, backends: readonly Backend[], skip: ReadonlySet<string> = new Set()): Backend | undefined {
    const n = backends.length;
    if (n === 0) return undefined;
    const start = this.cursors.get(key) ?? 0;
    for (let i = 0; i < n; i++) {
      const at = (start + i) % n;
      const b = backends[at]!;
      if (skip.has(b.taskID)) continue;
      this.cursors.set(key, (at + 1) % n);
      return b;
    }
    return undefined;
  }

  /** Routes that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.cursors.keys()]) if (!keys.has(k)) this.cursors.delete(k);
  }
}
