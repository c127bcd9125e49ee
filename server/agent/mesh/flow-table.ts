// UDP through the mesh has no connection: a flow is a client's address, kept
// with its upstream while datagrams pass and dropped after an idle timeout
// (docker-proxy: 90 s). Bounded: past `maxFlows` the least recently used goes.

export const UDP_IDLE_MS = 90_000;
export const MAX_UDP_FLOWS = 4_096;

export class FlowTable<T> {
  /** Insertion order is recency order: a touched flow is moved to the end. */
  private readonly flows = new Map<string, { value: T; seen: number }>();

  constructor(
    private readonly idleMs: number = UDP_IDLE_MS,
    private readonly maxFlows: number = MAX_UDP_FLOWS,
  ) {}

  get size(): number {
    return this.flows.size;
  }

  /** The flow's value, marked as used now. */
  get(key: string, now: number): T | undefined {
    const f = this.flows.get(key);
    if (!f) return undefined;
    this.flows.delete(key);
    f.seen = now;
    this.flows.set(key, f);
    return f.value;
  }

  /** Adds a flow; returns the values pushed out to stay within the bound (the caller closes them). */
  set(key: string, value: T, now: number): T[] {
    this.flows.delete(key);
    this.flows.set(key, { value, seen: now });
    const evicted: T[] = [];
    while (this.flows.size > this.maxFlows) {
      const [oldest, f] = this.flows.entries().next().value!;
      this.flows.delete(oldest);
      evicted.push(f.value);
    }
    return evicted;
  }

  delete(key: string): T | undefined {
    const f = this.flows.get(key);
    this.flows.delete(key);
    return f?.value;
  }

  /** Removes and returns flows idle for `idleMs` or more. */
  expire(now: number): T[] {
    const out: T[] = [];
    for (const [k, f] of this.flows) {
      if (now - f.seen < this.idleMs) break; // the rest are more recent
      this.flows.delete(k);
      out.push(f.value);
    }
    return out;
  }

  values(): T[] {
    return [...this.flows.values()].map((f) => f.value);
  }

  clear(): T[] {
    const all = this.values();
    this.flows.clear();
    return all;
  }
}
