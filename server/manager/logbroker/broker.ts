// The leader's log broker (swarmkit manager/logbroker, over our transport):
// a subscription names services or tasks; the broker tells the nodes that
// run (or ran) those tasks, and relays the lines they publish back to the
// subscriber. Non-follow subscriptions end once every node said it is done,
// or after a bounded silence that names the nodes that did not answer.

import { rpcError } from '../../api/errors';
import { newID } from '../../api/ids';
import type {
  LogBrokerNodeApi,
  LogMessage,
  LogOptions,
  LogPublishAnswer,
  LogPublishBatch,
  LogSelector,
  LogSink,
  LogsApi,
  NodeLogSubscription,
  NodeLogTask,
} from '../../api/logs';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { selectTasks, wanted } from './select';

export interface LogBrokerOptions {
  /** How long a non-follow subscription waits for its nodes before ending without them. */
  completionTimeoutMs?: number;
  /** Debounce of the follow subscriptions' re-selection after task changes. */
  reselectMs?: number;
}

const COMPLETION_TIMEOUT_MS = 5_000;
const RESELECT_MS = 50;

interface NodePart {
  /** task ID → service ID, as sent to the node. */
  tasks: Map<string, string>;
  /** Per-task read options, in the order sent. */
  sent: NodeLogTask[];
}

interface Subscription {
  id: string;
  selector: LogSelector;
  options: LogOptions;
  startedAt: number;
  sink: LogSink;
  nodes: Map<string, NodePart>;
  /** Non-follow: nodes that have not closed yet. */
  pending: Set<string>;
  /** Why some logs are missing (node X is not available, ...). */
  missing: string[];
  cancelTimer?: () => void;
  ended: boolean;
}

/** The incomplete-stream warning swarmkit gives. */
export function incompleteWarning(reasons: string[]): string {
  return `warning: incomplete log stream. some logs could not be retrieved for the following reasons: ${reasons.join(', ')}`;
}

