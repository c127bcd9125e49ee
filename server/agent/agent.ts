import { SwarmError } from '../api/errors';
import type { NetworkView } from '../api/network-view';
import type { NodeDescription, Task, TaskStatus, TLSInfo } from '../api/types';
import { isTerminal } from '../api/types';
import { boundTaskStatus } from '../api/schemas/task-status';
import { systemClock, type Clock } from '../util/clock';
import type { AssignmentsMessage, DispatcherApi, TaskStatusUpdate } from '../manager/dispatcher/api';
import type { Executor } from './executor/executor';
import type { NodeMeshHooks } from './mesh/node-mesh-api';
import { TaskController } from './task-controller';
import { DependencyStore } from './dependency-store';

export interface AgentOptions {
  nodeID: string;
  dispatcher: DispatcherApi;
  executor: Executor;
  description: NodeDescription;
  addr: string;
  clock?: Clock;
  /** How long status reports are collected before one updateTaskStatus call. */
  reportBatchMs?: number;
  /** The node's routing mesh: given each NetworkView, drains tasks before they stop. */
  mesh?: NodeMeshHooks;
  /** Also given each newer NetworkView (the node's DNS). */
  onNetworkView?: (view: NetworkView) => void;
}

const REPORT_BATCH_MS = 50;
/** Re-sending reports that failed to go out (no session, manager busy). */
const REPORT_RETRY_MS = 1_000;
const REGISTER_BACKOFF_MIN_MS = 100;
const REGISTER_BACKOFF_MAX_MS = 5_000;

/**
 * The node side of a session: registers with the dispatcher, heartbeats at
 * the period it is given, runs one controller per assigned task, and sends
 * the observed states back in batches. Reconnects with backoff whenever the
 * session is lost; running tasks are kept across sessions.
 */
export class Agent {
  private readonly clock: Clock;
  private readonly reportBatchMs: number;
  private controllers = new Map<string, TaskController>();
  private sessionID?: string;
  private unsubscribe?: () => void;
  private cancelHeartbeat?: () => void;
  private cancelRetry?: () => void;
  private backoffMs = 0;
  private connecting = false;
  private stopped = false;
  private started?: Promise<void>;
  private onSession?: () => void;
  /** Whether the executor has been told which of the tasks it recovered are still assigned. */
  private reconciled = false;
  private description: NodeDescription;
  /** A TLS identity the dispatcher has not acknowledged yet: it rides on every heartbeat until one succeeds. */
  private tlsToReport?: TLSInfo;

  /** The latest NetworkView of this session (a new session takes whatever view it is sent first). */
  private view?: NetworkView;
  private reports: TaskStatusUpdate[] = [];
  private cancelReport?: () => void;
  private sending?: Promise<void>;
  private readonly offHostPortError?: () => void;
  /** The secrets and configs of this node's tasks, as the dispatcher sends them (memory only). */
  readonly dependencies = new DependencyStore();

  constructor(private readonly opts: AgentOptions) {
    opts.executor.useDependencies?.(this.dependencies);
    this.clock = opts.clock ?? systemClock;
    this.reportBatchMs = opts.reportBatchMs ?? REPORT_BATCH_MS;
    this.description = opts.description;
    // a host-mode published port this node cannot bind fails the service's tasks here (Docker: the
    // container does not start), with the reason as their Status.Err
    this.offHostPortError = opts.mesh?.onHostPortError?.((serviceID, message) => {
      for (const ctl of this.controllers.values()) if (ctl.serviceID === serviceID) ctl.fail(message);
    });
  }

  /** The node's TLS identity changed (a renewal, a new trust root): told on the next heartbeat, the session goes on. */
  setTLSInfo(info: TLSInfo | undefined): void {
    const cur = this.description.TLSInfo;
    if (
      cur?.TrustRoot === info?.TrustRoot &&
      cur?.CertIssuerSubject === info?.CertIssuerSubject &&
      cur?.CertIssuerPublicKey === info?.CertIssuerPublicKey
    )
      return;
    this.description = { ...this.description, TLSInfo: info };
    this.tlsToReport = info;
  }

