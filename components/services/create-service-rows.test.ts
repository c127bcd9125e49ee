import { describe, expect, it } from 'vitest';
import { formToServiceSpec } from '@/server/api/console';
import { mountEntries, portEntries } from './create-service-rows';
import { pickableNetworks } from './create-service-picks';

describe('create form rows', () => {
  it('leaves empty rows out and sends a half-filled one on, to be refused by name', () => {
    const ports = portEntries([
      { target: '80', published: '', protocol: 'tcp', mode: 'ingress' },
      { target: '', published: '', protocol: 'udp', mode: 'host' },
      { target: '', published: '9090', protocol: 'tcp', mode: 'host' },
    ]);
    expect(ports).toEqual([
      { target: 80, protocol: 'tcp', mode: 'ingress' },
      { target: Number.NaN, published: 9090, protocol: 'tcp', mode: 'host' },
    ]);
    expect(() => formToServiceSpec({ name: 'x', image: 'a', mode: 'global', ports })).toThrow(
      /ports\[1\]\.target must be a port number/,
    );
  });

  it('sends a mount without an empty source, and read-only only when ticked', () => {
    expect(
      mountEntries([
        { type: 'tmpfs', source: '', target: ' /scratch ', readonly: false },
        { type: 'bind', source: '/srv', target: '/data', readonly: true },
        { type: 'volume', source: ' ', target: '', readonly: true },
      ]),
    ).toEqual([
      { type: 'tmpfs', target: '/scratch' },
      { type: 'bind', source: '/srv', target: '/data', readonly: true },
    ]);
  });

  it('offers overlay networks other than the ingress, by name', () => {
    const net = (Name: string, driver?: string, Ingress?: boolean) => ({
      Spec: { Name, Ingress, ...(driver ? { DriverConfiguration: { Name: driver } } : {}) },
    });
    expect(
      pickableNetworks([net('web', 'overlay'), net('ingress', 'overlay', true), net('app'), net('lan', 'macvlan')]),
    ).toEqual(['app', 'web']);
  });
});
