import { deepEqual } from '../../util/deep-equal';
import type { EndpointSpec, Node, Service, Task, TaskSpec, TaskState } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';
import { newID } from '../../api/ids';
import { matchesConstraints, tryParseConstraints } from '../scheduler/constraint';

/**
 * swarmkit's Task carries `Endpoint`, a copy of the service's endpoint spec at
 * creation, which the dirtiness test compares. Our Task type does not declare
 * it yet, so it is read and written through this widened view.
 */
export type TaskWithEndpoint = Task & { Endpoint?: { Spec?: EndpointSpec } };

export const sv = (s: TaskState): number => TASK_STATE_VALUE[s];

/** Where a task lives: a slot number (replicated) or a node (global, slot 0). */
export type TaskPlace = { slot: number } | { nodeID: string };

/** The place of an existing task, so a replacement goes to the same slot or node. */
export function placeOf(t: Pick<Task, 'Slot' | 'NodeID'>): TaskPlace {
  return t.Slot !== 0 ? { slot: t.Slot } : { nodeID: t.NodeID };
}

/** A fresh task for a service (swarmkit `orchestrator.NewTask`). */
export function newTask(service: Service, place: TaskPlace, desired: TaskState, now: string): Task {
  const t: TaskWithEndpoint = {
    ID: newID(),
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Labels: {},
    Spec: service.Spec.TaskTemplate,
    SpecVersion: service.SpecVersion,
    ServiceID: service.ID,
    Slot: 'slot' in place ? place.slot : 0,
    NodeID: 'nodeID' in place ? place.nodeID : '',
    Status: { Timestamp: now, State: 'new', Message: 'created' },
    DesiredState: desired,
    ServiceAnnotations: { Name: service.Spec.Name, Labels: service.Spec.Labels ?? {} },
    Endpoint: { Spec: service.Spec.EndpointSpec ?? {} },
  };
  return t;
}

/** Placement constraints against a node; an unparsable list matches every node, as in swarmkit. */
export function nodeMatchesConstraints(list: readonly string[] | undefined, node: Node): boolean {
  if (!list?.length) return true;
  const parsed = tryParseConstraints(list);
  return parsed ? matchesConstraints(parsed, node) : true;
}

/** Desired ≤ RUNNING: the task is meant to run (or to be staged). */
export function isRunnable(t: Task): boolean {
  return sv(t.DesiredState) <= sv('running');
}

/** The trustworthy time of a task's last status: AppliedAt (manager clock), else the agent's Timestamp. */
export function taskTimeMs(t: Task): number {
  const ms = Date.parse(t.Status.AppliedAt ?? t.Status.Timestamp);
  return Number.isNaN(ms) ? 0 : ms;
}

/** swarmkit `InvalidNode`: missing, DOWN or DRAIN. UNKNOWN/DISCONNECTED are not invalid. */
export function invalidNode(node: Node | undefined): boolean {
  return !node || node.Status.State === 'down' || node.Spec.Availability === 'drain';
}

export function isReplicated(s: Service | undefined): s is Service {
  return !!s?.Spec.Mode.Replicated;
}
export function isGlobal(s: Service | undefined): s is Service {
  return !!s?.Spec.Mode.Global;
}

export { deepEqual };

/**
 * swarmkit `IsTaskDirty` (§5.2): a task is out of date when its TaskSpec or
 * EndpointSpec differs from the service's by content. Equal SpecVersions are a
 * shortcut only; a task matching a restored (rolled-back) spec is clean.
 */
export function isTaskDirty(service: Service, task: Task, node?: Node): boolean {
  if (task.SpecVersion && task.SpecVersion.Index === service.SpecVersion.Index) return false;
  let want: TaskSpec = service.Spec.TaskTemplate;
  // Registry auth changes do not roll a task that already pulled its image.
  const obs = sv(task.Status.State);
  if (isRunnable(task) && obs >= sv('ready') && obs <= sv('running')) {
    want = { ...want, ContainerSpec: { ...want.ContainerSpec, PullOptions: task.Spec.ContainerSpec?.PullOptions } };
  }
  const ep = (task as TaskWithEndpoint).Endpoint;
  const endpointDirty = !!ep && !deepEqual(service.Spec.EndpointSpec ?? {}, ep.Spec ?? {});
  if (endpointDirty) return true;
  if (deepEqual(want, task.Spec)) return false;
  // A placement-only change keeps tasks whose node still satisfies the constraints.
  if (deepEqual({ ...want, Placement: undefined }, { ...task.Spec, Placement: undefined })) {
    return !(node && nodeMatchesConstraints(want.Placement?.Constraints, node));
  }
  return true;
}
