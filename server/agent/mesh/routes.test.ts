import { describe, expect, it } from 'vitest';
import type { NetworkView, ViewTask } from '../../api/network-view';
import type { PortConfig, TaskState } from '../../api/types';
import { meshRoutes } from './routes';

const T0 = '2026-01-01T00:00:00.000Z';
const service = (ID: string, ports: PortConfig[]) => ({
  ID,
  Spec: {
    Name: ID,
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 1 } },
  },
  Endpoint: { Spec: { Ports: ports } },
});
const task = (
  ID: string,
  ServiceID: string,
  NodeID: string,
  over: Partial<ViewTask> = {},
  State: TaskState = 'running',
) =>
  ({
    ID,
    ServiceID,
    Slot: 1,
    NodeID,
    Status: { Timestamp: T0, State, Message: State },
    DesiredState: 'running',
    Spec: { ContainerSpec: { Image: 'nginx' } },
    ...over,
  }) as ViewTask;
const peers = ['n1', 'n2', 'n3'].map((NodeID, i) => ({ NodeID, Addr: `127.0.0.${i + 2}`, Port: 4789 }));
const view = (services: ReturnType<typeof service>[], tasks: ViewTask[]): NetworkView => ({
  Revision: 1,
  Networks: [],
  Services: services,
  Tasks: tasks,
  Peers: peers,
});

describe('mesh routes', () => {
  it('routes an ingress port on every node to the ready tasks on any mesh node', () => {
    const web = service('web', [{ TargetPort: 80, PublishedPort: 18080 }]);
    const v = view(
      [web],
      [
        task('a', 'web', 'n1'),
        task('b', 'web', 'n2'),
        task('c', 'web', 'n3', {}, 'starting'),
        task('d', 'web', 'n3', { DesiredState: 'shutdown' }),
        task('e', 'web', 'n3', { Draining: true }),
        task('f', 'web', 'sim-node'),
        task('g', 'web', 'n3', {
          Spec: { ContainerSpec: { Image: 'nginx', Healthcheck: { Test: ['CMD', 'true'] } } },
        }),
        task('h', 'web', 'n3', {
          Spec: { ContainerSpec: { Image: 'nginx', Healthcheck: { Test: ['CMD', 'true'] } } },
          Status: { Timestamp: T0, State: 'running', Message: '', ContainerStatus: { Health: 'healthy' } },
        }),
      ],
    );
    for (const node of ['n1', 'n2', 'n3']) {
      const { routes } = meshRoutes(v, node);
      expect(routes).toHaveLength(1);
      expect(routes[0]).toMatchObject({ key: 'tcp/18080', targetPort: 80, mode: 'ingress', serviceName: 'web' });
      // not starting, not told to stop, not draining, not on a node without a mesh, not unhealthy-or-unchecked
      expect(routes[0]!.backends.map((b) => b.taskID)).toEqual(['a', 'b', 'h']);
    }
  });

  it('opens a host-mode port only on a node running a task, to that node’s tasks', () => {
    const hp = service('hp', [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host', Protocol: 'udp' }]);
    const v = view([hp], [task('a', 'hp', 'n1'), task('b', 'hp', 'n2', {}, 'starting')]);
    expect(meshRoutes(v, 'n1').routes[0]).toMatchObject({ key: 'udp/8080', mode: 'host', backends: [{ taskID: 'a' }] });
    // a starting task already holds its port; it serves once running
    expect(meshRoutes(v, 'n2').routes[0]).toMatchObject({ key: 'udp/8080', backends: [] });
    expect(meshRoutes(v, 'n3').routes).toEqual([]);
  });

  it('keeps a port for the first service that claims it and reports the clash', () => {
    const v = view(
      [
        service('b', [{ TargetPort: 81, PublishedPort: 9000 }]),
        service('a', [{ TargetPort: 80, PublishedPort: 9000 }]),
      ],
      [],
    );
    const r = meshRoutes(v, 'n1');
    expect(r.routes.map((x) => x.serviceID)).toEqual(['a']);
    expect(r.conflicts).toEqual(['port tcp/9000 is published by services a and b']);
  });
});