export class LogBroker implements LogBrokerNodeApi, LogsApi {
  private readonly completionTimeoutMs: number;
  private readonly reselectMs: number;
  private readonly subs = new Map<string, Subscription>();
  private readonly listeners = new Map<string, Set<(subs: NodeLogSubscription[]) => void>>();
  private unwatch?: () => void;
  private cancelReselect?: () => void;
  private running = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
    opts: LogBrokerOptions = {},
  ) {
    this.completionTimeoutMs = opts.completionTimeoutMs ?? COMPLETION_TIMEOUT_MS;
    this.reselectMs = opts.reselectMs ?? RESELECT_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unwatch = this.store.view.watch((e) => {
      if (this.cancelReselect || !this.hasFollowers()) return;
      if (!e.changes.some((c) => c.kind === 'task')) return;
      this.cancelReselect = this.clock.setTimeout(() => {
        this.cancelReselect = undefined;
        this.reselect();
      }, this.reselectMs);
    });
  }

  /** Ends every subscription (leadership is gone: the next leader's broker takes new ones) and forgets the nodes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    this.cancelReselect?.();
    this.cancelReselect = undefined;
    for (const s of [...this.subs.values()]) {
      s.missing.push('the log broker stopped (this manager is no longer the leader)');
      this.finish(s);
    }
    const listeners = [...this.listeners.values()].flatMap((set) => [...set]);
    this.listeners.clear();
    for (const l of listeners) safeCall(() => l([]));
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  // ---------- subscribers ----------

  async subscribe(selector: LogSelector, options: LogOptions, sink: LogSink): Promise<() => void> {
    return this.open(selector, options, sink);
  }

  /** Synchronous form of `subscribe`. */
  open(selector: LogSelector, options: LogOptions, sink: LogSink): () => void {
    if (!this.running) throw rpcError('Unavailable', 'the log broker is not running on this manager');
    const s: Subscription = {
      id: newID(),
      selector,
      options,
      startedAt: this.clock.now(),
      sink,
      nodes: new Map(),
      pending: new Set(),
      missing: [],
      ended: false,
    };
    this.subs.set(s.id, s);
    const selection = selectTasks(this.store.view, selector);
    const touched: string[] = [];
    for (const [nodeID, tasks] of selection) {
      if (!options.follow && !this.nodeAvailable(nodeID)) {
        s.missing.push(`node ${nodeID} is not available`);
        continue;
      }
      const part: NodePart = { tasks: new Map(), sent: [] };
      for (const [taskID, serviceID] of tasks) {
        part.tasks.set(taskID, serviceID);
        part.sent.push({ taskID, tail: options.tail, since: options.since });
      }
      s.nodes.set(nodeID, part);
      if (!options.follow) s.pending.add(nodeID);
      touched.push(nodeID);
    }
    if (!options.follow) {
      if (s.pending.size === 0) {
        // nothing to wait for: end after the caller has the cancel function
        queueMicrotask(() => this.finish(s));
      } else {
        this.armCompletion(s);
      }
    }
    for (const n of touched) this.notify(n);
    return () => {
      if (s.ended) return;
      s.ended = true;
      this.drop(s);
    };
  }

  // ---------- nodes ----------

  listen(nodeID: string, onChange: (subs: NodeLogSubscription[]) => void): () => void {
    let set = this.listeners.get(nodeID);
    if (!set) this.listeners.set(nodeID, (set = new Set()));
    set.add(onChange);
    safeCall(() => onChange(this.subscriptionsOf(nodeID)));
    return () => {
      const cur = this.listeners.get(nodeID);
      if (!cur) return;
      cur.delete(onChange);
      if (cur.size === 0) this.listeners.delete(nodeID);
    };
  }

  /** The node's part of every open subscription. */
  subscriptionsOf(nodeID: string): NodeLogSubscription[] {
    const out: NodeLogSubscription[] = [];
    for (const s of this.subs.values()) {
      const part = s.nodes.get(nodeID);
      if (!part || (!s.options.follow && !s.pending.has(nodeID))) continue;
      out.push({ id: s.id, follow: s.options.follow, tasks: [...part.sent] });
    }
    return out;
  }

  async publish(nodeID: string, batch: LogPublishBatch): Promise<LogPublishAnswer> {
    return this.accept(nodeID, batch);
  }

  /**
   * Checks and relays one batch. A node may publish only for a subscription
   * it was given, and only lines of the tasks it was asked for (which the
   * store placed on it). While the subscriber is behind, the batch is
   * refused as busy and the node keeps it (its own buffer is bounded): the
   * broker holds nothing, however slow the reader.
   */
  accept(nodeID: string, batch: LogPublishBatch): LogPublishAnswer {
    const s = this.subs.get(batch.subscriptionID);
    if (!s) throw rpcError('NotFound', `log subscription ${batch.subscriptionID} not found`);
    const part = s.nodes.get(nodeID);
    if (!part) throw rpcError('PermissionDenied', `node ${nodeID} is not part of log subscription ${s.id}`);
    if (s.sink.ready?.() !== undefined) {
      // the node answered: a non-follow subscription waits for its reader, not for a deadline
      if (!s.options.follow) this.armCompletion(s);
      return { busy: true };
    }
    const out: LogMessage[] = [];
    for (const l of batch.lines ?? []) {
      const serviceID = part.tasks.get(l.taskID);
      if (serviceID === undefined)
        throw rpcError('PermissionDenied', `node ${nodeID} cannot publish logs for task ${l.taskID}`);
      const m: LogMessage = {
        context: { nodeID, serviceID, taskID: l.taskID },
        time: l.time,
        stream: l.stream === 'stderr' ? 'stderr' : 'stdout',
        line: String(l.line),
      };
      if (wanted(m, s.options)) out.push(m);
    }
    if (out.length) safeCall(() => s.sink.messages(out));
    if (batch.close && !s.options.follow && s.pending.delete(nodeID)) {
      this.notify(nodeID);
      if (s.pending.size === 0) this.finish(s);
    }
    if (!s.ended && !s.options.follow && s.pending.size) this.armCompletion(s);
    return null;
  }

  // ---------- internals ----------

  /** (Re)starts a non-follow subscription's wait for its nodes: the nodes silent that long are named missing. */
  private armCompletion(s: Subscription): void {
    s.cancelTimer?.();
    s.cancelTimer = this.clock.setTimeout(() => {
      s.cancelTimer = undefined;
      for (const n of s.pending) s.missing.push(`node ${n} did not answer within ${this.completionTimeoutMs} ms`);
      this.finish(s);
    }, this.completionTimeoutMs);
  }

  private nodeAvailable(nodeID: string): boolean {
    const node = this.store.view.get('node', nodeID);
    return !!node && node.Status.State !== 'down';
  }

  private hasFollowers(): boolean {
    for (const s of this.subs.values()) if (s.options.follow) return true;
    return false;
  }

  /** Follow subscriptions take in tasks that got logs since (new replicas, restarts). */
  private reselect(): void {
    const touched = new Set<string>();
    for (const s of this.subs.values()) {
      if (!s.options.follow) continue;
      for (const [nodeID, tasks] of selectTasks(this.store.view, s.selector)) {
        let part = s.nodes.get(nodeID);
        for (const [taskID, serviceID] of tasks) {
          if (part?.tasks.has(taskID)) continue;
          if (!part) s.nodes.set(nodeID, (part = { tasks: new Map(), sent: [] }));
          part.tasks.set(taskID, serviceID);
          // a task that joins later sends what it printed since the subscription began
          part.sent.push({ taskID, since: Math.max(s.options.since ?? 0, s.startedAt) });
          touched.add(nodeID);
        }
      }
    }
    for (const n of touched) this.notify(n);
  }

  private finish(s: Subscription): void {
    if (s.ended) return;
    s.ended = true;
    this.drop(s);
    const warning = s.missing.length ? incompleteWarning(s.missing) : undefined;
    safeCall(() => s.sink.end(warning ? { warning } : {}));
  }

  private drop(s: Subscription): void {
    s.cancelTimer?.();
    s.cancelTimer = undefined;
    this.subs.delete(s.id);
    const nodes = s.options.follow ? [...s.nodes.keys()] : [...s.pending];
    s.pending.clear();
    for (const n of nodes) this.notify(n);
  }

  private notify(nodeID: string): void {
    const set = this.listeners.get(nodeID);
    if (!set?.size) return;
    const subs = this.subscriptionsOf(nodeID);
    for (const l of [...set]) safeCall(() => l(subs));
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('log broker: listener failed', err);
  }
}
