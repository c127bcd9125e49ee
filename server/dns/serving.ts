// Which tasks the DNS names (and the mesh) point at. Docker registers a task's names
// when its service binding is activated: at start without a health check, at the first
// `healthy` with one (daemon/cluster/executor/container/controller.go), and removes them
// at shutdown. The zero-drop rule tightens the exit: a task leaves as soon as it
// turns unhealthy or is told to stop, before it is sent SIGTERM.
import { stateValue } from '../api/types';
import type { DnsTask } from './sources';

/** The fields that decide it (a DnsTask, or a NetworkView's task for the mesh). */
export type ServingTask = Pick<DnsTask, 'Status' | 'DesiredState'> & {
  Spec: { ContainerSpec: Pick<DnsTask['Spec']['ContainerSpec'], 'Healthcheck'> };
};

/** A health check runs when the spec has a test other than NONE, or the agent reports a verdict. */
export function hasHealthCheck(task: ServingTask): boolean {
  const test = task.Spec.ContainerSpec.Healthcheck?.Test;
  const specified = !!test && test.length > 0 && test[0] !== 'NONE';
  return specified || task.Status.ContainerStatus?.Health !== undefined;
}

/** Told to stop: desired SHUTDOWN or later (a job's desired COMPLETE still serves while it runs). */
export function isStopping(task: Pick<ServingTask, 'DesiredState'>): boolean {
  return stateValue(task.DesiredState) >= stateValue('shutdown');
}

/**
 * A task serves when it is RUNNING, not told to stop, and healthy if it has a check
 * (`starting` and `unhealthy` do not serve).
 */
export function servesTraffic(task: ServingTask): boolean {
  if (task.Status.State !== 'running' || isStopping(task)) return false;
  return !hasHealthCheck(task) || task.Status.ContainerStatus?.Health === 'healthy';
}
