import { describe, expect, it } from 'vitest';
import { FlowTable, UDP_IDLE_MS } from './flow-table';

describe('UDP flow table', () => {
  it('expires flows idle for the timeout (docker-proxy’s 90 s by default), keeping used ones', () => {
    const t = new FlowTable<string>();
    t.set('a', 'A', 0);
    t.set('b', 'B', 1_000);
    expect(t.get('a', 50_000)).toBe('A'); // used: its idle time starts again
    expect(t.expire(UDP_IDLE_MS + 999)).toEqual([]);
    expect(t.expire(UDP_IDLE_MS + 1_000)).toEqual(['B']);
    expect(t.expire(50_000 + UDP_IDLE_MS)).toEqual(['A']);
    expect(t.size).toBe(0);
  });

  it('pushes out the least recently used flow past its bound', () => {
    const t = new FlowTable<string>(1_000, 2);
    t.set('a', 'A', 0);
    t.set('b', 'B', 1);
    t.get('a', 2);
    expect(t.set('c', 'C', 3)).toEqual(['B']);
    expect(t.values().sort()).toEqual(['A', 'C']);
    expect(t.delete('a')).toBe('A');
    expect(t.clear()).toEqual(['C']);
  });
});
