import type { Account, Config, Kind, Network, ObjectByKind, Secret, Service, Task, TaskState } from '../api/types';
import { KINDS } from '../api/types';
import { SequenceConflict, SwarmError, rpcError } from '../api/errors';
import { networkInUse, serviceNetworkTargets } from '../api/network-refs';
import { payloadInUse, referencedIDs, references, type PayloadKind } from '../api/payload-refs';
import type { AppliedEvent, Batch, Change } from './batch';
import { batchShapeError, isPlainObject, objectShapeError } from './shape';
import { clusterEvents } from './cluster-events';
import { EventLog, type EventLogImage } from './event-log';
import { AuditLog, type AuditLogImage } from './audit-log';
import { auditRecords, type AuditRecord } from './audit-record';
import { runAsNobody } from './audit-context';

type Tables = { [K in Kind]: Map<string, ObjectByKind[K]> };

/** What applying one committed batch did. */
export interface ApplyResult {
  event: AppliedEvent;
  /** The batch no longer validates (a stale version or a name taken meanwhile): skipped as a whole. */
  error?: SwarmError;
  /** The batch could not be applied at all (malformed, or applying it threw): skipped, and why. */
  failed?: string;
}

export function errorText(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  } catch {
    return 'unprintable error';
  }
}

export interface StoreImage {
  index: number;
  objects: { [K in Kind]: ObjectByKind[K][] };
  /** The event log, in a snapshot (`image()` leaves it out: readers of the tables do not want it). */
  events?: EventLogImage;
  /** The audit log, in a snapshot (left out of `image()` like the events). */
  audit?: AuditLogImage;
}

/** Global tasks (slot 0) are keyed by node: swarmkit's SlotTuple. */
export function slotKey(t: Pick<Task, 'ServiceID' | 'Slot' | 'NodeID'>): string {
  return t.Slot !== 0 ? `${t.ServiceID}/${t.Slot}` : `${t.ServiceID}/@${t.NodeID}`;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let s = index.get(key);
  if (!s) index.set(key, (s = new Set()));
  s.add(id);
}
function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const s = index.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) index.delete(key);
}

/**
 * The in-memory tables. Objects are treated as immutable: writers replace
 * them, so a reader may hold a reference across awaits safely. Only `apply`
 * mutates, and only with committed batches.
 */
export class MemoryStore {
  private tables: Tables = emptyTables();
  private byService = new Map<string, Set<string>>();
  private byNode = new Map<string, Set<string>>();
  private bySlot = new Map<string, Set<string>>();
  private byDesired = new Map<string, Set<string>>();
  /** Tasks by observed state (Status.State): the scheduler's accounting reads the few live ones, not the history. */
  private byState = new Map<string, Set<string>>();
  private serviceNames = new Map<string, string>();
  /** Network names, lower-cased as swarmkit's name index keeps them: unique like service names. */
  private networkNames = new Map<string, string>();
  /** Secret and config names, lower-cased: swarmkit's name index makes them unique case-insensitively. */
  private payloadNames: Record<PayloadKind, Map<string, string>> = { secret: new Map(), config: new Map() };
  /** Console account names, lower-cased: unique in any case. */
  private accountNames = new Map<string, string>();
  private listeners = new Set<(e: AppliedEvent) => void>();
  private _index = 0;
  /** The Docker events of the applied entries, newest kept: written by `apply` with the tables. */
  readonly events = new EventLog();
  /** Who changed what (issue #12 §2): a record per applied batch and per note, written by `apply` with the tables. */
  readonly audit = new AuditLog();

  /** Log index of the last applied entry. */
  get index(): number {
    return this._index;
  }

  get<K extends Kind>(kind: K, id: string): ObjectByKind[K] | undefined {
    return this.tables[kind].get(id) as ObjectByKind[K] | undefined;
  }

  list<K extends Kind>(kind: K): ObjectByKind[K][] {
    return [...(this.tables[kind].values() as Iterable<ObjectByKind[K]>)];
  }

  count(kind: Kind): number {
    return this.tables[kind].size;
  }

  serviceByName(name: string): Service | undefined {
    const id = this.serviceNames.get(name.toLowerCase());
    return id ? this.tables.service.get(id) : undefined;
  }

