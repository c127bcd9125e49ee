// Small object builders for the network allocator's unit tests.

import { expect } from 'vitest';
import type { Network, NetworkAttachmentConfig, Node, PortConfig, Service, Task } from '../../api/types';

import { AllocError } from './errors';

const meta = (id: string, at = '2026-01-01T00:00:00Z') => ({
  ID: id,
  Version: { Index: 1 },
  CreatedAt: at,
  UpdatedAt: at,
});

export function net(id: string, spec: Partial<Network['Spec']> = {}): Network {
  return { ...meta(id), Spec: { Name: id, Labels: {}, DriverConfiguration: { Name: 'overlay' }, ...spec } };
}

export function ingressNet(id = 'ingress-id'): Network {
  return net(id, { Name: 'ingress', Ingress: true });
}

export function svc(
  id: string,
  opts: { networks?: (string | NetworkAttachmentConfig)[]; ports?: PortConfig[]; mode?: 'vip' | 'dnsrr' } = {},
): Service {
  const Networks = opts.networks?.map((n) => (typeof n === 'string' ? { Target: n } : n));
  const EndpointSpec = { ...(opts.mode ? { Mode: opts.mode } : {}), ...(opts.ports ? { Ports: opts.ports } : {}) };
  return {
    ...meta(id),
    Spec: {
      Name: `${id}-name`,
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, ...(Networks ? { Networks } : {}) },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec,
    },
    SpecVersion: { Index: 1 },
    Endpoint: { Spec: EndpointSpec },
  };
}

export function task(id: string, service: Service, nodeID = 'node-1'): Task {
  return {
    ...meta(id),
    Labels: {},
    Spec: service.Spec.TaskTemplate,
    ServiceID: service.ID,
    Slot: 1,
    NodeID: nodeID,
    Status: { State: 'new', Timestamp: '2026-01-01T00:00:00Z', Message: 'created' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: service.Spec.Name, Labels: {} },
  };
}

export function node(id: string): Node {
  return {
    ...meta(id),
    Spec: { Role: 'worker', Availability: 'active', Labels: {} },
    Role: 'worker',
    Description: {
      Hostname: id,
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 },
      Engine: { EngineVersion: '28.2.2' },
    },
    Status: { State: 'ready', Addr: '127.0.0.1' },
  };
}

/** The address part of each CIDR text. */
export const ips = (addrs: string[] | undefined) => (addrs ?? []).map((a) => a.split('/')[0]);

/** Runs f and checks it throws an AllocError with exactly this text (and code, when given). */
export function expectAllocError(f: () => unknown, message: string, code?: AllocError['code']): void {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected "${message}"`).toBeInstanceOf(AllocError);
  expect((thrown as AllocError).message).toBe(message);
  if (code) expect((thrown as AllocError).code).toBe(code);
}
