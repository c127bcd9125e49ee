import { describe, expect, it } from 'vitest';
import type { Service } from '../api/types';
import { makeService, makeTask } from '../store/test-support';
import {
  FAULT_STATUS_PREFIX,
  MAX_FAULT_CHARS,
  faultMessage,
  serviceWithFault,
  serviceWithoutFault,
  taskWithError,
  withFault,
  withoutFault,
} from './fault-policy';

const T1 = '2026-01-01T00:00:01.000Z';
const T2 = '2026-01-01T00:00:02.000Z';

describe('fault marks', () => {
  it('are set once per loop and message, keep their first time, and go away one loop at a time', () => {
    const s = makeService();
    const a = withFault(s, 'scheduler', 'boom', T1)!;
    expect(a.Faults).toEqual([{ Loop: 'scheduler', Message: 'boom', Since: T1 }]);
    expect(withFault(a, 'scheduler', 'boom', T2)).toBeUndefined(); // no change, no write
    const b = withFault(a, 'allocator', 'bang', T2)!;
    expect(b.Faults!.map((f) => f.Loop)).toEqual(['allocator', 'scheduler']);
    expect(withFault(b, 'scheduler', 'other', T2)!.Faults![1]).toEqual({
      Loop: 'scheduler',
      Message: 'other',
      Since: T2,
    });
    const c = withoutFault(b, 'scheduler')!;
    expect(c.Faults).toEqual([{ Loop: 'allocator', Message: 'bang', Since: T2 }]);
    expect(withoutFault(c, 'scheduler')).toBeUndefined();
    expect(withoutFault(c, 'allocator')).not.toHaveProperty('Faults');
  });

  it('reads a thrown value as one bounded line, whatever it is', () => {
    expect(faultMessage(new TypeError('d.toLowerCase is not a function'))).toBe('d.toLowerCase is not a function');
    expect(faultMessage('a\n  b')).toBe('a b');
    expect(faultMessage(undefined)).toBe('undefined');
    expect(faultMessage(new Error('x'.repeat(1000)))).toHaveLength(MAX_FAULT_CHARS);
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(faultMessage(hostile)).toBe('unprintable error');
  });
});

describe('what the CLI sees of a service-wide fault', () => {
  const svc = makeService();

  it('becomes a paused UpdateStatus with the fault, and goes away with it', () => {
    const marked = serviceWithFault(svc, 'orchestrator', 'Replicas is not a number', T1)!;
    expect(marked.UpdateStatus).toEqual({
      State: 'paused',
      Message: `${FAULT_STATUS_PREFIX}orchestrator: Replicas is not a number`,
    });
    expect(serviceWithFault(marked, 'orchestrator', 'Replicas is not a number', T2)).toBeUndefined();
    const cleared = serviceWithoutFault(marked, 'orchestrator')!;
    expect(cleared).not.toHaveProperty('UpdateStatus');
    expect(cleared).not.toHaveProperty('Faults');
    expect(serviceWithoutFault(cleared, 'orchestrator')).toBeUndefined();
  });

  it('is shown again after a spec update reset the status, while the fault lasts', () => {
    const marked = serviceWithFault(svc, 'orchestrator', 'x', T1)!;
    const { UpdateStatus: _reset, ...updated } = marked;
    expect(serviceWithFault(updated as Service, 'orchestrator', 'x', T2)!.UpdateStatus?.State).toBe('paused');
  });

  it('pauses a rollback as a rollback, keeps an update paused by its failure action, replaces a finished one', () => {
    const rolling: Service = {
      ...svc,
      UpdateStatus: { State: 'rollback_started', Message: 'manually requested rollback', StartedAt: T1 },
    };
    expect(serviceWithFault(rolling, 'updater', 'x', T2)!.UpdateStatus).toEqual({
      State: 'rollback_paused',
      StartedAt: T1,
      Message: `${FAULT_STATUS_PREFIX}updater: x`,
    });
    const paused: Service = { ...svc, UpdateStatus: { State: 'paused', Message: 'update paused due to failure' } };
    const marked = serviceWithFault(paused, 'updater', 'x', T2)!;
    expect(marked.UpdateStatus).toBe(paused.UpdateStatus);
    expect(serviceWithoutFault(marked, 'updater')!.UpdateStatus).toBe(paused.UpdateStatus);
    const done: Service = { ...svc, UpdateStatus: { State: 'completed', Message: 'update completed' } };
    expect(serviceWithFault(done, 'orchestrator', 'x', T2)!.UpdateStatus?.State).toBe('paused');
  });

  it('leaves UpdateStatus alone for faults that tasks carry (scheduler, allocator, ...)', () => {
    const marked = serviceWithFault(svc, 'scheduler', 'x', T1)!;
    expect(marked.Faults).toHaveLength(1);
    expect(marked).not.toHaveProperty('UpdateStatus');
  });
});

describe('a task that carries a fault', () => {
  const svc = makeService();

  it('gets it as Status.Err while NEW or PENDING (service ps shows it), once', () => {
    const t = makeTask(svc, { Status: { State: 'pending', Message: 'pending task scheduling', Timestamp: T1 } });
    const marked = taskWithError(t, 'scheduler', 'boom', T2)!;
    expect(marked.Status).toMatchObject({ State: 'pending', Err: 'scheduler: boom', Timestamp: T2 });
    expect(taskWithError(marked, 'scheduler', 'boom', T2)).toBeUndefined();
    const running = makeTask(svc, { Status: { State: 'running', Message: 'started', Timestamp: T1 } });
    expect(taskWithError(running, 'scheduler', 'boom', T2)).toBeUndefined();
  });
});
