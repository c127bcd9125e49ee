// Which of a service's ports the routing mesh routes. Shared by the manager (which
// services a node's NetworkView carries) and the agent (which ports it listens on).
import type { PortConfig, Service } from './types';

/** The allocated ports (Endpoint.Ports), else the spec's; only those with a published and a target port. */
export function meshPorts(s: Pick<Service, 'Spec' | 'Endpoint'>): PortConfig[] {
  const ports = s.Endpoint?.Ports?.length ? s.Endpoint.Ports : (s.Endpoint?.Spec?.Ports ?? s.Spec.EndpointSpec?.Ports);
  return (ports ?? []).filter((p) => (p.PublishedPort ?? 0) > 0 && (p.TargetPort ?? 0) > 0);
}

/** swarmkit IsIngressNetworkNeeded: a port published in ingress mode (the default mode). */
export function publishesIngress(s: Pick<Service, 'Spec' | 'Endpoint'>): boolean {
  return meshPorts(s).some((p) => (p.PublishMode ?? 'ingress') === 'ingress');
}
