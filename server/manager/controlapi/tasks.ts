import { SwarmError } from '../../api/errors';
import type { Service, Task } from '../../api/types';
import { isTaskState } from '../../api/types';
import type { MemoryStore } from '../../store/memory-store';
import { isTaskDirty } from '../orchestrator/task-factory';
import type { ControlDeps } from './context';
import { checkFilterKeys, labelFilter, matchesLabels, matchesPrefix, values } from './filters';
import { resolveRef } from './lookup';
import { lookupNode } from './nodes';
import { lookupService } from './services';
import type { Filters } from './types';

/** swarmkit naming.Task: `<service>.<slot or node ID>.<task ID>`. */
export function taskName(t: Task): string {
  return `${t.ServiceAnnotations?.Name ?? ''}.${t.Slot !== 0 ? t.Slot : t.NodeID}.${t.ID}`;
}

/** Tasks always carry a ContainerSpec on the way out: the CLI dereferences it unchecked. */
export function presentTask(t: Task): Task {
  if (t.Spec?.ContainerSpec) return t;
  return { ...t, Spec: { ...t.Spec, ForceUpdate: t.Spec?.ForceUpdate ?? 0, ContainerSpec: { Image: '' } } };
}

export function lookupTask(view: MemoryStore, ref: string): Task {
  return resolveRef('task', ref, {
    byID: (id) => view.get('task', id),
    byName: (name) => view.list('task').filter((t) => taskName(t).toLowerCase() === name.toLowerCase()),
    all: () => view.list('task'),
  });
}

export function getTask(d: ControlDeps, ref: string): Task {
  return presentTask(lookupTask(d.store.view, ref));
}

/**
 * Engine API task filters. `service` and `node` are resolved server-side
 * (ID, name or prefix; an unknown one is a 404, as in moby);
 * `label` matches the service's labels; `_up-to-date` keeps tasks that are
 * not dirty against their service's current spec.
 */
export function listTasks(d: ControlDeps, filters?: Filters): Task[] {
  checkFilterKeys(filters, ['id', 'name', 'label', 'service', 'node', 'desired-state', '_up-to-date', 'runtime']);
  const view = d.store.view;
  const serviceIDs = values(filters, 'service').map((s) => lookupService(view, s).ID);
  const nodeIDs = values(filters, 'node').map((n) => lookupNode(view, n).ID);
  const desired = values(filters, 'desired-state').filter((s) => s !== '');
  for (const s of desired)
    if (!isTaskState(s.toLowerCase())) throw new SwarmError('InvalidArgument', `Invalid desired-state filter: '${s}'`);
  const desiredSet = new Set(desired.map((s) => s.toLowerCase()));
  const ids = values(filters, 'id');
  const names = values(filters, 'name');
  const labels = labelFilter(values(filters, 'label'));
  const runtimes = values(filters, 'runtime');
  const upToDate = values(filters, '_up-to-date').length > 0;

  let candidates: Task[];
  if (serviceIDs.length > 0) candidates = [...new Set(serviceIDs)].flatMap((id) => view.tasksByService(id));
  else if (nodeIDs.length > 0) candidates = [...new Set(nodeIDs)].flatMap((id) => view.tasksByNode(id));
  else candidates = view.list('task');

  const services = new Map<string, Service | undefined>();
  const serviceOf = (id: string) => {
    if (!services.has(id)) services.set(id, view.get('service', id));
    return services.get(id);
  };

  const out: Task[] = [];
  for (const t of candidates) {
    if (serviceIDs.length > 0 && !serviceIDs.includes(t.ServiceID)) continue;
    if (nodeIDs.length > 0 && !nodeIDs.includes(t.NodeID)) continue;
    if (desiredSet.size > 0 && !desiredSet.has(t.DesiredState)) continue;
    if (!matchesPrefix(t.ID, ids)) continue;
    if (names.length > 0 && !matchesPrefix(taskName(t), names)) continue;
    if (Object.keys(labels).length > 0) {
      const svcLabels = t.ServiceAnnotations?.Labels ?? serviceOf(t.ServiceID)?.Spec.Labels;
      if (!matchesLabels(svcLabels, labels)) continue;
    }
    if (runtimes.length > 0 && !runtimes.includes(t.Spec?.Runtime || 'container')) continue;
    if (upToDate) {
      const s = serviceOf(t.ServiceID);
      if (!s || isTaskDirty(s, t, view.get('node', t.NodeID))) continue;
    }
    out.push(presentTask(t));
  }
  return out;
}
