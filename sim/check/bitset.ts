/**
 * Fixed-size bit set over 32-bit words: the "which operations are already linearized" set of the
 * linearizability search. Small and allocation-light because the search clones it on every step.
 */
export class Bitset {
  readonly words: Uint32Array;

  constructor(size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array(Math.ceil(size / 32) || 1);
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  set(i: number): this {
    this.words[i >>> 5]! |= 1 << (i & 31);
    return this;
  }

  clear(i: number): this {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    return this;
  }

  clone(): Bitset {
    return new Bitset(0, this.words.slice());
  }

  /** Number of set bits. */
  count(): number {
    let n = 0;
    for (let w of this.words) {
      // SWAR popcount
      w = w - ((w >>> 1) & 0x55555555);
      w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
      n += (Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
    }
    return n;
  }

  equals(other: Bitset): boolean {
    const a = this.words;
    const b = other.words;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** 32-bit FNV-1a style mix of the words; equal sets hash equal. */
  hash(): number {
    let h = 0x811c9dc5;
    for (const w of this.words) {
      h = Math.imul(h ^ (w & 0xffff), 0x01000193);
      h = Math.imul(h ^ (w >>> 16), 0x01000193);
    }
    return h >>> 0;
  }
}
