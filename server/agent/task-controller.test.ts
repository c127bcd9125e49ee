import { describe, expect, it } from 'vitest';
import type { TaskState } from '../api/types';
import { fatalState, nextStep } from './task-controller';

describe('agent rule (nextStep)', () => {
  it('walks the bookkeeping states only while observed < desired', () => {
    const walk = (desired: TaskState) =>
      (['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'] as TaskState[]).map((s) =>
        nextStep(s, desired),
      );
    expect(walk('running')).toEqual(['accept', 'begin-prepare', 'prepare', 'begin-start', 'start', 'wait']);
    // desired READY: prepared, then parked
    expect(walk('ready').slice(0, 4)).toEqual(['accept', 'begin-prepare', 'prepare', 'none']);
    // jobs: desired COMPLETE runs to exit
    expect(nextStep('running', 'complete')).toBe('wait');
  });

  it('shuts down for desired ≥ SHUTDOWN unless already finished, and ignores observed > desired', () => {
    expect(nextStep('assigned', 'shutdown')).toBe('shutdown');
    expect(nextStep('running', 'remove')).toBe('shutdown');
    expect(nextStep('complete', 'shutdown')).toBe('none');
    expect(nextStep('failed', 'remove')).toBe('none');
    expect(nextStep('complete', 'running')).toBe('none');
    expect(nextStep('starting', 'ready')).toBe('none');
  });

  it('rejects before STARTING and fails from STARTING on', () => {
    expect(fatalState('preparing')).toBe('rejected');
    expect(fatalState('starting')).toBe('failed');
    expect(fatalState('running')).toBe('failed');
  });
});
