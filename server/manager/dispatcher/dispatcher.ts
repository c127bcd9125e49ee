import { rpcError } from '../../api/errors';
import { newID } from '../../api/ids';
import type { MeshPortError, Node, NodeDescription, NodeStatus, Task, TaskStatus, TLSInfo } from '../../api/types';
import { TASK_STATE_VALUE, isTaskState } from '../../api/types';
import { runAs } from '../../store/audit-context';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import { iso, type Clock } from '../../util/clock';
import type {
  AssignmentChange,
  AssignmentsMessage,
  DependencyChange,
  DispatcherApi,
  HeartbeatReport,
  RegisterRequest,
  RegisterResponse,
  TaskStatusUpdate,
} from './api';
import { chunk, isAssignment, needsPush, type SentTask } from './assignments';
import { ViewPass } from './network-view';
import { ViewDirt } from './view-dirt';
import {
  dependencyChanges,
  nodeDependencies,
  referencesDependencies,
  type DependencyLookup,
} from './task-dependencies';
import {
  GRACE_MULTIPLIER,
  GRACE_MULTIPLIER_UNKNOWN,
  NODE_DOWN_ORPHAN_MS,
  admitRegistration,
  heartbeatPeriodMs,
  jitteredPeriodMs,
} from './period';
import { applyStatus, isForward, laterStatus } from './status-updates';
import { isolate } from '../faults';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { DISPATCHER, writeBackAuditor } from './write-actor';

export const MSG_HEARTBEAT_FAILURE = 'heartbeat failure';

const sameTLSInfo = (a: TLSInfo | undefined, b: TLSInfo): boolean =>
  !!a &&
  a.TrustRoot === b.TrustRoot &&
  a.CertIssuerSubject === b.CertIssuerSubject &&
  a.CertIssuerPublicKey === b.CertIssuerPublicKey;
export const MSG_UNKNOWN_AFTER_LEADER_CHANGE = 'Node moved to "unknown" state due to leadership change in cluster';
export const MSG_UNKNOWN_HEARTBEAT_FAILURE = 'heartbeat failure for node in "unknown" state';
export const MSG_DISCONNECTED = 'node is currently trying to find new manager';

/** Status writes are flushed every 100 ms, or at once when this many are queued (§7.2). */
const STATUS_FLUSH_MS = 100;
const STATUS_FLUSH_MAX = 10_000;
/** Assignment changes are coalesced this long and pushed at most this many per message. */
const ASSIGNMENT_BATCH_MS = 50;
const ASSIGNMENT_BATCH_MAX = 100;
/** NetworkView pushes are coalesced this long: a burst of task changes is one push per node. */
const VIEW_BATCH_MS = 100;

export interface DispatcherOptions {
  /** This manager's node ID, stamped as Status.AppliedBy. */
  selfNodeID?: string;
  /** Randomness for heartbeat jitter (tests pass a fixed one). */
  random?: () => number;
}

interface Session {
  id: string;
  nodeID: string;
  streams: Set<Stream>;
}

interface Stream {
  nodeID: string;
  onMessage: (m: AssignmentsMessage) => void;
  /** What the agent last received per task, to avoid echoing its own status reports. */
  sent: Map<string, SentTask>;
  pending: Map<string, AssignmentChange>;
  cancelTimer?: () => void;
  /** The content of the last NetworkView pushed (viewKey), so an unchanged one is not sent again. */
  viewKey?: string;
  /** The services the last view derived held whole, with their parts' keys (ViewPass.sharedUnchanged). */
  viewShared?: ReadonlyMap<string, string>;
  /** The secrets and configs the agent holds (dependencyKey → Version.Index). */
  sentDeps: Map<string, number>;
  /** A task of the node (or a secret/config) changed: what the node needs is worked out again at the next push. */
  depsDirty: boolean;
  closed: boolean;
}

/** A queued node write; `waiters` resolve once the flush holding it is applied. */
interface NodeWrite {
  status: NodeStatus;
  description?: NodeDescription;
  /** The node's routing-mesh bind failures per service and port ([] clears them). */
  meshErrors?: MeshPortError[];
  /** The node's agent asked for it (registration, a heartbeat's description, its mesh errors): the audit actor */
  byAgent?: boolean;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

interface QueuedStatus {
  nodeID: string;
  status: TaskStatus;
}

/**
 * The leader's end of every node session: registration and heartbeats (node
 * READY/DOWN/UNKNOWN), the per-node assignment streams, and the batched
 * write-back of the agents' observed task states.
 */
export class Dispatcher implements DispatcherApi {
  private readonly selfNodeID: string | undefined;
  private readonly random: () => number;
  private running = false;
  private unwatch?: () => void;
  private startPass?: Promise<void>;

