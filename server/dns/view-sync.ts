// Keeps a ResolverIndex in step with the NetworkView the manager pushes: each push is the
// whole view, so it is diffed against the last one by ID and by a fingerprint of the fields
// the answers read (status, health, desired state, addresses, names), and only what changed
// is patched. A task starting or stopping costs its own records, not a rebuild.
import type { NetworkView } from '../api/network-view';
import type { ResolverIndex } from './resolver-index';
import type { DnsNetwork, DnsService, DnsSources, DnsTask } from './sources';

export interface SyncChanges {
  /** Objects added or changed. */
  set: number;
  removed: number;
}

function networkPrint(n: DnsNetwork): string {
  return JSON.stringify([n.Spec.Name, !!n.Spec.Ingress]);
}

function servicePrint(s: DnsService): string {
  return JSON.stringify([s.Spec.Name, s.Spec.EndpointSpec?.Mode, s.Endpoint.Spec.Mode, s.Endpoint.VirtualIPs]);
}

function taskPrint(t: DnsTask): string {
  const c = t.Spec.ContainerSpec;
  return JSON.stringify([
    t.ServiceID,
    t.Slot,
    t.NodeID,
    t.DesiredState,
    t.Status.State,
    t.Status.ContainerStatus?.Health,
    t.Status.ContainerStatus?.ContainerID,
    t.Annotations?.Name,
    c.Hostname,
    c.Healthcheck?.Test,
    c.DNSConfig?.Options,
    t.Spec.Networks,
    (t.NetworksAttachments ?? []).map((a) => [a.Network.ID, a.Addresses, a.Aliases]),
  ]);
}

/** Sets what is new or changed, then removes what is gone; returns how many of each. */
function patch<T extends { ID: string }>(
  seen: Map<string, string>,
  items: readonly T[],
  print: (item: T) => string,
  set: (item: T) => void,
  remove: (id: string) => void,
): SyncChanges {
  const changes: SyncChanges = { set: 0, removed: 0 };
  const present = new Set<string>();
  for (const item of items) {
    present.add(item.ID);
    const fp = print(item);
    if (seen.get(item.ID) === fp) continue;
    seen.set(item.ID, fp);
    set(item);
    changes.set++;
  }
  for (const id of seen.keys()) {
    if (present.has(id)) continue;
    seen.delete(id);
    remove(id);
    changes.removed++;
  }
  return changes;
}

export class ResolverSync {
  private revision = -Infinity;
  private readonly networks = new Map<string, string>();
  private readonly services = new Map<string, string>();
  private readonly tasks = new Map<string, string>();
  private readonly taskObjects = new Map<string, DnsTask>();

  constructor(private readonly index: ResolverIndex) {}

  /** The view as pushed: one older than the last applied is ignored (undefined). */
  applyView(view: NetworkView): SyncChanges | undefined {
    if (view.Revision < this.revision) return undefined;
    this.revision = view.Revision;
    return this.apply({ networks: view.Networks, services: view.Services, tasks: view.Tasks });
  }

  /**
   * Patches the index to `sources`. Networks and services first, so a new task finds them;
   * a removed network or service takes its tasks' records along before they go themselves.
   */
  apply(sources: DnsSources): SyncChanges {
    const ix = this.index;
    const changes = [
      patch(
        this.networks,
        sources.networks,
        networkPrint,
        (n) => ix.setNetwork(n),
        (id) => ix.removeNetwork(id),
      ),
      patch(
        this.services,
        sources.services,
        servicePrint,
        (s) => ix.setService(s),
        (id) => ix.removeService(id),
      ),
      patch(
        this.tasks,
        sources.tasks,
        taskPrint,
        (t) => {
          this.taskObjects.set(t.ID, t);
          ix.setTask(t);
        },
        (id) => {
          this.taskObjects.delete(id);
          ix.removeTask(id);
        },
      ),
    ];
    return changes.reduce((a, c) => ({ set: a.set + c.set, removed: a.removed + c.removed }));
  }

  /** The task as last applied (its DNS options decide `ndots`). */
  task(taskID: string): DnsTask | undefined {
    return this.taskObjects.get(taskID);
  }
}
