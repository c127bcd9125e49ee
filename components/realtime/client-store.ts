import {
  CONSOLE_KINDS,
  scopeCovers,
  taskScopeMatcher,
  type ChangesFrame,
  type ConsoleKind,
  type ConsoleState,
  type TaskScope,
} from '@/server/api/realtime';
import type { ObjectByKind, Task } from '@/server/api/types';
import { TaskSpecInterner } from './spec-intern';

type Kind = ConsoleKind;
const KINDS = CONSOLE_KINDS;

export type Tables = { readonly [K in Kind]: ReadonlyMap<string, ObjectByKind[K]> };

/**
 * Which services' spec history changed: a set of service IDs, or 'all' after a
 * (re)snapshot, when notices may have been missed.
 */
export type VersionsChanged = ReadonlySet<string> | 'all';

/** The console's view of the cluster: one immutable value per applied frame. */
export interface ClusterView {
  /** Log index of the last applied entry; 0 before the first load. */
  index: number;
  loaded: boolean;
  tables: Tables;
  /**
   * The tasks the store is sent: every one, or some services' (what the page asked the socket for). They are
   * in `tables.task`, unless a holder keeps them (holdTasksIn: then the table is empty).
   */
  taskScope: TaskScope;
}

function emptyTables(): Tables {
  return Object.fromEntries(KINDS.map((k) => [k, new Map()])) as unknown as Tables;
}

export const EMPTY_VIEW: ClusterView = { index: 0, loaded: false, tables: emptyTables(), taskScope: 'all' };

export type FrameResult = 'applied' | 'stale' | 'gap';

/**
 * Another holder of the tasks (the wall's worker, wall-engine.ts): it is handed every snapshot, applied frame
 * and narrowing as this store takes them, in order, and the store keeps no task itself meanwhile. A page that
 * draws 25,000 tasks from elsewhere then does not keep them in its own heap, whose collector paused it.
 */
export interface TaskHolder {
  snapshot(s: ConsoleState & { tasks?: TaskScope }): void;
  changes(f: ChangesFrame): void;
  narrow(scope: TaskScope): void;
}

const NO_TASKS: TaskScope = { services: [] };

/**
 * A small external store (for useSyncExternalStore) fed by the first load and
 * the socket. Only kinds a frame touches get new Maps, so components that
 * select other kinds keep their memoised values.
 */
export class ClientClusterStore {
  private view: ClusterView = EMPTY_VIEW;
  private inScope: (serviceID: string) => boolean = () => true;
  private listeners = new Set<() => void>();
  private versionListeners = new Set<(changed: VersionsChanged) => void>();
  /**
   * Tables made since the view was last handed out. Nobody holds them yet, so a frame may change them in
   * place: a page that reads at its own pace (the wall, four times a second) then costs one copy of a
   * 25,000-task table per read, not one per frame (twenty a second under churn).
   */
  private unread = new Set<Kind>();
  /** Tasks of one service version share one spec object (spec-intern.ts): a smaller heap to collect. */
  private specs = new TaskSpecInterner();
  /** Who keeps the tasks instead of this store (holdTasksIn), if anyone. */
  private holder: TaskHolder | null = null;
  private droppedListeners = new Set<() => void>();

