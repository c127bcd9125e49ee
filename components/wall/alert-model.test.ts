import { describe, expect, it } from 'vitest';
import type { Service, Task } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { fixtureNode, runningTask } from '../topology/test-fixtures';
import { pendingGroups, wallAlerts, type AlertInput } from './alert-model';
import { wallModel } from './wall-model';

const svc = (id: string, replicas: number, over: Partial<Service> = {}) =>
  fixtureService({
    ID: id,
    ...over,
    Spec: { ...fixtureService().Spec, Name: id, Mode: { Replicated: { Replicas: replicas } } },
  });

const leader = fixtureNode('n0', 'manager-1', {
  ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '127.0.0.1:2377' },
});
leader.Spec.Role = 'manager';
const w1 = fixtureNode('n1', 'worker-1');
const down = fixtureNode('n2', 'worker-2', { Status: { State: 'down', Addr: '127.0.0.2' } });

function input(services: Service[], tasks: Task[], over: Partial<AlertInput> = {}): AlertInput {
  const map = new Map(services.map((s) => [s.ID, s]));
  return {
    model: wallModel([leader, w1, down], map, tasks),
    services: map,
    pending: pendingGroups(tasks, map),
    quorum: { hasQuorum: true, canLose: 1, voters: 3 },
    belowSince: new Map(),
    now: 100_000,
    graceMs: 30_000,
    ...over,
  };
}

describe('wallAlerts', () => {
  it('names a node that is down', () => {
    const { alerts } = wallAlerts(input([], []));
    expect(alerts.map((a) => [a.kind, a.text, a.severity])).toEqual([['node-down', 'Node worker-2 down', 'bad']]);
  });

  it('says quorum is at risk when it can lose 0, and lost when it is gone, before anything else', () => {
    const atRisk = wallAlerts(input([], [], { quorum: { hasQuorum: true, canLose: 0, voters: 3 } })).alerts;
    expect(atRisk.map((a) => a.text)).toEqual(['Quorum at risk: can lose 0 managers', 'Node worker-2 down']);
    const lost = wallAlerts(input([], [], { quorum: { hasQuorum: false, canLose: 0, voters: 3 } })).alerts;
    expect(lost[0]!.text).toBe('Quorum lost: changes are blocked');
    expect(wallAlerts(input([], [])).alerts.some((a) => a.kind === 'quorum')).toBe(false);
  });

  it('shows an update paused and a rollback', () => {
    const paused = svc('web', 0, { UpdateStatus: { State: 'paused', Message: 'update paused' } });
    const back = svc('api', 0, { UpdateStatus: { State: 'rollback_started', Message: '' } });
    const done = svc('db', 0, { UpdateStatus: { State: 'completed', Message: '' } });
    const texts = wallAlerts(input([paused, back, done], [])).alerts.map((a) => a.text);
    expect(texts).toEqual(['Node worker-2 down', 'api rolling back', 'web update paused']);
  });

  it('waits out the grace period before calling a service below desired, and forgets it once whole', () => {
    const web = svc('web', 2);
    const one = [runningTask(web, 'a', 1, 'n1')];
    const first = wallAlerts(input([web], one));
    expect(first.alerts.some((a) => a.kind === 'below-desired')).toBe(false);
    expect(first.belowSince.get('web')).toBe(100_000);
    const early = wallAlerts(input([web], one, { belowSince: first.belowSince, now: 129_999 }));
    expect(early.alerts.some((a) => a.kind === 'below-desired')).toBe(false);
    const late = wallAlerts(input([web], one, { belowSince: early.belowSince, now: 130_000 }));
    expect(late.alerts.find((a) => a.kind === 'below-desired')).toMatchObject({
      text: 'web 1/2 running',
      severity: 'warn',
    });
    const whole = [...one, runningTask(web, 'b', 2, 'n0')];
    const healed = wallAlerts(input([web], whole, { belowSince: late.belowSince, now: 140_000 }));
    expect(healed.belowSince.has('web')).toBe(false);
    expect(healed.alerts.some((a) => a.kind === 'below-desired')).toBe(false);
  });

  it('groups pending tasks by service and reason, with the reason', () => {
    const web = svc('web', 3);
    const pending = (id: string, slot: number, err: string): Task =>
      fixtureTask(web, {
        ID: id,
        Slot: slot,
        NodeID: '',
        DesiredState: 'running',
        Status: { Timestamp: '', State: 'pending', Message: 'pending task scheduling', Err: err },
      });
    const tasks = [
      pending('a', 1, 'no suitable node (insufficient resources on 3 nodes)'),
      pending('b', 2, 'no suitable node (insufficient resources on 3 nodes)'),
      pending('c', 3, 'no suitable node (scheduling constraints not satisfied on 3 nodes)'),
    ];
    const texts = wallAlerts(input([web], tasks))
      .alerts.filter((a) => a.kind === 'pending')
      .map((a) => a.text);
    expect(texts).toEqual([
      'web: 1 task pending: no suitable node (scheduling constraints not satisfied on 3 nodes)',
      'web: 2 tasks pending: no suitable node (insufficient resources on 3 nodes)',
    ]);
  });
});
