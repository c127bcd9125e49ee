// The resolver view kept current from store changes: each task's contribution is added and
// withdrawn with reference counts, so a task starting or stopping costs its own records,
// and a service or network change re-derives only the tasks it touches.
import {
  emptyRecords,
  taskContribution,
  type NetworkRecords,
  type ResolverView,
  type TaskContribution,
} from './resolver-records';
import type { DnsNetwork, DnsService, DnsSources, DnsTask } from './sources';

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const set = index.get(key);
  if (set?.delete(id) && set.size === 0) index.delete(key);
}

function attachedNetworks(task: DnsTask): string[] {
  return (task.NetworksAttachments ?? []).map((a) => a.Network.ID);
}

export class ResolverIndex {
  readonly view: ResolverView = { networks: new Map(), taskNetworks: new Map(), taskByAddress: new Map() };
  private readonly tasks = new Map<string, DnsTask>();
  private readonly services = new Map<string, DnsService>();
  private readonly applied = new Map<string, TaskContribution>();
  private readonly tasksOfService = new Map<string, Set<string>>();
  /** By attachment network ID, known or not, so a network that appears later picks its tasks up. */
  private readonly tasksOnNetwork = new Map<string, Set<string>>();

  static from(sources: DnsSources): ResolverIndex {
    const index = new ResolverIndex();
    for (const n of sources.networks) index.view.networks.set(n.ID, emptyRecords(n));
    for (const s of sources.services) index.services.set(s.ID, s);
    for (const t of sources.tasks) index.setTask(t);
    return index;
  }

  setNetwork(network: DnsNetwork): void {
    this.rederive(this.tasksOnNetwork.get(network.ID), () => this.view.networks.set(network.ID, emptyRecords(network)));
  }

  removeNetwork(networkID: string): void {
    this.rederive(this.tasksOnNetwork.get(networkID), () => this.view.networks.delete(networkID));
  }

  setService(service: DnsService): void {
    this.rederive(this.tasksOfService.get(service.ID), () => this.services.set(service.ID, service));
  }

  removeService(serviceID: string): void {
    this.rederive(this.tasksOfService.get(serviceID), () => this.services.delete(serviceID));
  }

  setTask(task: DnsTask): void {
    const old = this.tasks.get(task.ID);
    if (old) for (const id of attachedNetworks(old)) removeFrom(this.tasksOnNetwork, id, task.ID);
    this.tasks.set(task.ID, task);
    addTo(this.tasksOfService, task.ServiceID, task.ID);
    for (const id of attachedNetworks(task)) addTo(this.tasksOnNetwork, id, task.ID);
    this.apply(task);
  }

  removeTask(taskID: string): void {
    const task = this.tasks.get(taskID);
    if (!task) return;
    this.withdraw(taskID);
    this.tasks.delete(taskID);
    removeFrom(this.tasksOfService, task.ServiceID, taskID);
    for (const id of attachedNetworks(task)) removeFrom(this.tasksOnNetwork, id, taskID);
  }

  /**
   * Withdraws the tasks' records while the view still holds them, makes the change, then adds
   * the tasks back: withdrawing after the change would take away records others just added.
   */
  private rederive(taskIDs: Set<string> | undefined, change: () => void): void {
    const ids = [...(taskIDs ?? [])];
    for (const id of ids) this.withdraw(id);
    change();
    for (const id of ids) {
      const task = this.tasks.get(id);
      if (task) this.apply(task);
    }
  }

  /** Replaces the task's contribution with a fresh one. */
  private apply(task: DnsTask): void {
    this.withdraw(task.ID);
    const c = taskContribution(task, this.services.get(task.ServiceID), this.view.networks);
    this.applied.set(task.ID, c);
    if (c.networkIDs.length > 0 || (task.NetworksAttachments ?? []).length > 0) {
      this.view.taskNetworks.set(task.ID, c.networkIDs);
    }
    for (const ip of c.addresses) this.view.taskByAddress.set(ip, task.ID);
    for (const [netID, name, ip] of c.names) {
      const net = this.view.networks.get(netID) as NetworkRecords;
      let ips = net.names.get(name);
      if (!ips) net.names.set(name, (ips = new Map()));
      ips.set(ip, (ips.get(ip) ?? 0) + 1);
    }
    for (const [netID, ip, name] of c.ptr) {
      const net = this.view.networks.get(netID) as NetworkRecords;
      const names = net.ptr.get(ip);
      if (names) names.push(name);
      else net.ptr.set(ip, [name]);
    }
  }

  private withdraw(taskID: string): void {
    const c = this.applied.get(taskID);
    if (!c) return;
    this.applied.delete(taskID);
    this.view.taskNetworks.delete(taskID);
    for (const ip of c.addresses) {
      if (this.view.taskByAddress.get(ip) === taskID) this.view.taskByAddress.delete(ip);
    }
    for (const [netID, name, ip] of c.names) {
      const ips = this.view.networks.get(netID)?.names.get(name);
      const count = ips?.get(ip);
      if (!ips || count === undefined) continue; // the network was removed with its records
      if (count > 1) ips.set(ip, count - 1);
      else if (ips.delete(ip) && ips.size === 0) this.view.networks.get(netID)?.names.delete(name);
    }
    for (const [netID, ip, name] of c.ptr) {
      const net = this.view.networks.get(netID);
      const names = net?.ptr.get(ip);
      const at = names?.indexOf(name) ?? -1;
      if (!net || !names || at < 0) continue;
      names.splice(at, 1);
      if (names.length === 0) net.ptr.delete(ip);
    }
  }
}

/** A view built in one pass (what a runner may also rebuild on every change). */
export function buildResolverView(sources: DnsSources): ResolverView {
  return ResolverIndex.from(sources).view;
}
