// A task's own DNS names: its name (naming.Task) and its aliases (the daemon's
// buildEndpointDNSNames: short container ID and hostname). Service aliases are not task
// aliases in swarm mode: they go to svcCfg.Aliases, not to the endpoint's DNSNames.
import type { DnsTask } from './sources';

/**
 * swarmkit naming.Task: Annotations.Name if set, else `<service>.<slot>.<taskID>`, with the
 * node ID in place of the slot for global tasks (slot 0).
 */
export function taskName(task: DnsTask, serviceName: string): string {
  const given = task.Annotations?.Name;
  if (given) return given;
  const slot = task.Slot === 0 ? task.NodeID : String(task.Slot);
  return `${serviceName}.${slot}.${task.ID}`;
}

/**
 * The short (12 character) container ID and the hostname. A hostname that is still a Go
 * template (`{{.Node.Hostname}}`) is expanded by the agent, so it is not a name here.
 */
export function taskAliases(task: DnsTask): string[] {
  const out: string[] = [];
  const containerID = task.Status.ContainerStatus?.ContainerID;
  if (containerID) out.push(containerID.slice(0, 12));
  const hostname = task.Spec.ContainerSpec.Hostname;
  if (hostname && !hostname.includes('{{') && !out.includes(hostname)) out.push(hostname);
  return out;
}
