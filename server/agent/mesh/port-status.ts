// What a task reports as Status.PortStatus (docker `service ps` PORTS): its
// host-mode published ports. A port with a published number is served by the
// mesh on this node's address; one without is the host port the executor gave
// the task (Docker too picks a free host port for `mode=host` without one).
// Ingress ports are the service's (Endpoint.Ports), not the task's.
import type { PortConfig, Task } from '../../api/types';
import type { AssignedPort } from '../executor/task-ports';

export function hostPortStatus(task: Pick<Task, 'Endpoint'>, assigned: readonly AssignedPort[]): PortConfig[] {
  const configs = task.Endpoint?.Ports?.length ? task.Endpoint.Ports : (task.Endpoint?.Spec?.Ports ?? []);
  const out: PortConfig[] = [];
  for (const c of configs) {
    if (c.PublishMode !== 'host' || !c.TargetPort) continue;
    const proto = c.Protocol ?? 'tcp';
    const published =
      c.PublishedPort || assigned.find((a) => a.Protocol === proto && a.TargetPort === c.TargetPort)?.HostPort;
    if (!published) continue;
    out.push({
      ...(c.Name ? { Name: c.Name } : {}),
      Protocol: proto,
      TargetPort: c.TargetPort,
      PublishedPort: published,
      PublishMode: 'host',
    });
  }
  return out;
}
