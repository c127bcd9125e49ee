// The agent's side: DispatcherApi over the cluster transport, to whichever
// manager is leader. A session belongs to the leader that issued it; once
// another manager leads, the session's calls fail so the Agent registers
// again (heartbeat failure → re-registration is the Agent's own logic).

import { rpcError } from '../../../api/errors';
import type { RaftId } from '../../../raft/types';
import { systemClock, type Clock } from '../../../util/clock';
import { chunkByJsonBytes } from '../../../util/json-chunks';
import type {
  AssignmentsMessage,
  DispatcherApi,
  HeartbeatReport,
  RegisterRequest,
  RegisterResponse,
  TaskStatusUpdate,
} from '../api';
import {
  remoteError,
  type AssignmentsCursor,
  type AssignmentsPage,
  type DispatcherRequest,
  type WireAssignments,
} from './wire';

export interface RequestTransport {
  request(target: RaftId, payload: unknown, timeoutMs: number): Promise<unknown>;
}

export interface RemoteDispatcherOptions {
  transport: RequestTransport;
  /** The current leader's raft ID (undefined while none is known). */
  leader: () => RaftId | undefined;
  clock?: Clock;
  /** Deadline of a plain request, and the margin added to a long-poll's wait. */
  requestTimeoutMs?: number;
  /** How long the leader may hold an assignments poll (it caps this at its own maximum). */
  pollWaitMs?: number;
  /** Backoff between failed polls. */
  pollBackoff?: { minMs: number; maxMs: number };
}

const REQUEST_TIMEOUT_MS = 5_000;
const POLL_WAIT_MS = 10_000;
const POLL_BACKOFF = { minMs: 100, maxMs: 5_000 };
/** Encoded statuses in one updateTaskStatus request: half a node's frame limit. */
export const STATUS_BATCH_BYTES = 512 * 1024;
/** Sessions remembered (an agent holds one at a time; old ones linger only if never left). */
const MAX_SESSIONS = 64;

export class RemoteDispatcher implements DispatcherApi {
  private readonly clock: Clock;
  private readonly requestTimeoutMs: number;
  private readonly pollWaitMs: number;
  private readonly backoff: { minMs: number; maxMs: number };
  /** Which leader issued each session. */
  private readonly sessionLeader = new Map<string, RaftId>();

  constructor(private readonly opts: RemoteDispatcherOptions) {
    this.clock = opts.clock ?? systemClock;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.pollWaitMs = opts.pollWaitMs ?? POLL_WAIT_MS;
    this.backoff = opts.pollBackoff ?? POLL_BACKOFF;
  }

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    const leader = this.opts.leader();
    if (!leader) throw rpcError('Unavailable', 'no leader is known');
    const res = (await this.call(leader, { dispatcher: 'register', req })) as RegisterResponse;
    this.sessionLeader.set(res.sessionID, leader);
    if (this.sessionLeader.size > MAX_SESSIONS) this.sessionLeader.delete(this.sessionLeader.keys().next().value!);
    return res;
  }

  async heartbeat(sessionID: string, report?: HeartbeatReport): Promise<{ periodMs: number }> {
    const req: DispatcherRequest = {
      dispatcher: 'heartbeat',
      sessionID,
      ...(report?.tlsInfo || report?.meshErrors || report?.meshPortErrors ? { report } : {}),
    };
    return (await this.call(this.sessionTarget(sessionID), req)) as { periodMs: number };
  }

  async updateTaskStatus(sessionID: string, updates: TaskStatusUpdate[]): Promise<void> {
    // a node's frames are capped (1 MiB): many statuses go as several requests, in order
    for (const part of chunkByJsonBytes(updates, STATUS_BATCH_BYTES)) {
      await this.call(this.sessionTarget(sessionID), { dispatcher: 'updateTaskStatus', sessionID, updates: part });
    }
  }

  async leave(sessionID: string): Promise<void> {
    // Told to the manager that issued it, leader or not: it is that one's session to end.
    const target = this.sessionLeader.get(sessionID) ?? this.opts.leader();
    this.sessionLeader.delete(sessionID);
    if (target) await this.call(target, { dispatcher: 'leave', sessionID });
  }

  /**
   * Long-polls the session's leader, one request at a time, and hands each
   * message on in order. Failed polls back off (bounded); a NotFound (the
   * session is gone) ends the loop, as does the returned unsubscribe.
   */
  assignments(sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    let stopped = false;
    let cancelRetry: (() => void) | undefined;
    let cursor: AssignmentsCursor | null = null;
    let partial: AssignmentsMessage | undefined;
    let backoffMs = 0;

    const deliver = (m: WireAssignments) => {
      const deps = [...(partial?.dependencies ?? []), ...(m.dependencies ?? [])];
      partial = {
        type: partial?.type ?? m.type,
        changes: partial ? [...partial.changes, ...m.changes] : m.changes,
        ...(deps.length ? { dependencies: deps } : {}),
      };
      if (m.more) return;
      const whole: AssignmentsMessage = m.networkView ? { ...partial, networkView: m.networkView } : partial;
      partial = undefined;
      try {
        onMessage(whole);
      } catch (err) {
        console.error('remote dispatcher: assignments listener failed', err);
      }
    };

    const poll = async (): Promise<void> => {
      while (!stopped) {
        let page: AssignmentsPage;
        try {
          const target = this.sessionTarget(sessionID);
          const req: DispatcherRequest = { dispatcher: 'assignments', sessionID, cursor, waitMs: this.pollWaitMs };
          page = (await this.request(target, req, this.pollWaitMs + this.requestTimeoutMs)) as AssignmentsPage;
        } catch (err) {
          if (stopped || remoteError(err).code === 'NotFound') return;
          backoffMs = Math.min(this.backoff.maxMs, backoffMs ? backoffMs * 2 : this.backoff.minMs);
          await new Promise<void>((resolve) => (cancelRetry = this.clock.setTimeout(resolve, backoffMs)));
          cancelRetry = undefined;
          continue;
        }
        if (stopped) return;
        backoffMs = 0;
        // A new stream starts over with a `complete`: parts of the old one are void.
        if (cursor?.stream !== page.stream) partial = undefined;
        cursor = { stream: page.stream, seq: page.seq };
        for (const m of page.messages) {
          if (stopped) return;
          deliver(m);
        }
      }
    };
    void poll();
    return () => {
      stopped = true;
      cancelRetry?.();
    };
  }

  /** The leader that holds the session; fails once another manager leads, so the agent registers again. */
  private sessionTarget(sessionID: string): RaftId {
    const issuer = this.sessionLeader.get(sessionID);
    const leader = this.opts.leader();
    if (!issuer) {
      if (!leader) throw rpcError('Unavailable', 'no leader is known');
      return leader;
    }
    if (leader && leader !== issuer) {
      throw rpcError('Unavailable', `leader changed from ${issuer} to ${leader}; session ${sessionID} is over`);
    }
    return issuer;
  }

  private call(target: RaftId, req: DispatcherRequest): Promise<unknown> {
    return this.request(target, req, this.requestTimeoutMs);
  }

  private async request(target: RaftId, req: DispatcherRequest, timeoutMs: number): Promise<unknown> {
    try {
      return await this.opts.transport.request(target, req, timeoutMs);
    } catch (err) {
      throw remoteError(err);
    }
  }
}
