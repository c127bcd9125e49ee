// Which services and tasks hold a swarm network (swarmkit removeNetwork's
// in-use rules), as plain functions over stored objects: the control API
// checks them before proposing a removal, and the store again when it
// applies one, so a service written meanwhile cannot be left pointing at a
// network that is gone.

import { rpcError, type SwarmError } from './errors';
import { stateValue, type Network, type Service, type Task } from './types';

/** swarmkit allocator.IsIngressNetwork (the legacy label form included). */
export function isIngressNetwork(n: Network): boolean {
  if (n.Spec.Ingress) return true;
  return n.Spec.Name === 'ingress' && Object.hasOwn(n.Spec.Labels ?? {}, 'com.docker.swarm.internal');
}

/** swarmkit IsIngressNetworkNeeded: the service publishes a port in ingress mode. */
export function needsIngress(s: Service): boolean {
  return (s.Spec.EndpointSpec?.Ports ?? []).some((p) => (p.PublishMode ?? 'ingress') === 'ingress');
}

/** The networks a service's spec attaches to (TaskTemplate's, else the deprecated top-level list). */
export function serviceNetworkTargets(s: Service): string[] {
  const nets = s.Spec.TaskTemplate.Networks?.length ? s.Spec.TaskTemplate.Networks : (s.Spec.Networks ?? []);
  return nets.map((n) => n.Target);
}

const RUNNING = stateValue('running');

/** A task still meant to run (desired and observed state both ≤ RUNNING) that names or holds the network. */
function taskHolds(t: Task, id: string): boolean {
  if (stateValue(t.DesiredState) > RUNNING || stateValue(t.Status.State) > RUNNING) return false;
  if ((t.Spec.Networks ?? []).some((n) => n.Target === id)) return true;
  return (t.NetworksAttachments ?? []).some((a) => a.Network.ID === id);
}

/**
 * Why the network cannot be removed (swarmkit removeNetwork /
 * removeIngressNetwork), or undefined: a service attached to it, or a task of
 * a service that still exists meant to run on it; for ingress, a service
 * publishing an ingress port.
 */
export function networkInUse(n: Network, services: Iterable<Service>, tasks: Iterable<Task>): SwarmError | undefined {
  if (isIngressNetwork(n)) {
    for (const s of services)
      if (needsIngress(s))
        return rpcError(
          'FailedPrecondition',
          `ingress network cannot be removed because service ${s.ID} depends on it`,
        );
    return undefined;
  }
  const serviceIDs = new Set<string>();
  for (const s of services) {
    if (serviceNetworkTargets(s).includes(n.ID))
      return rpcError('FailedPrecondition', `network ${n.ID} is in use by service ${s.ID}`);
    serviceIDs.add(s.ID);
  }
  for (const t of tasks) {
    // a deleted service's tasks are on their way out (its removal marks them REMOVE; one an
    // orchestrator pass created as the service went is marked right after): they hold nothing
    if (t.ServiceID && !serviceIDs.has(t.ServiceID)) continue;
    if (taskHolds(t, n.ID)) return rpcError('FailedPrecondition', `network ${n.ID} is in use by task ${t.ID}`);
  }
  return undefined;
}