  get nodeID(): string {
    return this.opts.nodeID;
  }
  /** The NetworkView held now (the newest one the dispatcher pushed). */
  get networkView(): NetworkView | undefined {
    return this.view;
  }

  /** Whether the agent currently holds a session with the dispatcher. */
  get connected(): boolean {
    return this.sessionID !== undefined;
  }

  /** Resolves once the first session is established (or the agent is stopped). */
  start(): Promise<void> {
    if (!this.started) {
      this.started = new Promise((resolve) => (this.onSession = resolve));
      void this.connect();
    }
    return this.started;
  }

  /**
   * Ends the session. Its tasks are shut down, unless `keepTasks` (an agent
   * process exiting with a durable executor: the next start adopts them).
   */
  async stop(opts: { keepTasks?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.offHostPortError?.();
    this.cancelRetry?.();
    this.cancelHeartbeat?.();
    this.cancelReport?.();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.controllers.values()].map((c) => c.close({ remove: false, keep: opts.keepTasks })));
    this.controllers.clear();
    if (opts.keepTasks) await this.opts.executor.detach?.();
    await this.sending;
    const sid = this.sessionID;
    if (sid && this.reports.length) await this.send(sid);
    this.sessionID = undefined;
    if (sid) await this.opts.dispatcher.leave(sid).catch(() => {});
    this.onSession?.();
  }

  // ---------- session ----------

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    try {
      const registering = this.tlsToReport;
      const { sessionID, heartbeatPeriodMs } = await this.opts.dispatcher.register({
        nodeID: this.opts.nodeID,
        description: this.description,
        addr: this.opts.addr,
      });
      // the registration carried the whole description
      if (this.tlsToReport === registering) this.tlsToReport = undefined;
      if (this.stopped) {
        await this.opts.dispatcher.leave(sessionID).catch(() => {});
        return;
      }
      this.backoffMs = 0;
      this.sessionID = sessionID;
      this.view = undefined;
      this.unsubscribe = this.opts.dispatcher.assignments(sessionID, (m) => this.onAssignments(sessionID, m));
      this.scheduleHeartbeat(sessionID, heartbeatPeriodMs);
      this.reportAll();
      if (this.reports.length) this.scheduleReport(0);
      this.onSession?.();
    } catch {
      if (this.stopped) return;
      this.backoffMs = Math.min(REGISTER_BACKOFF_MAX_MS, this.backoffMs ? this.backoffMs * 2 : REGISTER_BACKOFF_MIN_MS);
      this.cancelRetry = this.clock.setTimeout(() => {
        this.cancelRetry = undefined;
        void this.connect();
      }, this.backoffMs);
    } finally {
      this.connecting = false;
    }
  }

  private scheduleHeartbeat(sessionID: string, ms: number): void {
    this.cancelHeartbeat = this.clock.setTimeout(() => {
      this.cancelHeartbeat = undefined;
      const tlsInfo = this.tlsToReport;
      const meshErrors = this.opts.mesh?.errors();
      const meshPortErrors = this.opts.mesh?.portErrors?.();
      const report =
        tlsInfo || meshErrors
          ? {
              ...(tlsInfo ? { tlsInfo } : {}),
              ...(meshErrors ? { meshErrors } : {}),
              ...(meshPortErrors ? { meshPortErrors } : {}),
            }
          : undefined;
      this.opts.dispatcher.heartbeat(sessionID, report).then(
        ({ periodMs }) => {
          if (tlsInfo && this.tlsToReport === tlsInfo) this.tlsToReport = undefined;
          if (!this.stopped && this.sessionID === sessionID) this.scheduleHeartbeat(sessionID, periodMs);
        },
        () => this.sessionLost(sessionID),
      );
    }, ms);
  }

  private sessionLost(sessionID: string): void {
    if (this.stopped || this.sessionID !== sessionID) return;
    this.sessionID = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = undefined;
    void this.connect();
  }

  // ---------- assignments ----------

  private onAssignments(sessionID: string, m: AssignmentsMessage): void {
    if (this.stopped || sessionID !== this.sessionID) return;
    const v = m.networkView;
    if (v && (!this.view || v.Revision >= this.view.Revision)) {
      this.view = v;
      try {
        this.opts.mesh?.setView(v);
      } catch (err) {
        console.error('agent: the routing mesh could not take the network view', err);
      }
      try {
        this.opts.onNetworkView?.(v);
      } catch (err) {
        console.error('agent: the node DNS could not take the network view', err);
      }
    }
    // before the tasks: a task that is started now finds its secrets and configs
    this.dependencies.applyChanges(m.dependencies, m.type === 'complete');
    if (m.type === 'complete') {
      const keep = new Set(m.changes.map((c) => c.task.ID));
      for (const id of [...this.controllers.keys()]) if (!keep.has(id)) this.forget(id);
      if (!this.reconciled) this.reconcile(m);
    }
    for (const c of m.changes) {
      if (c.action === 'remove') this.forget(c.task.ID);
      else this.assign(c.task);
    }
  }

  /**
   * The first complete set after the agent started says which tasks an
   * earlier run of this agent left behind are still ours (Executor.reconcile).
   * Those are disjoint from the tasks handed to controllers below, so this
   * runs alongside them.
   */
  private reconcile(m: AssignmentsMessage): void {
    this.reconciled = true;
    const assigned = m.changes.filter((c) => c.action !== 'remove').map((c) => c.task);
    this.opts.executor
      .reconcile?.(assigned)
      .catch((err: unknown) => console.error('agent: reconciling recovered tasks failed', err));
  }

  private assign(task: Task): void {
    const ctl = this.controllers.get(task.ID);
    if (ctl) return ctl.update(task);
    // A task that already ended on the manager's side needs no controller.
    if (isTerminal(task.Status.State)) return;
    const created = new TaskController(
      task,
      this.opts.executor,
      (id, s) => this.report(id, s),
      this.clock,
      this.opts.mesh?.drain,
      this.opts.mesh?.portStatus ? (t) => this.opts.mesh?.portStatus?.(t) ?? [] : undefined,
    );
    this.controllers.set(task.ID, created);
    created.kick();
  }

  /** The assignment was withdrawn (task deleted): stop it and free it, reporting nothing. */
  private forget(taskID: string): void {
    const ctl = this.controllers.get(taskID);
    if (!ctl) return;
    this.controllers.delete(taskID);
    void ctl.close({ remove: true });
  }

  // ---------- status reports ----------

  /** Every task's current state to a new session, ahead of anything newer (the dispatcher drops repeats). */
  private reportAll(): void {
    const pending = new Set(this.reports.map((r) => r.taskID));
    const again: TaskStatusUpdate[] = [];
    for (const [taskID, ctl] of this.controllers) {
      const status = ctl.lastStatus;
      if (status && !pending.has(taskID)) again.push({ taskID, status });
    }
    this.reports = [...again, ...this.reports];
  }

  private report(taskID: string, status: TaskStatus): void {
    if (this.stopped) return;
    this.reports.push({ taskID, status: boundTaskStatus(status) });
    if (!this.cancelReport) this.scheduleReport(this.reportBatchMs);
  }

  private scheduleReport(ms: number): void {
    this.cancelReport?.();
    this.cancelReport = this.clock.setTimeout(() => {
      this.cancelReport = undefined;
      void this.flushReports();
    }, ms);
  }

  private async flushReports(): Promise<void> {
    if (this.sending) return void this.sending.then(() => this.flushReports());
    const sid = this.sessionID;
    if (!sid || this.reports.length === 0) return; // sent once a session exists
    this.sending = this.send(sid).finally(() => (this.sending = undefined));
    await this.sending;
  }

  /** One updateTaskStatus call for everything collected, in order. */
  private async send(sessionID: string): Promise<void> {
    const batch = this.reports;
    this.reports = [];
    try {
      await this.opts.dispatcher.updateTaskStatus(sessionID, batch);
    } catch (err) {
      // A refused batch would be refused again; anything else is retried (the dispatcher drops repeats).
      if (err instanceof SwarmError && (err.code === 'PermissionDenied' || err.code === 'InvalidArgument')) {
        console.error('agent: status report refused', err.message);
        return;
      }
      this.reports = [...batch, ...this.reports];
      if (!this.stopped && !this.cancelReport) this.scheduleReport(REPORT_RETRY_MS);
    }
  }
}
