// What the overview's headline and node grid show: pure functions of the
// tables, so the counts and the order are unit-tested without a browser.

import type { ReplicaCounts } from '@/server/api/replica-counts';
import type { Node, Service, Task } from '@/server/api/types';
import { naturalCompare, nodeName, replicaCounts } from '../cluster/derive';
import { isJobService } from '../jobs/job-progress-model';

export interface Degraded {
  id: string;
  name: string;
  running: number;
  desired: number;
}

export interface TasksHeadline {
  /** Running tasks, at most each service's desired count (an update's extra task is no credit). */
  running: number;
  /** Sum of every long-running service's desired replicas (global: one per eligible node). */
  desired: number;
  /** Services below their desired count, fewest running (relative to desired) first. */
  degraded: Degraded[];
}

/**
 * "Tasks running" as `docker service ls` would add it up: per service, against its desired replicas,
 * not against the tasks that happen to exist (a task the scheduler could not place does not exist yet,
 * so counting tasks read 28/28 while a service sat at 1/2). Jobs run to completion and are left out.
 */
export function tasksHeadline(
  services: Iterable<Service>,
  /** Each service's tasks (a page that holds them), or its counts (the gateway's, for one that does not). */
  tasks: ReadonlyMap<string, readonly Task[]> | ((s: Service) => ReplicaCounts),
): TasksHeadline {
  const countsOf = typeof tasks === 'function' ? tasks : (s: Service) => replicaCounts(s, tasks.get(s.ID) ?? []);
  let running = 0;
  let desired = 0;
  const degraded: Degraded[] = [];
  for (const s of services) {
    if (isJobService(s)) continue;
    const c = countsOf(s);
    running += Math.min(c.running, c.desired);
    desired += c.desired;
    if (c.running < c.desired) degraded.push({ id: s.ID, name: s.Spec.Name, running: c.running, desired: c.desired });
  }
  degraded.sort((a, b) => a.running / a.desired - b.running / b.desired || naturalCompare(a.name, b.name));
  return { running, desired, degraded };
}

const rank = (n: Node): number => (n.ManagerStatus?.Leader ? 0 : n.Spec.Role === 'manager' ? 1 : 2);

/** The leader first, then the other managers, then workers; by name within each. */
export function orderNodes(nodes: Iterable<Node>): Node[] {
  return [...nodes].sort((a, b) => rank(a) - rank(b) || naturalCompare(nodeName(a), nodeName(b)));
}

/** The node the console must not offer to remove: the raft leader (it would remove itself). */
export const isLeader = (n: Node): boolean => n.ManagerStatus?.Leader === true;

const IN_PROGRESS = new Set(['updating', 'paused', 'rollback_started', 'rollback_paused']);

/** Services with a rollout under way or stopped half-way (paused needs a person), by name. */
export function servicesUpdating(services: Iterable<Service>): Service[] {
  return [...services]
    .filter((s) => s.UpdateStatus !== undefined && IN_PROGRESS.has(s.UpdateStatus.State))
    .sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name));
}