  networkByName(name: string): Network | undefined {
    const id = this.networkNames.get(name.toLowerCase());
    return id ? this.tables.network.get(id) : undefined;
  }

  /** The secret or config of that name, case-insensitively (swarmkit's ByName). */
  payloadByName<K extends PayloadKind>(kind: K, name: string): ObjectByKind[K] | undefined {
    const id = this.payloadNames[kind].get(name.toLowerCase());
    return id ? this.tables[kind].get(id) : undefined;
  }

  /** The console account of that name, in any case. */
  accountByName(name: string): Account | undefined {
    const id = this.accountNames.get(name.toLowerCase());
    return id ? this.tables.account.get(id) : undefined;
  }

  tasksByService(serviceID: string): Task[] {
    return this.tasksIn(this.byService.get(serviceID));
  }
  tasksByNode(nodeID: string): Task[] {
    return this.tasksIn(this.byNode.get(nodeID));
  }
  tasksBySlot(key: string): Task[] {
    return this.tasksIn(this.bySlot.get(key));
  }
  tasksByDesiredState(state: TaskState): Task[] {
    return this.tasksIn(this.byDesired.get(state));
  }
  /** The tasks observed in `state` (Status.State). */
  tasksByState(state: TaskState): Task[] {
    return this.tasksIn(this.byState.get(state));
  }
  private tasksIn(ids: Set<string> | undefined): Task[] {
    if (!ids) return [];
    const out: Task[] = [];
    for (const id of ids) {
      const t = this.tables.task.get(id);
      if (t) out.push(t);
    }
    return out;
  }

