// Published ports (swarmkit manager/allocator/portallocator.go): ingress-mode
// ports are claimed cluster-wide per protocol; a missing published port is
// picked serially from 30000–32767 and stays the same across updates that
// keep the port (same name, protocol and target). Host-mode ports are not
// allocated by the manager; they are remembered only to word a clash.

import type { PortConfig, Service } from '../../api/types';
import { AllocError, dynamicPortsExhausted, portInUseHost, portInUseIngress } from './errors';
import { SerialBitmap } from './serial-bitmap';

export const DYNAMIC_PORT_START = 30000;
export const DYNAMIC_PORT_END = 32767;

type Protocol = NonNullable<PortConfig['Protocol']>;
interface Owner {
  id: string;
  name: string;
}

/** The port as Endpoint.Ports shows it: protocol and mode always spelled out. */
export function portState(p: PortConfig): PortConfig {
  return { ...p, Protocol: p.Protocol ?? 'tcp', PublishMode: p.PublishMode ?? 'ingress' };
}

const key = (proto: Protocol, port: number) => `${proto}/${port}`;
const sameSlot = (a: PortConfig, b: PortConfig) =>
  (a.Name ?? '') === (b.Name ?? '') && a.Protocol === b.Protocol && a.TargetPort === b.TargetPort;

export class PublishedPorts {
  private readonly dynamic = new Map<Protocol, SerialBitmap>();
  /** ingress ports in use, per protocol/port */
  private readonly ingress = new Map<string, Owner>();
  /** host-published ports, per protocol/port, by service */
  private readonly host = new Map<string, Map<string, string>>();
  /** what each service holds, to release it */
  private readonly held = new Map<string, PortConfig[]>();

  /**
   * Endpoint.Ports for the service's spec (swarmkit serviceAllocatePorts). Atomic: on a clash or
   * exhaustion nothing changes and the service keeps what it held.
   */
  allocate(service: Service): PortConfig[] {
    const owner = { id: service.ID, name: service.Spec.Name };
    const wanted = this.reconcile(service);
    const previous = this.held.get(service.ID) ?? [];
    this.release(service.ID);
    const out: PortConfig[] = [];
    try {
      for (const p of wanted) out.push(this.claim(p, owner));
    } catch (err) {
      this.release(service.ID, out);
      this.restoreHeld(owner, previous);
      throw err;
    }
    this.held.set(service.ID, out);
    return out;
  }

  /** Marks a stored service's Endpoint.Ports used again (leader start); throws on a clash. */
  restore(service: Service): void {
    this.restoreHeld({ id: service.ID, name: service.Spec.Name }, (service.Endpoint?.Ports ?? []).map(portState));
  }

  release(serviceID: string, ports = this.held.get(serviceID) ?? []): void {
    for (const p of ports) {
      const k = key(p.Protocol ?? 'tcp', p.PublishedPort ?? 0);
      if (p.PublishMode === 'host') {
        this.host.get(k)?.delete(serviceID);
      } else if (this.ingress.get(k)?.id === serviceID) {
        this.ingress.delete(k);
        this.dynamicSpace(p.Protocol ?? 'tcp').release(p.PublishedPort ?? 0);
      }
    }
    this.held.delete(serviceID);
  }

  /** Who holds an ingress port (for tests and the console). */
  ingressOwner(proto: Protocol, port: number): string | undefined {
    return this.ingress.get(key(proto, port))?.id;
  }

  private restoreHeld(owner: Owner, ports: PortConfig[]): void {
    const out: PortConfig[] = [];
    try {
      for (const p of ports) out.push(this.claim(p, owner));
    } catch (err) {
      this.release(owner.id, out);
      throw err;
    }
    if (out.length > 0) this.held.set(owner.id, out);
  }

  /** Spec ports, preferring the dynamic port held before for the same slot (reconcilePortConfigs). */
  private reconcile(service: Service): PortConfig[] {
    const spec = (service.Spec.EndpointSpec?.Ports ?? []).map(portState);
    const before = (service.Endpoint?.Ports ?? []).map(portState).filter((p) => p.PublishMode === 'ingress');
    if ((service.Endpoint?.Ports ?? []).length !== spec.length) return spec;
    // given ports first claim their own previous state, so a dynamic one cannot take it
    const pool = [...before];
    const take = (p: PortConfig, match: (q: PortConfig) => boolean) => {
      const i = pool.findIndex((q) => sameSlot(p, q) && match(q));
      return i < 0 ? undefined : pool.splice(i, 1)[0];
    };
    for (const p of spec)
      if (p.PublishMode === 'ingress' && p.PublishedPort) take(p, (q) => q.PublishedPort === p.PublishedPort);
    return spec.map((p) => {
      if (p.PublishMode !== 'ingress' || p.PublishedPort) return p;
      return take(p, (q) => !!q.PublishedPort) ?? p;
    });
  }

  private claim(p: PortConfig, owner: Owner): PortConfig {
    const proto = p.Protocol ?? 'tcp';
    const port = p.PublishedPort ?? 0;
    if (p.PublishMode === 'host') {
      if (port) {
        const other = this.ingress.get(key(proto, port));
        if (other && other.id !== owner.id)
          throw new AllocError('InvalidArgument', portInUseIngress(port, other.name, other.id));
        const m = this.host.get(key(proto, port)) ?? new Map<string, string>();
        m.set(owner.id, owner.name);
        this.host.set(key(proto, port), m);
      }
      return p;
    }
    if (!port) {
      // explicitly published ports inside the range are marked there too, so the pick is free
      const picked = this.dynamicSpace(proto).setAny();
      if (picked === undefined) throw new AllocError('ResourceExhausted', dynamicPortsExhausted(owner.name));
      this.ingress.set(key(proto, picked), owner);
      return { ...p, PublishedPort: picked };
    }
    const other = this.ingress.get(key(proto, port));
    if (other) throw new AllocError('InvalidArgument', portInUseIngress(port, other.name, other.id));
    const host = this.hostOwner(proto, port, owner.id);
    if (host) throw new AllocError('InvalidArgument', portInUseHost(port, host.name, host.id));
    if (port >= DYNAMIC_PORT_START && port <= DYNAMIC_PORT_END) this.dynamicSpace(proto).setSpecific(port);
    this.ingress.set(key(proto, port), owner);
    return p;
  }

  private hostOwner(proto: Protocol, port: number, self: string): Owner | undefined {
    for (const [id, name] of this.host.get(key(proto, port)) ?? []) if (id !== self) return { id, name };
    return undefined;
  }

  private dynamicSpace(proto: Protocol): SerialBitmap {
    let s = this.dynamic.get(proto);
    if (!s) {
      s = new SerialBitmap(DYNAMIC_PORT_START, DYNAMIC_PORT_END);
      this.dynamic.set(proto, s);
    }
    return s;
  }
}
