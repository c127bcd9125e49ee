import type { JoinTokensBody } from '@/server/api/console';
import { NETWORK_MODE_LABEL } from '@/server/api/network-view';
import { executorOf } from '@/server/api/node-labels';
import type { ContainerStatus, Node, Service, Task } from '@/server/api/types';
import { isTerminal } from '@/server/api/types';
import { naturalCompare } from '../cluster/derive';

export type Health = NonNullable<ContainerStatus['Health']>;

/**
 * The health badge a task shows. "starting" is only meaningful while the task
 * can still become healthy; healthy/unhealthy stay on a finished task as the
 * last verdict (an unhealthy one explains the failure).
 */
export function healthOf(task: Task): Health | undefined {
  const h = task.Status.ContainerStatus?.Health;
  if (h === 'starting' && isTerminal(task.Status.State)) return undefined;
  return h;
}

/** Engine label `com.swarmdeck.executor`, set by the node itself: how it runs tasks. */
export function executorKind(node: Node): string | undefined {
  return executorOf(node.Description.Engine.Labels);
}

/** Engine label `com.swarmdeck.network.mode`, set by the node itself: how its tasks get a network identity. */
export function networkMode(node: Node): string | undefined {
  return node.Description.Engine.Labels?.[NETWORK_MODE_LABEL];
}

export function networkModeLabel(mode: string | undefined): string {
  if (mode === 'netns') return 'Own namespace per task';
  if (mode === 'host') return "Host's network";
  return mode ?? '—';
}

export function executorLabel(kind: string | undefined): string {
  if (kind === 'sim') return 'Simulated';
  if (kind === 'process') return 'Process';
  return kind ?? 'unknown';
}

/** `docker service ps` task name: `web.3`, or `web.<nodeID>` for a global service's task. */
export function taskName(task: Task, service: Service | undefined): string {
  const svc = service?.Spec.Name ?? task.ServiceID.slice(0, 12);
  return `${svc}.${task.Slot !== 0 ? task.Slot : task.NodeID}`;
}

export interface NodeTaskRow {
  task: Task;
  name: string;
}

/**
 * A node's tasks for its detail view: the ones that still run or may run
 * (not terminal) by name, then the finished ones newest first.
 */
export function nodeTasks(
  tasks: Iterable<Task>,
  services: ReadonlyMap<string, Service>,
  nodeID: string,
): { active: NodeTaskRow[]; finished: NodeTaskRow[] } {
  const active: NodeTaskRow[] = [];
  const finished: NodeTaskRow[] = [];
  for (const t of tasks) {
    if (t.NodeID !== nodeID) continue;
    const row = { task: t, name: taskName(t, services.get(t.ServiceID)) };
    (isTerminal(t.Status.State) ? finished : active).push(row);
  }
  active.sort((a, b) => naturalCompare(a.name, b.name) || a.task.ID.localeCompare(b.task.ID));
  finished.sort(
    (a, b) => b.task.Status.Timestamp.localeCompare(a.task.Status.Timestamp) || a.task.ID.localeCompare(b.task.ID),
  );
  return { active, finished };
}

/** Node labels in key order, for stable chips. */
export function sortedLabels(labels: Record<string, string> | undefined): [string, string][] {
  return Object.entries(labels ?? {}).sort(([a], [b]) => naturalCompare(a, b));
}

export const labelText = (key: string, value: string): string => (value ? `${key}=${value}` : key);

export interface JoinCommands {
  /**
   * `SWARMDECK_AGENT_TOKEN=TOKEN swarmdeck agent --join ADDR` (worker) or `SWARMDECK_TOKEN=… swarmdeck
   * --join ADDR` (manager): the token in the environment, so `ps` never shows it.
   */
  swarmdeck: string;
  /** `docker swarm join --token TOKEN ADDR`, against a Swarmdeck engine */
  docker: string;
}

/** The join commands for a role, with whatever token text is given (real or masked). */
export function joinCommands(role: 'worker' | 'manager', addr: string, token: string): JoinCommands {
  return {
    swarmdeck:
      role === 'worker'
        ? `SWARMDECK_AGENT_TOKEN=${token} swarmdeck agent --join ${addr}`
        : `SWARMDECK_TOKEN=${token} swarmdeck --join ${addr}`,
    docker: `docker swarm join --token ${token} ${addr}`,
  };
}

export function tokenFor(body: JoinTokensBody, role: 'worker' | 'manager'): string {
  return role === 'worker' ? body.JoinTokens.Worker : body.JoinTokens.Manager;
}

/**
 * A token with everything after `SWMTKN-1-` hidden, same length, so revealing
 * it does not reflow the command.
 */
export function maskToken(token: string): string {
  const prefix = 'SWMTKN-1-';
  const keep = token.startsWith(prefix) ? prefix.length : 0;
  return token.slice(0, keep) + '•'.repeat(Math.max(0, token.length - keep));
}

/**
 * An action's error as the user should read it: the server's text verbatim,
 * plus what to do when a version race could not be settled by retrying.
 */
export function actionErrorText(message: string): string {
  if (/update out of sequence/.test(message))
    return `${message}: the node kept changing while this was saved. Check its current state and try again.`;
  return message;
}
