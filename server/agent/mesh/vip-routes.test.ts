import { describe, expect, it } from 'vitest';
import type { NetworkView, ViewTask } from '../../api/network-view';
import type { Network, PortConfig, TaskState } from '../../api/types';
import { vipAndSubnet, vipRoutes } from './vip-routes';

const T0 = '2026-01-01T00:00:00.000Z';
const META = { Version: { Index: 1 }, CreatedAt: T0, UpdatedAt: T0 };
const net = (ID: string, ingress = false) =>
  ({ ID, ...META, Spec: { Name: ID, Labels: {}, Ingress: ingress || undefined } }) as Network;
const service = (ID: string, ports: PortConfig[], vips: Record<string, string>, mode: 'vip' | 'dnsrr' = 'vip') => ({
  ID,
  Spec: {
    Name: ID,
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 1 } },
  },
  Endpoint: {
    Spec: { Mode: mode, Ports: ports },
    VirtualIPs: Object.entries(vips).map(([NetworkID, Addr]) => ({ NetworkID, Addr })),
  },
});
const task = (
  ID: string,
  ServiceID: string,
  NodeID: string,
  State: TaskState = 'running',
  over: Partial<ViewTask> = {},
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
const view = (services: ReturnType<typeof service>[], tasks: ViewTask[]): NetworkView => ({
  Revision: 1,
  Networks: [net('ingress', true), net('appnet'), net('other')],
  Services: services,
  Tasks: tasks,
  Peers: ['n1', 'n2'].map((NodeID, i) => ({ NodeID, Addr: `127.0.0.${i + 2}`, Port: 4789 })),
});

describe('VIP routes', () => {
  it('one route per VIP on an overlay network and TCP target port, backends as the published port has', () => {
    const web = service(
      'web',
      [
        { TargetPort: 80, PublishedPort: 18080, Protocol: 'tcp' },
        { TargetPort: 80, PublishedPort: 18081, Protocol: 'tcp' },
        { TargetPort: 53, PublishedPort: 5353, Protocol: 'udp' },
      ],
      { ingress: '10.0.0.2/24', appnet: '10.0.1.2/24', other: '10.0.2.5/24', gone: '10.0.9.2/24' },
    );
    const routes = vipRoutes(
      view(
        [web],
        [
          task('a', 'web', 'n1'),
          task('b', 'web', 'n2'),
          task('c', 'web', 'n2', 'starting'),
          task('d', 'web', 'n1', 'running', { Draining: true }),
          task('e', 'web', 'sim-node'),
        ],
      ),
      'n1',
    );
    expect(routes.map((r) => [r.key, r.subnet, r.networkID])).toEqual([
      ['vip/10.0.1.2:80', '10.0.1.0/24', 'appnet'],
      ['vip/10.0.2.5:80', '10.0.2.0/24', 'other'],
    ]);
    expect(routes[0]!.backends).toEqual([
      { taskID: 'a', nodeID: 'n1' },
      { taskID: 'b', nodeID: 'n2' },
    ]);
  });

  it('no route for a service without TCP ports or without VIPs (dnsrr)', () => {
    const rr = service('rr', [{ TargetPort: 80, PublishedPort: 80, PublishMode: 'host' }], {}, 'dnsrr');
    const bare = service('bare', [], { appnet: '10.0.1.3/24' });
    expect(vipRoutes(view([rr, bare], [task('a', 'rr', 'n1'), task('b', 'bare', 'n1')]), 'n1')).toEqual([]);
  });

  it('reads a VIP and its subnet from CIDR text', () => {
    expect(vipAndSubnet('10.0.1.130/25')).toEqual(['10.0.1.130', '10.0.1.128/25']);
    expect(vipAndSubnet('10.0.1.2')).toBeUndefined();
    expect(vipAndSubnet('fd00::2/64')).toBeUndefined();
  });
});
