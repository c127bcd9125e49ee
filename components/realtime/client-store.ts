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
  /** The tasks `tables.task` holds: every one, or some services' (what the page asked the socket for). */
  taskScope: TaskScope;
}

function emptyTables(): Tables {
  return Object.fromEntries(KINDS.map((k) => [k, new Map()])) as unknown as Tables;
}

export const EMPTY_VIEW: ClusterView = { index: 0, loaded: false, tables: emptyTables(), taskScope: 'all' };

export type FrameResult = 'applied' | 'stale' | 'gap';

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
   * Replace everything, unless what we hold is already newer. `tasks` is the scope the
   * snapshot's tasks cover (a socket snapshot says; GET /api/state holds every task).
   */
  applySnapshot(s: ConsoleState & { tasks?: TaskScope }): boolean {
    if (this.view.loaded && s.index < this.view.index) return false;
    const tables = {} as Record<Kind, Map<string, unknown>>;
    for (const k of KINDS) tables[k] = new Map((s.objects[k] ?? []).map((o) => [o.ID, o]));
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
    const next = { ...this.view.tables } as Record<Kind, Map<string, unknown>>;
    const copied = new Set<Kind>();
    const versions = new Set<string>();
    for (const c of f.changes) {
      if (c.kind === 'serviceVersion') {
        versions.add(c.object.ServiceID);
        continue;
      }
      // a frame sent before the socket heard of a narrower scope may still carry other tasks
      if (c.kind === 'task' && c.action !== 'delete' && !this.inScope(c.object.ServiceID)) continue;
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
