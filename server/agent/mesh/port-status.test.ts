import { describe, expect, it } from 'vitest';
import type { PortConfig } from '../../api/types';
import { hostPortStatus } from './port-status';

const task = (ports: PortConfig[]) => ({ Endpoint: { Spec: { Ports: ports }, Ports: ports } });

describe('hostPortStatus', () => {
  it('reports host-mode ports: the published one, else the host port the task got', () => {
    const got = hostPortStatus(
      task([
        { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' },
        { Protocol: 'udp', TargetPort: 53, PublishMode: 'host' },
        { Protocol: 'tcp', TargetPort: 443, PublishedPort: 30001, PublishMode: 'ingress' },
      ]),
      [
        { Protocol: 'tcp', TargetPort: 80, HostPort: 41000 },
        { Protocol: 'udp', TargetPort: 53, HostPort: 41001 },
        { Protocol: 'tcp', TargetPort: 443, HostPort: 41002 },
      ],
    );
    expect(got).toEqual([
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' },
      { Protocol: 'udp', TargetPort: 53, PublishedPort: 41001, PublishMode: 'host' },
    ]);
  });

  it('reports nothing for ingress-only services or a host port the task does not hold', () => {
    expect(hostPortStatus(task([{ TargetPort: 80, PublishedPort: 8080 }]), [])).toEqual([]);
    expect(hostPortStatus(task([{ TargetPort: 80, PublishMode: 'host' }]), [])).toEqual([]);
    expect(hostPortStatus({}, [])).toEqual([]);
  });
});
