// Which service VIPs this node's netns router accepts connections to, on which
// ports, from which subnets, and where the mesh sends each one: from the latest
// NetworkView, every VIP a service holds on a network other than ingress
// (dnsrr services hold none), on each TCP target port of the service's endpoint,
// with the same backends as a published port (its ready tasks on any node that
// runs a mesh). Only tasks on the VIP's own network may reach it: the router
// admits sources from that network's subnet alone.
import type { NetworkView } from '../../api/network-view';
import type { PortConfig } from '../../api/types';
import { isBackend, type Backend } from './routes';

export interface VipRoute {
  /** `vip/10.0.1.2:80`: one per VIP and port. */
  key: string;
  vip: string;
  port: number;
  /** The VIP's network's subnet (CIDR), the only sources the router admits. */
  subnet: string;
  networkID: string;
  serviceID: string;
  serviceName: string;
  backends: Backend[];
}

/** What the router needs of a VIP route. */
export interface VipEntry {
  vip: string;
  port: number;
  subnet: string;
}

export const vipKey = (vip: string, port: number): string => `vip/${vip}:${port}`;

/** 10.0.1.2/24 → ["10.0.1.2", "10.0.1.0/24"]; undefined for anything but IPv4 CIDR text. */
export function vipAndSubnet(cidr: string): [string, string] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (parts.some((n) => n > 255) || len > 32 || len < 1) return undefined;
  const ip = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const net = (ip & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
  const text = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  return [text(ip), `${text(net)}/${len}`];
}

/** The service's TCP target ports (its endpoint's, allocated or asked for). */
function targetPorts(s: NetworkView['Services'][number]): number[] {
  const ports: PortConfig[] =
    (s.Endpoint?.Ports?.length ? s.Endpoint.Ports : (s.Endpoint?.Spec?.Ports ?? s.Spec.EndpointSpec?.Ports)) ?? [];
  const out = new Set<number>();
  for (const p of ports) if ((p.Protocol ?? 'tcp') === 'tcp' && (p.TargetPort ?? 0) > 0) out.add(p.TargetPort!);
  return [...out].sort((a, b) => a - b);
}

export function vipRoutes(view: NetworkView, nodeID: string): VipRoute[] {
  const meshNodes = new Set(view.Peers.map((p) => p.NodeID));
  meshNodes.add(nodeID);
  const overlay = new Set(view.Networks.filter((n) => !n.Spec.Ingress).map((n) => n.ID));
  const routes = new Map<string, VipRoute>();
  for (const s of view.Services) {
    const ports = targetPorts(s);
    if (ports.length === 0) continue;
    const backends = view.Tasks.filter((t) => t.ServiceID === s.ID && meshNodes.has(t.NodeID) && isBackend(t))
      .map((t) => ({ taskID: t.ID, nodeID: t.NodeID }))
      .sort((a, b) => a.taskID.localeCompare(b.taskID));
    for (const v of s.Endpoint?.VirtualIPs ?? []) {
      if (!overlay.has(v.NetworkID)) continue;
      const parsed = vipAndSubnet(v.Addr);
      if (!parsed) continue;
      const [vip, subnet] = parsed;
      for (const port of ports) {
        const key = vipKey(vip, port);
        routes.set(key, {
          key,
          vip,
          port,
          subnet,
          networkID: v.NetworkID,
          serviceID: s.ID,
          serviceName: s.Spec.Name,
          backends,
        });
      }
    }
  }
  return [...routes.values()].sort((a, b) => a.key.localeCompare(b.key));
}
