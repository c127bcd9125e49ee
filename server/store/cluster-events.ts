// The Docker events one applied batch makes: dockerd's generateClusterEvent
// (moby daemon/events.go) run on the store's own changes, so every manager
// derives the same events from the same entry. Pure and total: an object that
// does not have what an attribute needs just leaves the attribute out.

import type { ClusterEvent, ClusterEventAction, ClusterEventType } from '../api/events';
import type { Kind, Labels, Node, ObjectByKind, Service, Task } from '../api/types';
import type { Change } from './batch';

const ACTION: Record<Change['action'], ClusterEventAction> = { create: 'create', update: 'update', delete: 'remove' };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `k.old`/`k.new` when the value changed (dockerd writes both, lower-cased). */
function changed(attrs: Record<string, string>, key: string, oldV: unknown, newV: unknown): void {
  if (oldV === newV) return;
  attrs[`${key}.old`] = String(oldV ?? '').toLowerCase();
  attrs[`${key}.new`] = String(newV ?? '').toLowerCase();
}

/**
 * Label characters one event carries at most. Labels may be large (a node's
 * can hold 1.5 MB), and the log keeps a thousand events: a label that would
 * pass this budget stays out of the event (in key order, so every manager
 * leaves out the same ones).
 */
export const EVENT_LABEL_CHARS = 4096;

/**
 * The actor's labels first, then the attributes dockerd sets (a label cannot
 * hide them): dockerd merges a container's labels the same way, which is what
 * a `label=` filter matches.
 */
function withLabels(labels: Labels | undefined, attrs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (labels && typeof labels === 'object') {
    let budget = EVENT_LABEL_CHARS;
    for (const k of Object.keys(labels).sort()) {
      const v = labels[k];
      if (typeof v !== 'string' || k.length + v.length > budget) continue;
      budget -= k.length + v.length;
      out[k] = v;
    }
  }
  return Object.assign(out, attrs);
}

function serviceAttrs(s: Service, old: Service | undefined): Record<string, string> {
  const attrs: Record<string, string> = { name: s.Spec.Name };
  if (old) {
    const img = str(s.Spec.TaskTemplate.ContainerSpec?.Image);
    const oldImg = str(old.Spec.TaskTemplate.ContainerSpec?.Image);
    if (img !== oldImg) {
      attrs['image.old'] = oldImg ?? '';
      attrs['image.new'] = img ?? '';
    }
    const r = s.Spec.Mode.Replicated;
    const oldR = old.Spec.Mode.Replicated;
    if (r && oldR && (r.Replicas ?? 1) !== (oldR.Replicas ?? 1)) {
      attrs['replicas.old'] = String(oldR.Replicas ?? 1);
      attrs['replicas.new'] = String(r.Replicas ?? 1);
    }
    const st = s.UpdateStatus?.State;
    const oldSt = old.UpdateStatus?.State;
    if (st !== undefined) {
      if (oldSt === undefined) attrs['updatestate.new'] = st;
      else if (st !== oldSt) changed(attrs, 'updatestate', oldSt, st);
    }
  }
  return withLabels(s.Spec.Labels, attrs);
}

function nodeAttrs(n: Node, old: Node | undefined): Record<string, string> {
  const attrs: Record<string, string> = { name: str(n.Spec.Name) || str(n.Description.Hostname) || '' };
  if (old) {
    changed(attrs, 'availability', old.Spec.Availability, n.Spec.Availability);
    changed(attrs, 'role', old.Role, n.Role);
    changed(attrs, 'state', old.Status.State, n.Status.State);
    const ms = n.ManagerStatus;
    const oldMs = old.ManagerStatus;
    if (ms && oldMs) {
      if (!!ms.Leader !== !!oldMs.Leader) changed(attrs, 'leader', String(!!oldMs.Leader), String(!!ms.Leader));
      changed(attrs, 'reachability', oldMs.Reachability, ms.Reachability);
    }
  }
  return withLabels(n.Spec.Labels, attrs);
}

/**
 * dockerd has no task events; we keep them (the console's timelines show a
 * service's tasks) named as swarm names a task's container, with the labels
 * swarm puts on it, so `label=com.docker.swarm.service.name=web` finds them.
 * Only a move of the task's state or desired state is an update.
 */
function taskAttrs(t: Task, old: Task | undefined): Record<string, string> | undefined {
  if (old && old.Status.State === t.Status.State && old.DesiredState === t.DesiredState) return undefined;
  const service = str(t.ServiceAnnotations?.Name) ?? '';
  const attrs: Record<string, string> = {
    name: `${service}.${t.Slot !== 0 ? t.Slot : t.NodeID}.${t.ID}`,
    'com.docker.swarm.service.id': t.ServiceID,
    'com.docker.swarm.service.name': service,
    'com.docker.swarm.task.id': t.ID,
    'com.docker.swarm.node.id': t.NodeID,
    state: t.Status.State,
    desiredstate: t.DesiredState,
  };
  if (old) {
    changed(attrs, 'state', old.Status.State, t.Status.State);
    changed(attrs, 'desiredstate', old.DesiredState, t.DesiredState);
  }
  const err = str(t.Status.Err);
  if (err) attrs.error = err.slice(0, 512);
  return attrs;
}

function attributes(change: Change, before: ObjectByKind[Kind] | undefined): Record<string, string> | undefined {
  const o = change.object as ObjectByKind[Kind];
  const old = change.action === 'update' ? before : undefined;
  switch (change.kind) {
    case 'service':
      return serviceAttrs(o as Service, old as Service | undefined);
    case 'node':
      return nodeAttrs(o as Node, old as Node | undefined);
    case 'task':
      return taskAttrs(o as Task, old as Task | undefined);
    case 'network':
    case 'secret':
    case 'config': {
      // the name and labels only: a secret's or config's data never goes into an event
      const spec = (o as ObjectByKind['secret']).Spec;
      return withLabels(spec.Labels, { name: spec.Name });
    }
    case 'cluster':
      return withLabels((o as ObjectByKind['cluster']).Spec.Labels, {
        name: str((o as ObjectByKind['cluster']).Spec.Name) ?? '',
      });
    default:
      return undefined; // serviceVersion: bookkeeping, no event
  }
}

/**
 * The events of one applied batch, in change order, stamped with the entry's
 * time (ms since the epoch). `olds[i]`: what the i-th change, an update, replaced.
 */
export function clusterEvents(
  changes: readonly Change[],
  olds: readonly (ObjectByKind[Kind] | undefined)[],
  timeMs: number,
): ClusterEvent[] {
  const ms = Math.max(0, Math.floor(timeMs));
  const out: ClusterEvent[] = [];
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    const attrs = attributes(c, olds[i]);
    if (!attrs) continue;
    out.push({
      Type: c.kind as ClusterEventType,
      Action: ACTION[c.action],
      Actor: { ID: c.object.ID, Attributes: attrs },
      scope: 'swarm',
      time: Math.floor(ms / 1000),
      timeNano: ms * 1_000_000,
    });
  }
  return out;
}