  private sessions = new Map<string, Session>();
  private sessionByNode = new Map<string, string>();
  /** Per-node expiry: heartbeat grace, unknown grace, or the 24h orphan timer for DOWN nodes. */
  private nodeTimers = new Map<string, () => void>();
  private registrations = new Map<string, number[]>();
  private streamsByNode = new Map<string, Set<Stream>>();

  private nodeWrites = new Map<string, NodeWrite>();
  private statusQueue = new Map<string, QueuedStatus>();
  private cancelStatusTimer?: () => void;
  private flushing?: Promise<void>;
  private flushAgain = false;
  /** The log index of the last applied change: the Revision of the views derived after it. */
  private viewIndex = 0;
  private cancelViewTimer?: () => void;
  /** Which nodes' views may have changed since the last push. */
  private viewDirt = new ViewDirt();

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
    opts: DispatcherOptions = {},
  ) {
    this.selfNodeID = opts.selfNodeID;
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // what it saw while stopped is not known: every view is owed
    this.viewDirt = new ViewDirt();
    this.unwatch = this.store.view.watch((e) => this.onApplied(e));
    this.startPass = runAs({ actor: DISPATCHER }, () => this.markNodesUnknown()).catch((err) => {
      console.error('dispatcher: marking nodes unknown failed', err);
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    await this.startPass;
    for (const cancel of this.nodeTimers.values()) cancel();
    this.nodeTimers.clear();
    this.cancelStatusTimer?.();
    this.cancelStatusTimer = undefined;
    this.cancelViewTimer?.();
    this.cancelViewTimer = undefined;
    for (const s of this.streamsByNode.values()) for (const st of s) this.closeStream(st);
    this.streamsByNode.clear();
    // The sessions end with this dispatcher: their nodes look for a new manager.
    for (const nodeID of this.sessionByNode.keys()) {
      this.queueNodeWrite(nodeID, { status: this.nodeStatus(nodeID, 'disconnected', MSG_DISCONNECTED) });
    }
    this.sessions.clear();
    this.sessionByNode.clear();
    await this.flush().catch(() => {});
  }

  // ---------- sessions ----------

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    this.assertRunning();
    const node = this.store.view.get('node', req.nodeID);
    if (!node) throw rpcError('NotFound', `node ${req.nodeID} not found`);
    const admitted = admitRegistration(this.registrations.get(req.nodeID) ?? [], this.clock.now());
    if (!admitted) throw rpcError('Unavailable', `node ${req.nodeID} exceeded rate limit count of registrations`);
    this.registrations.set(req.nodeID, admitted);

    // A new session replaces the node's old one.
    const old = this.sessionByNode.get(req.nodeID);
    if (old) this.endSession(old);
    const session: Session = { id: newID(), nodeID: req.nodeID, streams: new Set() };
    this.sessions.set(session.id, session);
    this.sessionByNode.set(req.nodeID, session.id);

    const periodMs = this.nextPeriod();
    this.armExpiry(req.nodeID, GRACE_MULTIPLIER * periodMs, MSG_HEARTBEAT_FAILURE);
    await new Promise<void>((resolve, reject) => {
      const status: NodeStatus = { State: 'ready', Addr: req.addr || node.Status.Addr };
      this.queueNodeWrite(req.nodeID, { status, description: req.description, byAgent: true }, { resolve, reject });
    });
    return { sessionID: session.id, heartbeatPeriodMs: periodMs };
  }

  async heartbeat(sessionID: string, report?: HeartbeatReport): Promise<{ periodMs: number }> {
    this.assertRunning();
    const session = this.sessions.get(sessionID);
    if (!session) throw rpcError('NotFound', 'node not registered');
    const node = this.store.view.get('node', session.nodeID);
    if (!node) {
      // The node was removed from the cluster: its session is over.
      this.endSession(sessionID);
      throw rpcError('NotFound', 'node not registered');
    }
    const periodMs = this.nextPeriod();
    this.armExpiry(session.nodeID, GRACE_MULTIPLIER * periodMs, MSG_HEARTBEAT_FAILURE);
    if (report?.tlsInfo && !sameTLSInfo(node.Description.TLSInfo, report.tlsInfo)) {
      // a renewed certificate: recorded in the session's node, which stays READY
      const queued = this.nodeWrites.get(session.nodeID);
      const description = { ...(queued?.description ?? node.Description), TLSInfo: report.tlsInfo };
      this.queueNodeWrite(session.nodeID, { status: queued?.status ?? node.Status, description, byAgent: true });
    }
    if (report?.meshErrors) this.noteMeshErrors(session.nodeID, report.meshErrors, report.meshPortErrors);
    return { periodMs };
  }

  async leave(sessionID: string): Promise<void> {
    // The expiry timer keeps running: the node goes DOWN unless it registers again.
    this.endSession(sessionID);
  }

  /** Ports the node's mesh cannot bind show as its Status.Message (cleared once they bind). */
  private noteMeshErrors(nodeID: string, errors: string[], portErrors: MeshPortError[] | undefined): void {
    const queued = this.nodeWrites.get(nodeID);
    const node = this.store.view.get('node', nodeID);
    const status = queued?.status ?? node?.Status;
    if (!status || status.State !== 'ready') return;
    const message = errors.join('; ').slice(0, 4096);
    // per service and port, for the service's MeshErrors (an agent that sends only the text leaves them as they are)
    const ports = portErrors ?? queued?.meshErrors ?? node?.MeshErrors ?? [];
    const portsChanged = JSON.stringify(ports) !== JSON.stringify(queued?.meshErrors ?? node?.MeshErrors ?? []);
    if ((status.Message ?? '') === message && !portsChanged) return;
    const next: NodeStatus = { State: status.State, Addr: status.Addr };
    if (message) next.Message = message;
    this.queueNodeWrite(nodeID, {
      status: next,
      meshErrors: ports,
      byAgent: true,
      ...(queued?.description ? { description: queued.description } : {}),
    });
  }

  private endSession(sessionID: string): void {
    const session = this.sessions.get(sessionID);
    if (!session) return;
    this.sessions.delete(sessionID);
    if (this.sessionByNode.get(session.nodeID) === sessionID) this.sessionByNode.delete(session.nodeID);
    for (const st of session.streams) this.closeStream(st);
  }

  private session(sessionID: string): Session {
    this.assertRunning();
    const session = this.sessions.get(sessionID);
    if (!session) throw rpcError('NotFound', 'session invalid');
    return session;
  }

  private assertRunning(): void {
    if (!this.running) throw rpcError('Unavailable', 'dispatcher is stopped');
  }

  private nextPeriod(): number {
    return jitteredPeriodMs(heartbeatPeriodMs(this.store.view.list('cluster')[0]), this.random);
  }

  // ---------- node expiry ----------

  private armExpiry(nodeID: string, ms: number, message: string): void {
    this.nodeTimers.get(nodeID)?.();
    this.nodeTimers.set(
      nodeID,
      this.clock.setTimeout(() => this.expire(nodeID, message), ms),
    );
  }

  private expire(nodeID: string, message: string): void {
    this.nodeTimers.delete(nodeID);
    if (!this.running) return;
    const sid = this.sessionByNode.get(nodeID);
    if (sid) this.endSession(sid);
    this.queueNodeWrite(nodeID, { status: this.nodeStatus(nodeID, 'down', message) });
    this.armOrphanTimer(nodeID);
  }

  private nodeStatus(nodeID: string, state: NodeStatus['State'], message: string): NodeStatus {
    return { State: state, Message: message, Addr: this.store.view.get('node', nodeID)?.Status.Addr ?? '' };
  }

  private armOrphanTimer(nodeID: string): void {
    this.nodeTimers.get(nodeID)?.();
    this.nodeTimers.set(
      nodeID,
      this.clock.setTimeout(() => {
        this.nodeTimers.delete(nodeID);
        void this.orphanTasks(nodeID);
      }, NODE_DOWN_ORPHAN_MS),
    );
  }

  /** A node DOWN for 24h: its assigned…running tasks become ORPHANED so their resources are freed. */
  private async orphanTasks(nodeID: string): Promise<void> {
    if (!this.running || this.sessionByNode.has(nodeID)) return;
    const at = iso(this.clock.now());
    await runAs({ actor: DISPATCHER }, () =>
      this.store.update(
        (tx) => {
          const node = tx.get('node', nodeID);
          if (!node || node.Status.State !== 'down') return;
          for (const t of this.store.view.tasksByNode(nodeID)) {
            const cur = tx.get('task', t.ID);
            if (!cur) continue;
            const v = TASK_STATE_VALUE[cur.Status.State];
            if (v < TASK_STATE_VALUE.assigned || v > TASK_STATE_VALUE.running) continue;
            tx.update('task', { ...cur, Status: { ...cur.Status, State: 'orphaned', Timestamp: at } });
          }
        },
        { retry: true },
      ),
    ).catch((err) => console.error('dispatcher: orphaning tasks failed', err));
  }

  /** New leader: every node not DOWN is UNKNOWN until it registers with us (6× grace). */
  private async markNodesUnknown(): Promise<void> {
    const periodMs = this.nextPeriod();
    const marked: string[] = [];
    const down: string[] = [];
    await this.store.update(
      (tx) => {
        marked.length = 0;
        down.length = 0;
        for (const n of this.store.view.list('node')) {
          if (this.sessionByNode.has(n.ID) || this.nodeWrites.has(n.ID)) continue;
          const cur = tx.get('node', n.ID);
          if (!cur) continue;
          if (cur.Status.State === 'down') {
            down.push(n.ID);
            continue;
          }
          marked.push(n.ID);
          if (cur.Status.State === 'unknown' && cur.Status.Message === MSG_UNKNOWN_AFTER_LEADER_CHANGE) continue;
          tx.update('node', {
            ...cur,
            Status: { ...cur.Status, State: 'unknown', Message: MSG_UNKNOWN_AFTER_LEADER_CHANGE },
          });
        }
      },
      { retry: true },
    );
    if (!this.running) return;
    for (const id of marked) {
      if (!this.sessionByNode.has(id) && !this.nodeTimers.has(id)) {
        this.armExpiry(id, GRACE_MULTIPLIER_UNKNOWN * periodMs, MSG_UNKNOWN_HEARTBEAT_FAILURE);
      }
    }
    for (const id of down) if (!this.sessionByNode.has(id) && !this.nodeTimers.has(id)) this.armOrphanTimer(id);
  }

  // ---------- batched writes ----------

  private queueNodeWrite(
    nodeID: string,
    w: Omit<NodeWrite, 'waiters'>,
    waiter?: { resolve: () => void; reject: (e: unknown) => void },
  ): void {
    // The latest decision about a node wins; earlier waiters are served by the same write.
    const prev = this.nodeWrites.get(nodeID);
    const waiters = prev ? prev.waiters : [];
    if (waiter) waiters.push(waiter);
    const meshErrors = w.meshErrors ?? prev?.meshErrors;
    this.nodeWrites.set(nodeID, { ...w, ...(meshErrors ? { meshErrors } : {}), waiters });
    void this.flush();
  }

  async updateTaskStatus(sessionID: string, updates: TaskStatusUpdate[]): Promise<void> {
    const { nodeID } = this.session(sessionID);
    // Check the whole request first: one foreign task refuses it all (swarmkit does the same).
    for (const u of updates) {
      const t = this.store.view.get('task', u.taskID);
      if (t && t.NodeID !== nodeID) throw rpcError('PermissionDenied', 'cannot update a task not assigned this node');
    }
    const appliedAt = iso(this.clock.now());
    for (const u of updates) {
      const t = this.store.view.get('task', u.taskID);
      if (!t || !isTaskState(u.status.State)) continue;
      // AppliedAt/AppliedBy are the manager's word, never the agent's.
      const { AppliedBy: _by, ...reported } = u.status;
      const status: TaskStatus = { ...reported, AppliedAt: appliedAt };
      if (this.selfNodeID !== undefined) status.AppliedBy = this.selfNodeID;
      const queued = this.statusQueue.get(u.taskID);
      if (!isForward(queued?.status ?? t.Status, status)) continue;
      this.statusQueue.set(u.taskID, { nodeID, status: laterStatus(queued?.status, status) });
    }
    if (this.statusQueue.size >= STATUS_FLUSH_MAX) {
      void this.flush();
    } else if (this.statusQueue.size > 0 && !this.cancelStatusTimer) {
      this.cancelStatusTimer = this.clock.setTimeout(() => {
        this.cancelStatusTimer = undefined;
        void this.flush();
      }, STATUS_FLUSH_MS);
    }
  }

  /** One store write for everything queued; never two at once (a request during a flush runs right after). */
  private flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        let more = false;
        do {
          if (more) await yieldToLoop();
          this.flushAgain = false;
          more = await this.flushOnce();
        } while (more || this.flushAgain || this.nodeWrites.size > 0 || this.statusQueue.size >= STATUS_FLUSH_MAX);
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** One part: the node writes and at most PART_OPS task statuses; true when statuses are left for another part. */
  private async flushOnce(): Promise<boolean> {
    const nodes = this.nodeWrites;
    if (nodes.size === 0 && this.statusQueue.size === 0) return false;
    const statuses = takeFirst(this.statusQueue, PART_OPS);
    const more = this.statusQueue.size > 0;
    this.nodeWrites = new Map();
    this.cancelStatusTimer?.();
    this.cancelStatusTimer = undefined;
    const waiters = [...nodes.values()].flatMap((w) => w.waiters);
    try {
      const by = writeBackAuditor(
        nodes,
        [...statuses.values()].map((q) => q.nodeID),
      );
      await runAs(by, () => this.store.update((tx) => this.writeBatch(tx, nodes, statuses), { retry: true }));
      for (const x of waiters) x.resolve();
    } catch (err) {
      // A registration learns of the failure itself; a lost background write is only logged.
      for (const x of waiters) x.reject(err);
      if (waiters.length === 0) console.error('dispatcher: write-back failed', err);
    }
    return more;
  }

  private writeBatch(tx: Tx, nodes: Map<string, NodeWrite>, statuses: Map<string, QueuedStatus>): void {
    for (const [id, w] of nodes) {
      const cur = tx.get('node', id);
      if (!cur) continue;
      const next: Node = { ...cur, Status: w.status };
      if (w.description) next.Description = w.description;
      if (w.meshErrors?.length) next.MeshErrors = w.meshErrors;
      else if (w.meshErrors) delete next.MeshErrors;
      tx.update('node', next);
    }
    for (const [id, q] of statuses) {
      const cur = tx.get('task', id);
      // Re-checked against the latest store: a concurrent writer may have moved the task on.
      if (!cur || cur.NodeID !== q.nodeID) continue;
      // one task whose status cannot be written must not hold back every other node's reports
      const r = isolate(tx, () => {
        const next = applyStatus(cur, q.status);
        if (next) tx.update('task', next);
      });
      if (!r.ok) console.warn(`dispatcher: the status of task ${id} could not be written: ${r.message}`);
    }
  }

  // ---------- assignments ----------

  assignments(sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    const session = this.session(sessionID);
    const stream: Stream = {
      nodeID: session.nodeID,
      onMessage,
      sent: new Map(),
      pending: new Map(),
      sentDeps: new Map(),
      depsDirty: false,
      closed: false,
    };
    session.streams.add(stream);
    let set = this.streamsByNode.get(session.nodeID);
    if (!set) this.streamsByNode.set(session.nodeID, (set = new Set()));
    set.add(stream);

    // Snapshot now, in step with the watch; deliver after the caller holds the unsubscribe function.
    const snapshot: AssignmentChange[] = [];
    for (const t of this.store.view.tasksByNode(session.nodeID)) {
      if (!isAssignment(t, session.nodeID)) continue;
      snapshot.push({ action: 'update', task: t });
      stream.sent.set(t.ID, { desired: t.DesiredState, spec: t.Spec });
    }
    const { view: networkView, key, shared } = new ViewPass(this.store.view, this.viewIndex).view(session.nodeID);
    stream.viewKey = key;
    stream.viewShared = shared;
    const dependencies = this.dependencyChanges(stream);
    queueMicrotask(() =>
      this.deliver(stream, {
        type: 'complete',
        changes: snapshot,
        networkView,
        ...(dependencies.length ? { dependencies } : {}),
      }),
    );
    return () => {
      session.streams.delete(stream);
      this.closeStream(stream);
    };
  }

  private closeStream(stream: Stream): void {
    stream.closed = true;
    stream.cancelTimer?.();
    stream.cancelTimer = undefined;
    stream.pending.clear();
    const set = this.streamsByNode.get(stream.nodeID);
    if (set) {
      set.delete(stream);
      if (set.size === 0) this.streamsByNode.delete(stream.nodeID);
    }
  }

  private onApplied(e: AppliedEvent): void {
    this.viewIndex = Math.max(this.viewIndex, e.index);
    if (this.streamsByNode.size === 0) return;
    let viewsOwed = false;
    for (const c of e.changes) if (this.viewDirt.note(c)) viewsOwed = true;
    if (!this.cancelViewTimer && viewsOwed) {
      this.cancelViewTimer = this.clock.setTimeout(() => {
        this.cancelViewTimer = undefined;
        this.pushViews();
      }, VIEW_BATCH_MS);
    }
    for (const c of e.changes) {
      if (c.kind === 'secret' || c.kind === 'config') {
        // rare (create, labels update, rm): every node checks what it holds
        for (const streams of this.streamsByNode.values()) for (const st of streams) this.markDeps(st);
        continue;
      }
      if (c.kind !== 'task') continue;
      const task = c.object as Task;
      const streams = task.NodeID ? this.streamsByNode.get(task.NodeID) : undefined;
      if (!streams) continue;
      // only a task that references a secret or config can take or release one (past RUNNING it releases
      // its own); a task's spec never changes, so the others never move what its node needs
      const deps = referencesDependencies(task);
      for (const st of streams) {
        if (deps) this.markDeps(st);
        this.route(st, task, c.action === 'delete');
      }
    }
  }

  private markDeps(st: Stream): void {
    st.depsDirty = true;
    this.schedule(st);
  }

  /** What the node's agent must be given or told to drop now (marks it sent). */
  private dependencyChanges(st: Stream): DependencyChange[] {
    st.depsDirty = false;
    const view = this.store.view;
    const lookup: DependencyLookup = { secret: (id) => view.get('secret', id), config: (id) => view.get('config', id) };
    return dependencyChanges(st.sentDeps, nodeDependencies(view.tasksByNode(st.nodeID), st.nodeID, lookup));
  }

  private route(st: Stream, task: Task, deleted: boolean): void {
    if (deleted) {
      if (!st.sent.has(task.ID) && !st.pending.has(task.ID)) return;
      st.sent.delete(task.ID);
      st.pending.set(task.ID, { action: 'remove', task });
    } else {
      if (!isAssignment(task, st.nodeID) || !needsPush(st.sent.get(task.ID), task)) return;
      st.sent.set(task.ID, { desired: task.DesiredState, spec: task.Spec });
      st.pending.set(task.ID, { action: 'update', task });
    }
    this.schedule(st);
  }

  /** Pushes what is pending once the batch window ends; the dependencies ride on the first message. */
  private schedule(st: Stream): void {
    if (st.cancelTimer || st.closed) return;
    st.cancelTimer = this.clock.setTimeout(() => {
      st.cancelTimer = undefined;
      const changes = [...st.pending.values()];
      st.pending.clear();
      const dependencies = st.depsDirty ? this.dependencyChanges(st) : [];
      if (changes.length === 0 && dependencies.length === 0) return;
      const parts = changes.length ? chunk(changes, ASSIGNMENT_BATCH_MAX) : [[]];
      parts.forEach((part, i) =>
        this.deliver(st, {
          type: 'incremental',
          changes: part,
          ...(i === 0 && dependencies.length ? { dependencies } : {}),
        }),
      );
    }, ASSIGNMENT_BATCH_MS);
  }

  /** Every stream's node gets its NetworkView again, if it changed since the last push. */
  private pushViews(): void {
    if (!this.running) return;
    const pass = new ViewPass(this.store.view, this.viewIndex);
    const dirt = this.viewDirt.take();
    for (const [nodeID, streams] of this.streamsByNode) {
      const clean = !dirt.all && !dirt.nodes.has(nodeID);
      for (const st of streams) {
        // nothing it is made from changed: not derived again
        if (clean && st.viewShared && pass.sharedUnchanged(st.viewShared)) continue;
        const { view: networkView, key, shared } = pass.view(st.nodeID);
        st.viewShared = shared;
        if (key === st.viewKey) continue;
        st.viewKey = key;
        this.deliver(st, { type: 'incremental', changes: [], networkView });
      }
    }
  }

  private deliver(st: Stream, m: AssignmentsMessage): void {
    if (st.closed) return;
    try {
      st.onMessage(m);
    } catch (err) {
      console.error('dispatcher: assignments listener failed', err);
    }
  }
}

/** The first `n` entries of a map, taken out of it (the map keeps the rest, in order). */
function takeFirst<K, V>(m: Map<K, V>, n: number): Map<K, V> {
  if (m.size <= n) {
    const all = new Map(m);
    m.clear();
    return all;
  }
  const out = new Map<K, V>();
  for (const [k, v] of m) {
    if (out.size >= n) break;
    out.set(k, v);
  }
  for (const k of out.keys()) m.delete(k);
  return out;
}
