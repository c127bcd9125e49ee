import { describe, expect, it } from 'vitest';
import type { Node, Service, Task } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { replicaCounts, tasksByService } from '../cluster/derive';
import { fixtureNode } from '../topology/test-fixtures';
import { orderNodes, servicesUpdating, tasksHeadline } from './overview-model';

const running = (s: Service, id: string, slot: number, over: Partial<Task> = {}): Task =>
  fixtureTask(s, {
    ID: id,
    Slot: slot,
    NodeID: 'n1',
    Status: { Timestamp: '', State: 'running', Message: '' },
    ...over,
  });

function headline(services: Service[], tasks: Task[]) {
  return tasksHeadline(services, tasksByService(tasks));
}

describe('tasksHeadline', () => {
  it('adds up counts the server made just as the tasks they were made from (a page that holds no tasks)', () => {
    const web = fixtureService({
      ID: 'web',
      Spec: { ...fixtureService().Spec, Name: 'web', Mode: { Replicated: { Replicas: 3 } } },
    });
    const tasks = [running(web, 'w1', 1), running(web, 'w2', 2)];
    const counted = new Map([['web', replicaCounts(web, tasks)]]);
    const h = tasksHeadline([web], (s) => counted.get(s.ID)!);
    expect(h).toEqual(headline([web], tasks));
    expect(h).toMatchObject({ running: 2, desired: 3, degraded: [{ id: 'web', running: 2, desired: 3 }] });
  });

  it('counts against desired replicas, not against the tasks that exist, and names the degraded service', () => {
    const web = fixtureService({
      ID: 'web',
      Spec: { ...fixtureService().Spec, Name: 'web', Mode: { Replicated: { Replicas: 3 } } },
    });
    const api = fixtureService({
      ID: 'api',
      Spec: { ...fixtureService().Spec, Name: 'api', Mode: { Replicated: { Replicas: 2 } } },
    });
    // api's second replica could not be placed: only one task exists, and it runs
    const tasks = [running(web, 'w1', 1), running(web, 'w2', 2), running(web, 'w3', 3), running(api, 'a1', 1)];
    const h = headline([web, api], tasks);
    expect(h).toMatchObject({ running: 4, desired: 5 });
    expect(h.degraded).toEqual([{ id: 'api', name: 'api', running: 1, desired: 2 }]);
  });

  it("gives no credit for a rolling update's extra task and orders the degraded worst first", () => {
    const a = fixtureService({
      ID: 'a',
      Spec: { ...fixtureService().Spec, Name: 'a', Mode: { Replicated: { Replicas: 1 } } },
    });
    const b = fixtureService({
      ID: 'b',
      Spec: { ...fixtureService().Spec, Name: 'b', Mode: { Replicated: { Replicas: 4 } } },
    });
    const c = fixtureService({
      ID: 'c',
      Spec: { ...fixtureService().Spec, Name: 'c', Mode: { Replicated: { Replicas: 2 } } },
    });
    const tasks = [
      running(a, 'a1', 1),
      running(a, 'a1b', 1), // start-first: old and new both run for a moment
      running(b, 'b1', 1),
      running(b, 'b2', 2),
      running(b, 'b3', 3),
      fixtureTask(c, { ID: 'c1', Slot: 1, Status: { Timestamp: '', State: 'pending', Message: '' } }),
    ];
    const h = headline([a, b, c], tasks);
    expect(h).toMatchObject({ running: 4, desired: 7 });
    expect(h.degraded.map((d) => d.name)).toEqual(['c', 'b']);
  });

  it('leaves jobs out: they run to completion', () => {
    const job = fixtureService({
      ID: 'j',
      Spec: { ...fixtureService().Spec, Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } } },
    });
    expect(headline([job], [])).toEqual({ running: 0, desired: 0, degraded: [] });
  });
});

describe('orderNodes', () => {
  it('puts the leader first, then managers, then workers, by name', () => {
    const manager = (id: string, name: string, leader: boolean): Node =>
      fixtureNode(id, name, {
        Spec: { Name: name, Labels: {}, Role: 'manager', Availability: 'active' },
        Role: 'manager',
        ManagerStatus: { Leader: leader, Reachability: 'reachable', Addr: '127.0.0.1:1' },
      });
    const nodes = [
      fixtureNode('n1', 'worker-10'),
      manager('n2', 'm-1', false),
      fixtureNode('n3', 'worker-2'),
      manager('n4', 'm-3', true),
      manager('n5', 'm-2', false),
    ];
    expect(orderNodes(nodes).map((n) => n.Spec.Name)).toEqual(['m-3', 'm-1', 'm-2', 'worker-2', 'worker-10']);
  });
});

describe('servicesUpdating', () => {
  it('keeps the rollouts under way or paused, not the finished ones', () => {
    const svc = (name: string, state?: NonNullable<Service['UpdateStatus']>['State']) =>
      fixtureService({
        ID: name,
        Spec: { ...fixtureService().Spec, Name: name },
        UpdateStatus: state ? { State: state, Message: '' } : undefined,
      });
    const list = [
      svc('z-updating', 'updating'),
      svc('done', 'completed'),
      svc('never'),
      svc('a-paused', 'paused'),
      svc('back', 'rollback_started'),
      svc('rolled', 'rollback_completed'),
    ];
    expect(servicesUpdating(list).map((s) => s.Spec.Name)).toEqual(['a-paused', 'back', 'z-updating']);
  });
});
