// The agent process's dispatcher: the leader's, over the cluster transport.
// Registering first finds the leader (the directory), and every register and
// heartbeat answer brings the manager list along.

import type {
  AssignmentsMessage,
  DispatcherApi,
  HeartbeatReport,
  RegisterRequest,
  RegisterResponse,
  TaskStatusUpdate,
} from '../manager/dispatcher/api';
import {
  isNodeCAStatus,
  RemoteDispatcher,
  type NodeCAStatus,
  type RequestTransport,
} from '../manager/dispatcher/remote';
import type { Clock } from '../util/clock';
import { isManagerDirectory, type ManagerDirectoryClient } from './manager-directory';

export class AgentSessionClient implements DispatcherApi {
  private readonly remote: RemoteDispatcher;
  private lostSession = false;
  /** The leader of the last session opened, to log when it changes. */
  private sessionLeader = '';
  private lastFailure = '';

  constructor(
    transport: RequestTransport,
    private readonly directory: ManagerDirectoryClient,
    clock?: Clock,
    /** Told the CA's word on this node's certificate with every answer (renewals and trust roots follow it). */
    private readonly onCAStatus: (s: NodeCAStatus) => void = () => {},
  ) {
    this.remote = new RemoteDispatcher({ transport, leader: () => directory.leader, clock });
  }

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    // after a lost session (leader gone or changed), ask the managers who leads now
    if (this.lostSession || !this.directory.leader) await this.directory.refresh();
    try {
      const res = await this.remote.register(req);
      this.lostSession = false;
      this.take(res);
      const leader = this.directory.leader ?? '?';
      if (leader !== this.sessionLeader) console.log(`swarmdeck agent: session opened with leader ${leader}`);
      this.lastFailure = '';
      this.sessionLeader = leader;
      return { sessionID: res.sessionID, heartbeatPeriodMs: res.heartbeatPeriodMs };
    } catch (err) {
      this.lostSession = true;
      this.explain(err);
      throw err;
    }
  }

  /** Why registering fails, once per distinct reason (the agent keeps retrying with backoff). */
  private explain(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    if (text === this.lastFailure) return;
    this.lastFailure = text;
    const removed = /is not part of this swarm|node \w+ not found|was removed from swarm/.test(text);
    console.error(
      removed
        ? 'swarmdeck agent: this node was removed from the swarm; stop it, and join again with a fresh --data-dir'
        : `swarmdeck agent: no session yet (${text}); retrying`,
    );
  }

  async heartbeat(sessionID: string, report?: HeartbeatReport): Promise<{ periodMs: number }> {
    try {
      const res = await this.remote.heartbeat(sessionID, report);
      this.take(res);
      return { periodMs: res.periodMs };
    } catch (err) {
      this.lostSession = true;
      throw err;
    }
  }

  assignments(sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    return this.remote.assignments(sessionID, onMessage);
  }

  updateTaskStatus(sessionID: string, updates: TaskStatusUpdate[]): Promise<void> {
    return this.remote.updateTaskStatus(sessionID, updates);
  }

  leave(sessionID: string): Promise<void> {
    return this.remote.leave(sessionID);
  }

  private take(res: object): void {
    const { directory: d, ca } = res as { directory?: unknown; ca?: unknown };
    if (isManagerDirectory(d)) this.directory.apply(d);
    if (isNodeCAStatus(ca)) this.onCAStatus(ca);
  }
}
