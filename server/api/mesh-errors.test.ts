import { describe, expect, it } from 'vitest';
import { serviceMeshErrors } from './mesh-errors';
import type { MeshPortError, Node } from './types';

const err = (ServiceID: string, PublishedPort: number): MeshPortError => ({
  ServiceID,
  PublishedPort,
  Protocol: 'tcp',
  PublishMode: 'ingress',
  Message: `routing mesh: cannot listen on 127.0.0.2:${PublishedPort}/tcp for service ${ServiceID}: EADDRINUSE`,
});

const node = (ID: string, Hostname: string, state: 'ready' | 'down', MeshErrors?: MeshPortError[]): Node =>
  ({
    ID,
    Description: { Hostname },
    Status: { State: state, Addr: '127.0.0.2' },
    ...(MeshErrors ? { MeshErrors } : {}),
  }) as unknown as Node;

describe('serviceMeshErrors', () => {
  it('lists the service’s bind failures per ready node, sorted by host and port; other services and down nodes are left out', () => {
    const nodes = [
      node('n2', 'worker-2', 'ready', [err('web', 8080), err('api', 9000), err('web', 80)]),
      node('n1', 'worker-1', 'ready', [err('web', 8080)]),
      node('n3', 'worker-3', 'down', [err('web', 8080)]),
      node('n4', 'worker-4', 'ready'),
    ];
    expect(serviceMeshErrors('web', nodes).map((e) => [e.NodeID, e.Hostname, e.PublishedPort])).toEqual([
      ['n1', 'worker-1', 8080],
      ['n2', 'worker-2', 80],
      ['n2', 'worker-2', 8080],
    ]);
    expect(serviceMeshErrors('web', nodes)[0]).not.toHaveProperty('ServiceID');
    expect(serviceMeshErrors('nothing', nodes)).toEqual([]);
  });
});
