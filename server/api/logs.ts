// Task logs as they travel: agents → the leader's log broker → the Engine API
// (`docker service logs`) and the console. Plain data only; shared by the
// agent, the manager, the HTTP edges and the browser.

export type LogStreamName = 'stdout' | 'stderr';

/** Which tasks' logs: every task of the services plus the named tasks (IDs, resolved). */
export interface LogSelector {
  serviceIDs?: string[];
  taskIDs?: string[];
}

export interface LogOptions {
  /** Keep streaming new lines (and tasks that appear later) until cancelled. */
  follow: boolean;
  /** Per task, only the last N lines of what is kept (undefined: all). */
  tail?: number;
  /** Only lines at or after this time (ms since the epoch). */
  since?: number;
  /** Which streams (default both). */
  streams?: LogStreamName[];
}

/** Where a line comes from (swarmkit's LogContext). */
export interface LogContext {
  nodeID: string;
  serviceID: string;
  taskID: string;
}

/** One line of a task's output. */
export interface LogMessage {
  context: LogContext;
  /** ISO 8601 time the line was read. */
  time: string;
  stream: LogStreamName;
  line: string;
}

/** How a subscription ended: `warning` names the nodes whose logs are missing. */
export interface LogEnd {
  warning?: string;
}

/** Where a subscription's lines go, in order; `end` is called once, last. */
export interface LogSink {
  messages(batch: LogMessage[]): void;
  end(result: LogEnd): void;
  /**
   * Backpressure: undefined while the sink takes more lines, or a promise that
   * settles once it does again (its reader caught up, or went away). Sources
   * that can wait (a node's publisher, a follower's poll) hold their lines
   * meanwhile, as dockerd blocks a slow `docker logs` reader's stream.
   */
  ready?(): Promise<void> | undefined;
}

/** The broker's side of a log request, as the Engine API and the console see it. */
export interface LogsApi {
  /**
   * Streams the selected tasks' lines into `sink`. Throws (or rejects) before
   * anything is streamed when it cannot serve (no leader, ...). The returned
   * function cancels; a non-follow subscription also ends by itself.
   */
  subscribe(selector: LogSelector, options: LogOptions, sink: LogSink): Promise<() => void>;
}

// ---------- broker ⇄ node ----------

/** One task of a node's subscription: which of its kept lines to send first. */
export interface NodeLogTask {
  taskID: string;
  /** Only the last N kept lines (undefined: all). */
  tail?: number;
  /** Only lines at or after this time (ms since the epoch). */
  since?: number;
}

/** What a node is asked for: these of its tasks; with `follow`, their new lines too until the subscription goes. */
export interface NodeLogSubscription {
  id: string;
  follow: boolean;
  tasks: NodeLogTask[];
}

/** A line as a node publishes it: the broker adds the context it can vouch for. */
export interface PublishedLine {
  taskID: string;
  time: string;
  stream: LogStreamName;
  line: string;
}

export interface LogPublishBatch {
  subscriptionID: string;
  lines: PublishedLine[];
  /** The node has sent everything a non-follow subscription asked of it. */
  close?: boolean;
}

/**
 * What a node's log publisher talks to: in-process the broker itself; for an
 * agent process, the remote client over the cluster transport.
 */
export interface LogBrokerNodeApi {
  /** The node's current subscriptions, now and on every change (the full set each time). Returns the stop. */
  listen(nodeID: string, onChange: (subs: NodeLogSubscription[]) => void): () => void;
  /**
   * Lines for one subscription. Rejects with NotFound for an ended subscription, PermissionDenied for others' tasks.
   * Answers `{busy: true}` without taking the lines while the subscription's reader is behind: publish them again later.
   */
  publish(nodeID: string, batch: LogPublishBatch): Promise<LogPublishAnswer>;
}

/** A publish's answer: null when the lines were taken. */
export type LogPublishAnswer = { busy: true } | null;

/** The console's NDJSON log stream: one of these per line of the response. */
export type LogStreamEvent = { m: LogMessage } | { end: LogEnd } | { error: string };

// ---------- over the cluster transport ----------

/** Requests a node (or a manager on behalf of its in-process nodes) and other managers send the leader. */
export type LogBrokerRequest =
  /** Long-poll: the node's subscriptions once they differ from `stream`/`version` (or after `waitMs`). */
  | { logbroker: 'subscriptions'; nodeID: string; stream: string | null; version: number; waitMs: number }
  | { logbroker: 'publish'; nodeID: string; batch: LogPublishBatch }
  /** A manager that is not the leader opens a subscription on the leader for its Engine API / console. */
  | { logbroker: 'open'; selector: LogSelector; options: LogOptions }
  /** Long-poll: the session's messages after `cursor`. */
  | { logbroker: 'poll'; session: string; cursor: number; waitMs: number }
  | { logbroker: 'close'; session: string };

export interface SubscriptionsPage {
  stream: string;
  version: number;
  subscriptions: NodeLogSubscription[];
}

export interface LogSessionOpened {
  session: string;
}

export interface LogSessionPage {
  cursor: number;
  messages: LogMessage[];
  /** Set once the subscription ended and every message before the end was returned. */
  end?: LogEnd;
}

const LOGBROKER_METHODS: ReadonlySet<string> = new Set(['subscriptions', 'publish', 'open', 'poll', 'close']);

/** Whether a transport request is meant for the log broker. */
export function isLogBrokerRequest(p: unknown): p is LogBrokerRequest {
  return (
    typeof p === 'object' && p !== null && LOGBROKER_METHODS.has((p as { logbroker?: unknown }).logbroker as string)
  );
}
