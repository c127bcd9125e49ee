// Which networks a service, a task and a node are attached to (swarmkit
// networkallocator.IsIngressNetworkNeeded, serviceNetworks,
// taskCreateNetworkAttachments and getNodeNetworks), as pure questions.

import type { NetworkAttachmentConfig, Service, Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';

/** A service is on ingress iff it publishes at least one ingress-mode port (the default mode). */
export function isIngressNetworkNeeded(s: Service | undefined): boolean {
  return (s?.Spec.EndpointSpec?.Ports ?? []).some((p) => (p.PublishMode ?? 'ingress') === 'ingress');
}

/** VIP-less when the endpoint mode is dnsrr. */
export function isDnsrr(s: Service): boolean {
  return s.Spec.EndpointSpec?.Mode === 'dnsrr';
}

function dedupe(list: NetworkAttachmentConfig[]): NetworkAttachmentConfig[] {
  const seen = new Set<string>();
  return list.filter((n) => !seen.has(n.Target) && !!seen.add(n.Target));
}

/** TaskTemplate.Networks, falling back to the deprecated Spec.Networks. */
export function serviceNetworks(s: Service): NetworkAttachmentConfig[] {
  const tt = s.Spec.TaskTemplate.Networks ?? [];
  return dedupe(tt.length === 0 && (s.Spec.Networks ?? []).length > 0 ? (s.Spec.Networks ?? []) : tt);
}

/** The task's own spec networks, falling back to its service's deprecated Spec.Networks. */
export function taskNetworks(t: Task, s: Service | undefined): NetworkAttachmentConfig[] {
  const own = t.Spec.Networks ?? [];
  return dedupe(own.length === 0 && s ? (s.Spec.Networks ?? []) : own);
}

/** swarmkit taskDead: told to stop and stopped; its addresses go back to the pool. */
export function taskDead(t: Task): boolean {
  return (
    TASK_STATE_VALUE[t.DesiredState] > TASK_STATE_VALUE.running &&
    TASK_STATE_VALUE[t.Status.State] > TASK_STATE_VALUE.running
  );
}

/**
 * The networks a node gets a load-balancer address on: ingress always, plus every network a
 * non-dead task on that node is attached to (getNodeNetworks).
 */
export function nodeNetworkIDs(nodeID: string, tasks: Task[], ingressID: string | undefined): string[] {
  const out = new Set<string>();
  if (ingressID) out.add(ingressID);
  for (const t of tasks) {
    if (t.NodeID !== nodeID || taskDead(t)) continue;
    for (const a of t.NetworksAttachments ?? []) out.add(a.Network.ID);
  }
  return [...out];
}
