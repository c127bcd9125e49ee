import { describe, expect, it } from 'vitest';
import { chunkByJsonBytes } from './json-chunks';

describe('chunkByJsonBytes', () => {
  it('cuts by encoded bytes, escapes included, keeping order', () => {
    // 51 characters each, 103 bytes as JSON: a count of characters would put all ten in one 1 KiB part
    const items = Array.from({ length: 10 }, (_, i) => '"'.repeat(50) + i);
    const parts = chunkByJsonBytes(items, 1024);
    expect(parts.flat()).toEqual(items);
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(1024);
  });

  it('caps the items per part and sends an oversized item alone', () => {
    expect(chunkByJsonBytes([1, 2, 3, 4, 5], 1e6, 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunkByJsonBytes(['a', 'x'.repeat(100), 'b'], 20)).toEqual([['a'], ['x'.repeat(100)], ['b']]);
    expect(chunkByJsonBytes([], 10)).toEqual([]);
  });
});
