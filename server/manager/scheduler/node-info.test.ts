import { describe, expect, it } from 'vitest';
import { TASK_STATES } from '../../api/types';
import { makeService, makeTask } from '../../store/test-support';
import { HELD_STATES, isTracked } from './node-info';

describe('the states a task holds its node in', () => {
  it('are the tracked states past pending, in order', () => {
    expect(HELD_STATES).toEqual(['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);
    const svc = makeService();
    for (const State of TASK_STATES) {
      const t = makeTask(svc, { Status: { Timestamp: '2026-01-01T00:00:00.000Z', State, Message: '' } });
      expect(HELD_STATES.includes(State)).toBe(isTracked(t) && State !== 'pending');
    }
  });
});
