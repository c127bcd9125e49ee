import { describe, expect, it } from 'vitest';
import { SendQueue } from './send-queue';

const frame = (tag: number, size = 10) => {
  const b = Buffer.alloc(size);
  b[0] = tag;
  return b;
};
const tags = (q: SendQueue) => {
  const out: number[] = [];
  for (let item = q.shift(); item; item = q.shift()) out.push(item.frame[0]!);
  return out;
};

describe('SendQueue', () => {
  it('keeps order and counts bytes', () => {
    const q = new SendQueue(100);
    for (let i = 1; i <= 3; i++) q.push({ frame: frame(i), critical: false });
    expect(q.bytes).toBe(30);
    expect(q.length).toBe(3);
    expect(tags(q)).toEqual([1, 2, 3]);
    expect(q.bytes).toBe(0);
  });

  it('drops the oldest non-critical frames to stay under the limit and counts them', () => {
    const q = new SendQueue(30);
    q.push({ frame: frame(1), critical: false });
    q.push({ frame: frame(2), critical: true });
    q.push({ frame: frame(3), critical: false });
    q.push({ frame: frame(4), critical: false });
    q.push({ frame: frame(5), critical: false });
    expect(q.bytes).toBeLessThanOrEqual(30);
    expect(q.dropped).toBe(2);
    expect(tags(q)).toEqual([2, 4, 5]);
  });

  it('refuses a critical frame rather than exceed the limit with critical frames', () => {
    const q = new SendQueue(25);
    expect(q.push({ frame: frame(1), critical: true })).toBe(true);
    expect(q.push({ frame: frame(2), critical: false })).toBe(true);
    expect(q.push({ frame: frame(3), critical: true })).toBe(true); // drops 2
    expect(q.push({ frame: frame(4), critical: true })).toBe(false);
    expect(q.push({ frame: frame(5, 26), critical: false })).toBe(false);
    expect(q.dropped).toBe(2);
    expect(tags(q)).toEqual([1, 3]);
  });

  it('withdraws frames by predicate without counting them as drops', () => {
    const q = new SendQueue(100);
    q.push({ frame: frame(1), critical: true, requestId: 7 });
    q.push({ frame: frame(2), critical: false });
    expect(q.remove((i) => i.requestId === 7).map((i) => i.frame[0])).toEqual([1]);
    expect(q.dropped).toBe(0);
    expect(q.bytes).toBe(10);
  });

  it('stays bounded under a long stream', () => {
    const q = new SendQueue(1_000);
    for (let i = 0; i < 10_000; i++) {
      q.push({ frame: frame(i % 256, 33), critical: false });
      expect(q.bytes).toBeLessThanOrEqual(1_000);
      if (i % 3 === 0) q.shift();
    }
    expect(q.dropped).toBeGreaterThan(0);
  });
});
