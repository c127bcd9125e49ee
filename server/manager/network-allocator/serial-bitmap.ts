// A set of ids [start, end] handed out serially, as libnetwork's bitmap does
// with serial=true: the search starts just after the last id handed out by a
// search and wraps. A specific id (a gateway, a restored address) does not
// move the cursor. Used for addresses in a subnet, VXLAN IDs and dynamic ports.

export class SerialBitmap {
  private readonly bits: Uint8Array;
  /** ordinal the next search starts from */
  private cursor = 0;
  private used = 0;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    this.bits = new Uint8Array(Math.ceil((end - start + 1) / 8));
  }

  has(id: number): boolean {
    const o = id - this.start;
    return ((this.bits[o >> 3] ?? 0) & (1 << (o & 7))) !== 0;
  }

  /** Claims one id; false when it is already taken or outside the set. */
  setSpecific(id: number): boolean {
    if (id < this.start || id > this.end || this.has(id)) return false;
    this.mark(id);
    return true;
  }

  /** The next free id in [lo, hi] from the cursor, wrapping; undefined when none is free. */
  setAny(lo = this.start, hi = this.end): number | undefined {
    const from = Math.min(Math.max(this.start + this.cursor, lo), hi + 1);
    const id = this.scan(from, hi) ?? this.scan(lo, from - 1);
    if (id === undefined) return undefined;
    this.mark(id);
    this.cursor = id - this.start + 1;
    return id;
  }

  release(id: number): void {
    if (id < this.start || id > this.end || !this.has(id)) return;
    const o = id - this.start;
    this.bits[o >> 3] = (this.bits[o >> 3] ?? 0) & ~(1 << (o & 7));
    this.used--;
  }

  /** Ids in use. */
  count(): number {
    return this.used;
  }

  private mark(id: number): void {
    const o = id - this.start;
    this.bits[o >> 3] = (this.bits[o >> 3] ?? 0) | (1 << (o & 7));
    this.used++;
  }

  private scan(lo: number, hi: number): number | undefined {
    for (let id = lo; id <= hi; id++) {
      const o = id - this.start;
      // skip whole full bytes
      if ((o & 7) === 0 && this.bits[o >> 3] === 0xff && id + 7 <= hi) {
        id += 7;
        continue;
      }
      if (!this.has(id)) return id;
    }
    return undefined;
  }
}
