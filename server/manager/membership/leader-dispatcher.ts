// The dispatcher a manager's own agents talk to: the local Dispatcher while
// this manager leads, the leader's over the cluster transport otherwise. A
// session stays with the dispatcher that issued it; once leadership moves its
// calls fail and the agent registers again (its own reconnect logic).

import { rpcError } from '../../api/errors';
import type {
  AssignmentsMessage,
  DispatcherApi,
  HeartbeatReport,
  RegisterRequest,
  RegisterResponse,
  TaskStatusUpdate,
} from '../dispatcher/api';

export class LeaderDispatcher implements DispatcherApi {
  private readonly localSessions = new Set<string>();

  constructor(
    /** The local Dispatcher while this manager leads and its loops run, else undefined. */
    private readonly local: () => DispatcherApi | undefined,
    private readonly remote: DispatcherApi,
  ) {}

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    const d = this.local();
    if (!d) return this.remote.register(req);
    const res = await d.register(req);
    this.localSessions.add(res.sessionID);
    return res;
  }

  async heartbeat(sessionID: string, report?: HeartbeatReport): Promise<{ periodMs: number }> {
    return this.route(sessionID).heartbeat(sessionID, report);
  }

  assignments(sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    return this.route(sessionID).assignments(sessionID, onMessage);
  }

  async updateTaskStatus(sessionID: string, updates: TaskStatusUpdate[]): Promise<void> {
    return this.route(sessionID).updateTaskStatus(sessionID, updates);
  }

  async leave(sessionID: string): Promise<void> {
    const d = this.route(sessionID);
    this.localSessions.delete(sessionID);
    await d.leave(sessionID);
  }

  /** Throws (synchronously, like the Dispatcher) when the session's dispatcher is gone; async callers reject. */
  private route(sessionID: string): DispatcherApi {
    if (!this.localSessions.has(sessionID)) return this.remote;
    const d = this.local();
    if (d) return d;
    this.localSessions.delete(sessionID);
    throw rpcError('Unavailable', `this manager stopped leading; session ${sessionID} is over`);
  }
}
