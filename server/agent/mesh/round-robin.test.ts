import { describe, expect, it } from 'vitest';
import { RoundRobin } from './round-robin';

const b = (...ids: string[]) => ids.map((taskID) => ({ taskID, nodeID: 'n' }));

describe('round robin', () => {
  it('hands out backends in turn, per route', () => {
    const rr = new RoundRobin();
    const set = b('a', 'b', 'c');
    expect([1, 2, 3, 4].map(() => rr.next('tcp/80', set)!.taskID)).toEqual(['a', 'b', 'c', 'a']);
    expect(rr.next('tcp/81', set)!.taskID).toBe('a');
  });

  it('skips the backends already tried and says when none is left', () => {
    const rr = new RoundRobin();
    const set = b('a', 'b', 'c');
    expect(rr.next('k', set, new Set(['a']))!.taskID).toBe('b');
    expect(rr.next('k', set, new Set(['c']))!.taskID).toBe('a');
    expect(rr.next('k', set, new Set(['a', 'b', 'c']))).toBeUndefined();
    expect(rr.next('k', [])).toBeUndefined();
  });

  it('keeps spreading when the set shrinks under the cursor', () => {
    const rr = new RoundRobin();
    rr.next('k', b('a', 'b', 'c'));
    rr.next('k', b('a', 'b', 'c'));
    expect(rr.next('k', b('a', 'b'))!.taskID).toBe('a');
    rr.retain(new Set());
    expect(rr.next('k', b('x', 'y'))!.taskID).toBe('x');
  });
});
