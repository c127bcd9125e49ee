import { describe, expect, it } from 'vitest';
import { SequenceConflict, SwarmError } from '../api/errors';
import { MemoryStore } from '../store/memory-store';
import { Tx } from '../store/tx';
import { FaultTracker, isObjectFault, isolate } from './faults';

describe('FaultTracker', () => {
  it("keeps a service's mark on its oldest failing object, with that object's latest reason, until all recover", () => {
    const t = new FaultTracker();
    expect(t.fail('s', 'task-1', 'one')).toBe('one');
    expect(t.fail('s', 'task-2', 'two')).toBe('one');
    expect(t.fail('s', 'task-1', 'one again')).toBe('one again');
    expect(t.pass('s', 'task-1')).toBe(false);
    expect(t.fail('s', 'task-2', 'two')).toBe('two');
    expect(t.pass('s', 'task-2')).toBe(true);
    expect(t.pass('other', 'x')).toBe(true);
  });
});

describe('isolate', () => {
  it("returns an object's fault as text, and lets a lost race or a lost leader through", () => {
    const tx = new Tx(new MemoryStore(), '2026-01-01T00:00:00.000Z');
    expect(
      isolate(tx, () => {
        throw new TypeError('x is not a function');
      }),
    ).toEqual({ ok: false, message: 'x is not a function' });
    expect(() =>
      isolate(tx, () => {
        throw new SequenceConflict();
      }),
    ).toThrow(SequenceConflict);
    expect(isObjectFault(new SwarmError('Unavailable', 'raft: the log is closed'))).toBe(false);
    expect(isObjectFault(new RangeError('Invalid array length'))).toBe(true);
  });
});
