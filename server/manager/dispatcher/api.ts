import type { NetworkView } from '../../api/network-view';
import type { MeshPortError, NodeDescription, Task, TaskStatus, TLSInfo } from '../../api/types';
import type { DependencyChange } from './task-dependencies';

export type { DependencyChange };

/**
 * The session an agent holds with the dispatcher. In-process agents call it
 * directly; remote agents (a later issue) reach the same interface over the
 * cluster port, so nothing here may assume shared memory.
 */
export interface DispatcherApi {
  /** Open a session for an existing node (created at join); marks it READY. */
  register(req: RegisterRequest): Promise<RegisterResponse>;
  /**
   * Re-arms the node's expiry timer; returns the next period with jitter. `report` carries what changed
   * on the node meanwhile (a renewed certificate), so the session goes on rather than starting over.
   */
  heartbeat(sessionID: string, report?: HeartbeatReport): Promise<{ periodMs: number }>;
  /**
   * Stream of this node's assignments: one `complete` message, then
   * `incremental` ones. Returns an unsubscribe function.
   */
  assignments(sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void;
  /** Batched observed-state reports; backwards transitions are dropped. */
  updateTaskStatus(sessionID: string, updates: TaskStatusUpdate[]): Promise<void>;
  /** Ends the session (the node will go DOWN unless it registers again). */
  leave(sessionID: string): Promise<void>;
}

export interface HeartbeatReport {
  /** The node's TLS identity now (after a renewal or a new trust root). */
  tlsInfo?: TLSInfo;
  /**
   * The routing mesh's trouble on this node now (ports it cannot bind), one line each; [] once all is
   * well again. Shown as the node's Status.Message.
   */
  meshErrors?: string[];
  /** The same bind failures, per service and port: stored on the node, shown as the service's MeshErrors. */
  meshPortErrors?: MeshPortError[];
}

export interface RegisterRequest {
  nodeID: string;
  description: NodeDescription;
  addr: string;
}
export interface RegisterResponse {
  sessionID: string;
  heartbeatPeriodMs: number;
}

export interface AssignmentChange {
  action: 'update' | 'remove';
  task: Task;
}
export interface AssignmentsMessage {
  type: 'complete' | 'incremental';
  changes: AssignmentChange[];
  /**
   * The node's NetworkView when it changed (always on a `complete`): coalesced, at most one push per
   * ~100 ms. The agent keeps the latest (highest Revision within a session).
   */
  networkView?: NetworkView;
  /**
   * The secrets and configs the node's tasks need, beside them (swarmkit's assignment changes of kind
   * Secret/Config): on a `complete` all of them, later what changed; `remove` withdraws one no task on
   * the node uses any more. The agent applies them before the message's task changes.
   */
  dependencies?: DependencyChange[];
}

export interface TaskStatusUpdate {
  taskID: string;
  status: TaskStatus;
}