  watch(listener: (e: AppliedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Check a batch against the current tables without changing them. */
  validate(batch: Batch): SwarmError | undefined {
    const seen = new Map<string, number>(); // kind/id → version within this batch
    const names = new Map<string, string | null>();
    const netNames = new Map<string, string | null>();
    const payloadNames: Record<PayloadKind, Map<string, string | null>> = { secret: new Map(), config: new Map() };
    const accountNames = new Map<string, string | null>();
    for (const op of batch.ops) {
      const id = op.op === 'delete' ? op.id : op.object.ID;
      const k = `${op.kind}/${id}`;
      const cur = seen.has(k) ? seen.get(k) : this.tables[op.kind].get(id)?.Version.Index;
      if ((op.kind === 'secret' || op.kind === 'config') && op.op !== 'delete') {
        const taken = this.payloadNameTaken(op.kind, op.object as Secret | Config, payloadNames[op.kind]);
        if (taken) return taken;
      }
      if (op.kind === 'account' && op.op !== 'delete') {
        const a = op.object as Account;
        const name = a.Name.toLowerCase();
        const owner = accountNames.has(name) ? accountNames.get(name) : this.accountNames.get(name);
        if (owner && owner !== a.ID) return rpcError('AlreadyExists', `account ${a.Name} already exists`);
        accountNames.set(name, a.ID);
      }
      if (op.op === 'create') {
        if (cur !== undefined && cur !== -1) return rpcError('AlreadyExists', `${op.kind} ${id} already exists`);
        if (op.kind === 'service') {
          const name = (op.object as Service).Spec.Name.toLowerCase();
          const owner = names.has(name) ? names.get(name) : this.serviceNames.get(name);
          if (owner && owner !== id)
            return rpcError(
              'AlreadyExists',
              `name conflicts with an existing object: service ${(op.object as Service).Spec.Name} already exists`,
            );
          names.set(name, id);
        } else if (op.kind === 'network') {
          const name = (op.object as Network).Spec.Name.toLowerCase();
          const owner = netNames.has(name) ? netNames.get(name) : this.networkNames.get(name);
          if (owner && owner !== id)
            return rpcError(
              'AlreadyExists',
              `name conflicts with an existing object: network ${(op.object as Network).Spec.Name} already exists`,
            );
          netNames.set(name, id);
        }
        seen.set(k, 0);
      } else if (op.op === 'update') {
        if (cur === undefined || cur === -1) return new SwarmError('NotFound', `${op.kind} ${id} not found`);
        if (cur !== op.expect && cur !== 0) return new SequenceConflict();
        seen.set(k, 0);
      } else {
        if (cur === undefined || cur === -1) return new SwarmError('NotFound', `${op.kind} ${id} not found`);
        if (cur !== op.expect && cur !== 0) return new SequenceConflict();
        if (op.kind === 'service') names.set((this.tables.service.get(id)?.Spec.Name ?? '').toLowerCase(), null);
        if (op.kind === 'network') netNames.set((this.tables.network.get(id)?.Spec.Name ?? '').toLowerCase(), null);
        if (op.kind === 'secret' || op.kind === 'config')
          payloadNames[op.kind].set((this.tables[op.kind].get(id)?.Spec.Name ?? '').toLowerCase(), null);
        if (op.kind === 'account') accountNames.set((this.tables.account.get(id)?.Name ?? '').toLowerCase(), null);
        seen.set(k, -1);
      }
    }
    return this.networkRefsError(batch) ?? this.payloadRefsError(batch) ?? this.lastAdminError(batch);
  }

  /**
   * Two admins demoting each other at once would each pass the door's check
   * on the state it read: here, on the state after the batch, the console
   * never loses its last admin.
   */
  private lastAdminError(batch: Batch): SwarmError | undefined {
    if (!batch.ops.some((op) => op.kind === 'account' && op.op !== 'create')) return undefined;
    const accounts = new Map(this.tables.account);
    const hadAdmin = [...accounts.values()].some((a) => a.Role === 'admin');
    for (const op of batch.ops) {
      if (op.kind !== 'account') continue;
      if (op.op === 'delete') accounts.delete(op.id);
      else accounts.set(op.object.ID, op.object as Account);
    }
    if (hadAdmin && ![...accounts.values()].some((a) => a.Role === 'admin'))
      return rpcError('FailedPrecondition', 'the last admin account cannot be removed or demoted');
    return undefined;
  }

  /** swarmkit's `secret x already exists` when another secret (config) has the name in any case. */
  private payloadNameTaken(
    kind: PayloadKind,
    o: Secret | Config,
    inBatch: Map<string, string | null>,
  ): SwarmError | undefined {
    const name = o.Spec.Name.toLowerCase();
    const owner = inBatch.has(name) ? inBatch.get(name) : this.payloadNames[kind].get(name);
    if (owner && owner !== o.ID) return rpcError('AlreadyExists', `${kind} ${o.Spec.Name} already exists`);
    inBatch.set(name, o.ID);
    return undefined;
  }

  /**
   * A secret or config removed while a service (after the batch) references
   * it, or a service written with a new reference to one that is gone: as
   * for networks, the control API checked the state its writer read, and a
   * removal and a service write proposed side by side would both pass.
   */
  private payloadRefsError(batch: Batch): SwarmError | undefined {
    const removed: { kind: PayloadKind; obj: Secret | Config }[] = [];
    const written: Service[] = [];
    for (const op of batch.ops) {
      if ((op.kind === 'secret' || op.kind === 'config') && op.op === 'delete') {
        const o = this.tables[op.kind].get(op.id);
        if (o) removed.push({ kind: op.kind, obj: o });
      } else if (op.kind === 'service' && op.op !== 'delete') written.push(op.object as Service);
    }
    const refers = (s: Service) => referencedIDs('secret', s).length > 0 || referencedIDs('config', s).length > 0;
    if (removed.length === 0 && !written.some(refers)) return undefined;
    const exists = (kind: PayloadKind, id: string): boolean => {
      let found = this.tables[kind].has(id);
      for (const op of batch.ops) {
        if (op.kind !== kind) continue;
        if (op.op === 'delete' && op.id === id) found = false;
        else if (op.op !== 'delete' && op.object.ID === id) found = true;
      }
      return found;
    };
    for (const s of written) {
      const old = this.tables.service.get(s.ID);
      for (const kind of ['secret', 'config'] as const) {
        const had = new Set(old ? referencedIDs(kind, old) : []);
        const gone = references(kind, s).find((r) => !had.has(r.id) && !exists(kind, r.id));
        if (gone !== undefined) return rpcError('InvalidArgument', `${kind} not found: ${gone.name}`);
      }
    }
    if (removed.length === 0) return undefined;
    const services = new Map(this.tables.service);
    for (const op of batch.ops) {
      if (op.kind !== 'service') continue;
      if (op.op === 'delete') services.delete(op.id);
      else services.set(op.object.ID, op.object as Service);
    }
    for (const { kind, obj } of removed) {
      const busy = payloadInUse(kind, obj, services.values());
      if (busy) return busy;
    }
    return undefined;
  }

  /**
   * A service written with a network that is gone, or a network removed while
   * a service or live task holds it: each write was checked against the state
   * its writer read, and a removal and a service write proposed side by side
   * would both pass (swarmkit makes both in one transaction). Checked here on
   * the state after the batch, the same on every manager; the later entry is
   * refused. A service that already named a missing network keeps it.
   */
  private networkRefsError(batch: Batch): SwarmError | undefined {
    const removed: Network[] = [];
    const written: Service[] = [];
    for (const op of batch.ops) {
      if (op.kind === 'network' && op.op === 'delete') {
        const n = this.tables.network.get(op.id);
        if (n) removed.push(n);
      } else if (op.kind === 'service' && op.op !== 'delete') written.push(op.object as Service);
    }
    if (removed.length === 0 && !written.some((s) => serviceNetworkTargets(s).length > 0)) return undefined;
    const after = <K extends 'network' | 'service' | 'task'>(kind: K): Map<string, ObjectByKind[K]> => {
      const m = new Map(this.tables[kind] as Map<string, ObjectByKind[K]>);
      for (const op of batch.ops) {
        if (op.kind !== kind) continue;
        if (op.op === 'delete') m.delete(op.id);
        else m.set(op.object.ID, op.object as ObjectByKind[K]);
      }
      return m;
    };
    const networks = after('network');
    for (const s of written) {
      const old = this.tables.service.get(s.ID);
      const had = new Set(old ? serviceNetworkTargets(old) : []);
      const gone = serviceNetworkTargets(s).find((id) => !networks.has(id) && !had.has(id));
      if (gone !== undefined) return new SwarmError('NotFound', `network ${gone} not found`);
    }
    if (removed.length === 0) return undefined;
    const services = [...after('service').values()];
    const tasks = [...after('task').values()];
    for (const n of removed) {
      const busy = networkInUse(n, services, tasks);
      if (busy) return busy;
    }
    return undefined;
  }

  /**
   * Apply a committed entry. Total: it always moves the index and never
   * throws for what the entry holds. A batch that no longer validates (a
   * stale version) is skipped as a whole (`error`); one that is malformed, or
   * whose application throws, is skipped too and reported as `failed`, with
   * the tables as they were. Every manager does the same with the same entry.
   */
  apply(index: number, batch: Batch): ApplyResult {
    if (index <= this._index) throw new Error(`entry ${index} applied out of order (at ${this._index})`);
    this._index = index;
    const event: AppliedEvent = { index, changes: [] };
    let error: SwarmError | undefined;
    let olds: (ObjectByKind[Kind] | undefined)[];
    let audit: AuditRecord[] = [];
    try {
      const malformed = batchShapeError(batch);
      if (malformed) return { event, failed: malformed };
      error = this.validate(batch);
      // built before the writes: a delete's record names the object as it was
      audit = this.auditOf(index, batch, error ? error.message : 'ok');
      if (error) {
        this.audit.append(audit);
        return { event, error };
      }
      olds = this.mutate(index, batch, event);
    } catch (err) {
      event.changes = [];
      const failed = `applying the batch threw: ${errorText(err)}`;
      for (const r of audit) if (r.changes !== undefined) r.result = failed;
      this.audit.append(audit);
      return { event, failed };
    }
    this.audit.append(audit);
    this.logEvents(batch, event, olds);
    // an audit-only entry (notes) changes nothing: like a no-op entry, watchers are not told
    if (batch.ops.length === 0) return { event };
    for (const l of this.listeners) {
      // a failing watcher must not stop the entry (or the rest of its group)
      // from being applied and acknowledged: memory would drift from the log
      try {
        runAsNobody(() => l(event));
      } catch (err) {
        console.error('store: watcher failed on entry', index, err);
      }
    }
    return { event };
  }

  /** The entry's audit records; should building them throw, the entry keeps its change and has none. */
  private auditOf(index: number, batch: Batch, result: string): AuditRecord[] {
    try {
      const time = batch.time ?? this.events.lastTimeMs();
      return auditRecords(index, Math.floor(time), batch, result, (kind, id) => this.tables[kind].get(id));
    } catch (err) {
      console.error('store: no audit record for entry', index, errorText(err));
      return [];
    }
  }

  /**
   * The entry's Docker events, into the log with the change itself. Their time
   * is the entry's (the writer's clock, the same on every manager); an entry
   * from before batches carried one takes its objects' UpdatedAt, else the
   * previous event's time. Deriving is total, but should it throw the entry
   * keeps its changes and simply makes no events (on every manager alike).
   */
  private logEvents(batch: Batch, event: AppliedEvent, olds: readonly (ObjectByKind[Kind] | undefined)[]): void {
    try {
      let ms = batch.time;
      if (ms === undefined) {
        const stamps = event.changes.map((c) => Date.parse(c.object.UpdatedAt)).filter((t) => Number.isFinite(t));
        ms = stamps.length > 0 ? Math.max(...stamps) : this.events.lastTimeMs();
      }
      event.events = this.events.append(event.index, clusterEvents(event.changes, olds, ms));
    } catch (err) {
      console.error('store: no events for entry', event.index, errorText(err));
    }
  }

  /**
   * The writes of a checked batch; should one throw, the ones before it are undone.
   * Returns, beside each change, what an update replaced (for the events; watchers do not get it).
   */
  private mutate(index: number, batch: Batch, event: AppliedEvent): (ObjectByKind[Kind] | undefined)[] {
    const olds: (ObjectByKind[Kind] | undefined)[] = [];
    const undo: { kind: Kind; id: string; old: ObjectByKind[Kind] | undefined }[] = [];
    try {
      for (const op of batch.ops) {
        const table = this.tables[op.kind] as Map<string, ObjectByKind[Kind]>;
        if (op.op === 'delete') {
          const old = table.get(op.id);
          if (!old) continue;
          undo.push({ kind: op.kind, id: op.id, old });
          this.unindex(op.kind, old);
          table.delete(op.id);
          event.changes.push({ kind: op.kind, action: 'delete', object: old } as Change);
          olds.push(undefined);
        } else {
          const obj = { ...op.object, Version: { Index: index } } as ObjectByKind[Kind];
          const old = table.get(obj.ID);
          undo.push({ kind: op.kind, id: obj.ID, old });
          if (old) this.unindex(op.kind, old);
          table.set(obj.ID, obj);
          this.indexObject(op.kind, obj);
          event.changes.push({ kind: op.kind, action: old ? 'update' : 'create', object: obj } as Change);
          olds.push(old);
        }
      }
    } catch (err) {
      for (const u of undo.reverse()) this.put(u.kind, u.id, u.old);
      throw err;
    }
    return olds;
  }

  /** Put back what was stored under kind/id (undefined: nothing), indexes included. */
  private put(kind: Kind, id: string, obj: ObjectByKind[Kind] | undefined): void {
    const table = this.tables[kind] as Map<string, ObjectByKind[Kind]>;
    const cur = table.get(id);
    try {
      if (cur) this.unindex(kind, cur);
    } catch {
      // the object that made the batch throw: it was never fully indexed
    }
    table.delete(id);
    if (obj) {
      table.set(id, obj);
      this.indexObject(kind, obj);
    }
  }

  /**
   * Move past a committed entry that carries no batch (a raft leader's no-op,
   * a membership change), so Version.Index stays equal to the raft index.
   * Watchers are not told: nothing changed.
   */
  advanceTo(index: number): void {
    if (index <= this._index) throw new Error(`entry ${index} applied out of order (at ${this._index})`);
    this._index = index;
  }

  image(): StoreImage {
    const objects = {} as StoreImage['objects'];
    for (const k of KINDS) (objects as Record<Kind, unknown[]>)[k] = this.list(k);
    return { index: this._index, objects };
  }

  /**
   * Replace the tables with a snapshot image. Objects whose envelope is not
   * sound are left out (every manager restoring the same image leaves out the
   * same ones); what was left out is returned.
   */
  restore(img: StoreImage): { skipped: string[] } {
    this.tables = emptyTables();
    this.byService.clear();
    this.byNode.clear();
    this.bySlot.clear();
    this.byDesired.clear();
    this.byState.clear();
    this.serviceNames.clear();
    this.networkNames.clear();
    this.payloadNames.secret.clear();
    this.payloadNames.config.clear();
    this.accountNames.clear();
    const skipped: string[] = [];
    const objects: Partial<Record<Kind, unknown>> = isPlainObject(img.objects) ? img.objects : {};
    for (const k of KINDS) {
      const list = objects[k] ?? [];
      if (!Array.isArray(list)) {
        skipped.push(`${k}: not a list`);
        continue;
      }
      for (const o of list as unknown[]) {
        const bad = objectShapeError(k, o);
        if (bad) skipped.push(bad);
        else this.put(k, (o as ObjectByKind[Kind]).ID, o as ObjectByKind[Kind]);
      }
    }
    const lostEvents = this.events.restore(img.events);
    if (lostEvents > 0) skipped.push(`${lostEvents} malformed events`);
    const lostAudit = this.audit.restore(img.audit);
    if (lostAudit > 0) skipped.push(`${lostAudit} malformed audit records`);
    this._index = img.index;
    return { skipped };
  }

  private indexObject(kind: Kind, o: ObjectByKind[Kind]): void {
    if (kind === 'task') {
      const t = o as Task;
      addTo(this.byService, t.ServiceID, t.ID);
      if (t.NodeID) addTo(this.byNode, t.NodeID, t.ID);
      addTo(this.bySlot, slotKey(t), t.ID);
      addTo(this.byDesired, t.DesiredState, t.ID);
      addTo(this.byState, t.Status.State, t.ID);
    } else if (kind === 'service') {
      this.serviceNames.set((o as Service).Spec.Name.toLowerCase(), o.ID);
    } else if (kind === 'network') {
      this.networkNames.set((o as Network).Spec.Name.toLowerCase(), o.ID);
    } else if (kind === 'secret' || kind === 'config') {
      this.payloadNames[kind].set((o as Secret | Config).Spec.Name.toLowerCase(), o.ID);
    } else if (kind === 'account') {
      this.accountNames.set((o as Account).Name.toLowerCase(), o.ID);
    }
  }
  private unindex(kind: Kind, o: ObjectByKind[Kind]): void {
    if (kind === 'task') {
      const t = o as Task;
      removeFrom(this.byService, t.ServiceID, t.ID);
      if (t.NodeID) removeFrom(this.byNode, t.NodeID, t.ID);
      removeFrom(this.bySlot, slotKey(t), t.ID);
      removeFrom(this.byDesired, t.DesiredState, t.ID);
      removeFrom(this.byState, t.Status.State, t.ID);
    } else if (kind === 'service') {
      const name = (o as Service).Spec.Name.toLowerCase();
      if (this.serviceNames.get(name) === o.ID) this.serviceNames.delete(name);
    } else if (kind === 'network') {
      const name = (o as Network).Spec.Name.toLowerCase();
      if (this.networkNames.get(name) === o.ID) this.networkNames.delete(name);
    } else if (kind === 'secret' || kind === 'config') {
      const name = (o as Secret | Config).Spec.Name.toLowerCase();
      if (this.payloadNames[kind].get(name) === o.ID) this.payloadNames[kind].delete(name);
    } else if (kind === 'account') {
      const name = (o as Account).Name.toLowerCase();
      if (this.accountNames.get(name) === o.ID) this.accountNames.delete(name);
    }
  }
}

function emptyTables(): Tables {
  return {
    cluster: new Map(),
    node: new Map(),
    service: new Map(),
    task: new Map(),
    network: new Map(),
    secret: new Map(),
    config: new Map(),
    serviceVersion: new Map(),
    account: new Map(),
    session: new Map(),
    shareLink: new Map(),
  };
}
