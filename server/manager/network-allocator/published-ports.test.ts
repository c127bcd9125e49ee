import { describe, expect, it } from 'vitest';
import type { PortConfig, Service } from '../../api/types';
import { DYNAMIC_PORT_END, DYNAMIC_PORT_START, PublishedPorts } from './published-ports';
import { expectAllocError, svc } from './testkit';

const withPorts = (id: string, ports: PortConfig[]) => svc(id, { ports });
/** The service as stored after allocation, with a new spec. */
const updated = (s: Service, endpointPorts: PortConfig[], ports: PortConfig[]): Service => ({
  ...s,
  Spec: { ...s.Spec, EndpointSpec: { Ports: ports } },
  Endpoint: { Spec: { Ports: ports }, Ports: endpointPorts },
});

describe('published ports', () => {
  it('writes Endpoint.Ports with protocol and mode spelled out; host ports pass through', () => {
    const pp = new PublishedPorts();
    const out = pp.allocate(
      withPorts('a', [
        { TargetPort: 80, PublishedPort: 8080 },
        { TargetPort: 53, PublishedPort: 53, Protocol: 'udp', PublishMode: 'host' },
      ]),
    );
    expect(out).toEqual([
      { TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp', PublishMode: 'ingress' },
      { TargetPort: 53, PublishedPort: 53, Protocol: 'udp', PublishMode: 'host' },
    ]);
    expect(pp.ingressOwner('tcp', 8080)).toBe('a');
    expect(pp.ingressOwner('udp', 53)).toBeUndefined();
  });

  it('picks missing ports serially from 30000–32767', () => {
    expect([DYNAMIC_PORT_START, DYNAMIC_PORT_END]).toEqual([30000, 32767]);
    const pp = new PublishedPorts();
    const a = pp.allocate(withPorts('a', [{ TargetPort: 80 }, { TargetPort: 443 }]));
    expect(a.map((p) => p.PublishedPort)).toEqual([30000, 30001]);
    pp.release('a');
    // serial: the freed ports are not reused before the range wraps
    expect(pp.allocate(withPorts('b', [{ TargetPort: 80 }]))[0]?.PublishedPort).toBe(30002);
  });

  it('skips explicitly published ports inside the dynamic range', () => {
    const pp = new PublishedPorts();
    pp.allocate(withPorts('a', [{ TargetPort: 80, PublishedPort: 30000 }]));
    expect(pp.allocate(withPorts('b', [{ TargetPort: 80 }]))[0]?.PublishedPort).toBe(30001);
  });

  it("refuses a clash with swarmkit's texts, per protocol, and changes nothing", () => {
    const pp = new PublishedPorts();
    pp.allocate(withPorts('web', [{ TargetPort: 80, PublishedPort: 8080 }]));
    pp.allocate(withPorts('dns', [{ TargetPort: 53, PublishedPort: 5353, PublishMode: 'host' }]));
    expectAllocError(
      () => pp.allocate(withPorts('x', [{ TargetPort: 81, PublishedPort: 8080 }])),
      "port '8080' is already in use by service 'web-name' (web) as an ingress port",
      'InvalidArgument',
    );
    expectAllocError(
      () => pp.allocate(withPorts('x', [{ TargetPort: 81, PublishedPort: 8080, PublishMode: 'host' }])),
      "port '8080' is already in use by service 'web-name' (web) as an ingress port",
    );
    expectAllocError(
      () => pp.allocate(withPorts('x', [{ TargetPort: 53, PublishedPort: 5353 }])),
      "port '5353' is already in use by service 'dns-name' (dns) as a host-published port",
    );
    // other protocol, or host mode beside host mode: fine
    pp.allocate(withPorts('u', [{ TargetPort: 80, PublishedPort: 8080, Protocol: 'udp' }]));
    pp.allocate(withPorts('h', [{ TargetPort: 53, PublishedPort: 5353, PublishMode: 'host' }]));
    expect(pp.ingressOwner('udp', 8080)).toBe('u');
  });

  it('an update that clashes keeps what the service held', () => {
    const pp = new PublishedPorts();
    const a = withPorts('a', [{ TargetPort: 80, PublishedPort: 8000 }]);
    pp.allocate(a);
    pp.allocate(withPorts('b', [{ TargetPort: 80, PublishedPort: 9000 }]));
    expectAllocError(
      () =>
        pp.allocate(updated(a, [{ TargetPort: 80, PublishedPort: 8000 }], [{ TargetPort: 80, PublishedPort: 9000 }])),
      "port '9000' is already in use by service 'b-name' (b) as an ingress port",
    );
    expect(pp.ingressOwner('tcp', 8000)).toBe('a');
    expectAllocError(
      () => pp.allocate(withPorts('c', [{ TargetPort: 80, PublishedPort: 8000 }])),
      "port '8000' is already in use by service 'a-name' (a) as an ingress port",
    );
  });

  it('keeps a dynamic port across updates of the same port, and lets a service re-claim its own', () => {
    const pp = new PublishedPorts();
    const s = withPorts('a', [{ TargetPort: 80 }]);
    const first = pp.allocate(s);
    pp.allocate(withPorts('other', [{ TargetPort: 80 }]));
    const again = pp.allocate(updated(s, first, [{ TargetPort: 80 }]));
    expect(again[0]?.PublishedPort).toBe(first[0]?.PublishedPort);
    // re-publishing its own fixed port is no clash
    const fixed = withPorts('f', [{ TargetPort: 80, PublishedPort: 7000 }]);
    const f1 = pp.allocate(fixed);
    expect(pp.allocate(updated(fixed, f1, [{ TargetPort: 80, PublishedPort: 7000 }]))[0]?.PublishedPort).toBe(7000);
  });

  it('says when the dynamic range is exhausted', () => {
    const pp = new PublishedPorts();
    const size = DYNAMIC_PORT_END - DYNAMIC_PORT_START + 1;
    pp.allocate(
      withPorts(
        'big',
        Array.from({ length: size }, (_, i) => ({ TargetPort: i + 1 })),
      ),
    );
    expectAllocError(
      () => pp.allocate(withPorts('late', [{ TargetPort: 80 }])),
      'could not allocate a published port for service late-name: no bit available in the dynamic range 30000-32767',
      'ResourceExhausted',
    );
    pp.release('big');
    expect(pp.allocate(withPorts('late', [{ TargetPort: 80 }]))[0]?.PublishedPort).toBe(30000);
  });

  it('restores a stored Endpoint.Ports', () => {
    const pp = new PublishedPorts();
    pp.restore(updated(withPorts('a', []), [{ TargetPort: 80, PublishedPort: 30005 }], [{ TargetPort: 80 }]));
    expect(pp.ingressOwner('tcp', 30005)).toBe('a');
    expect(pp.allocate(withPorts('b', [{ TargetPort: 80, PublishedPort: 30006 }]))[0]?.PublishedPort).toBe(30006);
    expectAllocError(
      () => pp.restore(updated(withPorts('c', []), [{ TargetPort: 80, PublishedPort: 30005 }], [{ TargetPort: 80 }])),
      "port '30005' is already in use by service 'a-name' (a) as an ingress port",
    );
  });
});