  getView = (): ClusterView => {
    this.unread.clear();
    return this.view;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Spec history is not held here (it is fetched over HTTP): this says when to refetch it. */
  onVersionsChanged = (listener: (changed: VersionsChanged) => void): (() => void) => {
    this.versionListeners.add(listener);
    return () => this.versionListeners.delete(listener);
  };

  /**
   * Said when the store holds fewer tasks than its scope (a holder let them go): the socket's owner asks
   * the server for a snapshot (narrowTasks answers false until then).
   */
  onTasksDropped = (listener: () => void): (() => void) => {
    this.droppedListeners.add(listener);
    return () => this.droppedListeners.delete(listener);
  };

  /**
   * Let `holder` keep the tasks from now on: it is handed what the store holds (as a snapshot) and then every
   * frame, and the view's task table stays empty. The returned function takes the tasks back: the store then
   * holds none and asks for them again (onTasksDropped).
   */
  holdTasksIn(holder: TaskHolder): () => void {
    if (this.holder) throw new Error('the tasks already have a holder');
    const v = this.view;
    if (v.loaded) {
      const objects = Object.fromEntries(KINDS.map((k) => [k, [...v.tables[k].values()]])) as ConsoleState['objects'];
      holder.snapshot({ index: v.index, objects, tasks: v.taskScope });
    }
    this.holder = holder;
    this.specs.clear();
    if (v.tables.task.size) this.set({ ...v, tables: { ...v.tables, task: new Map() } });
    return () => {
      if (this.holder !== holder) return;
      this.holder = null;
      this.inScope = taskScopeMatcher(NO_TASKS);
      this.set({ ...this.view, taskScope: NO_TASKS });
      for (const l of this.droppedListeners) l();
    };
  }

  /**
   * Replace everything, unless what we hold is already newer. `tasks` is the scope the
   * snapshot's tasks cover (a socket snapshot says; GET /api/state holds every task).
   */
  applySnapshot(s: ConsoleState & { tasks?: TaskScope }): boolean {
    if (this.view.loaded && s.index < this.view.index) return false;
    this.holder?.snapshot(s);
    const tables = {} as Record<Kind, Map<string, unknown>>;
    for (const k of KINDS)
      tables[k] = new Map(k === 'task' && this.holder ? [] : (s.objects[k] ?? []).map((o) => [o.ID, o]));
    this.specs.clear();
    for (const t of tables.task.values()) this.specs.intern(t as Task);
    const taskScope = s.tasks ?? 'all';
    this.inScope = taskScopeMatcher(taskScope);
    this.set({ index: s.index, loaded: true, tables: tables as unknown as Tables, taskScope });
    for (const l of this.versionListeners) l('all');
    return true;
  }

  /**
   * Apply a frame covering entries (from, to]. Frames we already cover are
   * ignored; one that starts beyond our index means we missed entries and
   * must resync (the caller reconnects with `since`).
   */
  applyChanges(f: ChangesFrame): FrameResult {
    if (!this.view.loaded || f.from > this.view.index) return 'gap';
    if (f.to <= this.view.index) return 'stale';
    this.holder?.changes(f);
    const next = { ...this.view.tables } as Record<Kind, Map<string, unknown>>;
    const copied = new Set<Kind>();
    const versions = new Set<string>();
    for (const c of f.changes) {
      if (c.kind === 'serviceVersion') {
        versions.add(c.object.ServiceID);
        continue;
      }
      // the holder has the tasks; and a frame sent before the socket heard of a narrower scope may still carry others
      if (c.kind === 'task' && (this.holder || (c.action !== 'delete' && !this.inScope(c.object.ServiceID)))) continue;
      if (!copied.has(c.kind)) {
        if (!this.unread.has(c.kind)) next[c.kind] = new Map(next[c.kind]);
        this.unread.add(c.kind);
        copied.add(c.kind);
      }
      if (c.action === 'delete') next[c.kind].delete(c.id);
      else next[c.kind].set(c.id, c.kind === 'task' ? this.specs.intern(c.object) : c.object);
    }
    this.set({ ...this.view, index: f.to, loaded: true, tables: next as unknown as Tables });
    if (versions.size) for (const l of this.versionListeners) l(versions);
    return 'applied';
  }

  /**
   * Hold only the tasks of `scope`, if what we hold covers it (then true: the socket can
   * resume from our index). A wider scope needs a snapshot from the server (false).
   */
  narrowTasks(scope: TaskScope): boolean {
    const v = this.view;
    if (!scopeCovers(v.taskScope, scope)) return false;
    if (scopeCovers(scope, v.taskScope)) return true; // the same scope: nothing to drop
    this.holder?.narrow(scope);
    const inScope = taskScopeMatcher(scope);
    const task = new Map([...v.tables.task].filter(([, t]) => inScope(t.ServiceID)));
    this.inScope = inScope;
    this.set({ ...v, tables: { ...v.tables, task }, taskScope: scope });
    return true;
  }

  private set(view: ClusterView): void {
    this.view = view;
    for (const l of this.listeners) l();
  }
}

/** The one store the browser uses. */
export const clusterStore = new ClientClusterStore();
