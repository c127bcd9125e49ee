import { describe, expect, it } from 'vitest';
import type { ContainerStatus, TaskState, TaskStatus } from '../../api/types';
import { makeService, makeTask } from '../../store/test-support';
import { applyStatus, isForward, laterStatus } from './status-updates';

const st = (State: TaskState, Health?: ContainerStatus['Health'], Timestamp = 't1'): TaskStatus => ({
  State,
  Message: State,
  Timestamp,
  ContainerStatus: Health ? { ContainerID: 'c', Health } : { ContainerID: 'c' },
});

describe('status updates', () => {
  it('only a later state, or the same state with different health, is forward', () => {
    expect(isForward(st('starting'), st('running'))).toBe(true);
    expect(isForward(st('running'), st('starting', 'healthy'))).toBe(false);
    expect(isForward(st('running'), st('running'))).toBe(false);
    expect(isForward(st('starting'), st('starting', 'starting'))).toBe(true);
    expect(isForward(st('running', 'healthy'), st('running', 'unhealthy'))).toBe(true);
    expect(isForward(st('running', 'healthy'), st('running', 'healthy'))).toBe(false);
    // A report without health never clears it.
    expect(isForward(st('running', 'healthy'), st('running'))).toBe(false);
  });

  it('applies health news onto the stored status and keeps its time', () => {
    const task = { ...makeTask(makeService()), Status: { ...st('running', 'healthy', 't1'), AppliedAt: 'a1' } };
    const next = applyStatus(task, st('running', 'unhealthy', 't2'))!;
    expect(next.Status).toEqual({ ...task.Status, ContainerStatus: { ContainerID: 'c', Health: 'unhealthy' } });
    expect(applyStatus(task, st('running', 'healthy', 't2'))).toBeUndefined();
    expect(applyStatus(task, st('failed', 'unhealthy', 't3'))!.Status.State).toBe('failed');
  });

  it('keeps the later queued state, taking a same-state report’s health news', () => {
    expect(laterStatus(undefined, st('running'))).toEqual(st('running'));
    expect(laterStatus(st('running', 'healthy', 't1'), st('failed', undefined, 't2')).State).toBe('failed');
    expect(laterStatus(st('running', 'healthy', 't1'), st('starting', 'unhealthy', 't2'))).toEqual(
      st('running', 'healthy', 't1'),
    );
    expect(laterStatus(st('running', 'healthy', 't1'), st('running', 'unhealthy', 't2'))).toEqual(
      st('running', 'unhealthy', 't1'),
    );
  });

  it('applies a running task’s drain news once, keeping its state, time and health', () => {
    const drain: TaskStatus = { ...st('running', 'healthy', 't2'), Message: 'draining' };
    expect(isForward(st('running', 'healthy'), drain)).toBe(true);
    expect(isForward({ ...st('running', 'healthy'), Message: 'draining' }, drain)).toBe(false);
    expect(isForward(st('starting'), { ...st('starting'), Message: 'draining' })).toBe(false);
    const task = { ...makeTask(makeService()), Status: st('running', 'healthy', 't1') };
    expect(applyStatus(task, drain)!.Status).toEqual({ ...st('running', 'healthy', 't1'), Message: 'draining' });
    expect(laterStatus(st('running', 'healthy', 't1'), drain)).toEqual({
      ...st('running', 'healthy', 't1'),
      Message: 'draining',
    });
  });
});
