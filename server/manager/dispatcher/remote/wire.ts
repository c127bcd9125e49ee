// What a remote agent and the leader's dispatcher exchange over the cluster
// transport's request/response. Plain JSON; every request names its method
// in `dispatcher`, so other request kinds can share the transport.

import { SwarmError, errorFromWire, rpcError } from '../../../api/errors';
import type { TLSInfo } from '../../../api/types';
import type { AssignmentsMessage, HeartbeatReport, RegisterRequest, TaskStatusUpdate } from '../api';

export type DispatcherMethod = 'register' | 'heartbeat' | 'updateTaskStatus' | 'leave' | 'assignments';
const METHODS: ReadonlySet<string> = new Set<DispatcherMethod>([
  'register',
  'heartbeat',
  'updateTaskStatus',
  'leave',
  'assignments',
]);

/** Where a poller is in one assignments stream: the last sequence number it received. */
export interface AssignmentsCursor {
  stream: string;
  seq: number;
}

export type DispatcherRequest =
  | { dispatcher: 'register'; req: RegisterRequest }
  | { dispatcher: 'heartbeat'; sessionID: string; report?: HeartbeatReport }
  | { dispatcher: 'updateTaskStatus'; sessionID: string; updates: TaskStatusUpdate[] }
  | { dispatcher: 'leave'; sessionID: string }
  /** Long-poll: messages after `cursor` (null: start a stream, whose first message is `complete`). */
  | { dispatcher: 'assignments'; sessionID: string; cursor: AssignmentsCursor | null; waitMs: number };

/**
 * One assignments message on the wire. A message too large for one response
 * is cut into parts; every part but the last carries `more`, and the poller
 * joins them before handing the message on (a `complete` must stay whole).
 */
export interface WireAssignments extends AssignmentsMessage {
  more?: true;
}

/** The answer to an assignments poll: `seq` is the cursor to send next time. */
export interface AssignmentsPage {
  stream: string;
  seq: number;
  messages: WireAssignments[];
}

const MAX_TLS_FIELD = 64 * 1024;
function isTLSInfo(v: unknown): v is TLSInfo {
  const t = v as Partial<TLSInfo> | null;
  return (
    !!t &&
    [t.TrustRoot, t.CertIssuerSubject, t.CertIssuerPublicKey].every(
      (f) => typeof f === 'string' && f.length <= MAX_TLS_FIELD,
    )
  );
}

/**
 * What a node must know of the swarm's CA to keep its certificate right (every register and heartbeat
 * answer carries it): the root to trust, the issuer its certificate should have (the next root during a
 * rotation) and the role it should carry.
 */
export interface NodeCAStatus {
  trustRoot: string;
  issuer: { subject: string; publicKey: string };
  role: 'manager' | 'worker';
}

export function isNodeCAStatus(v: unknown): v is NodeCAStatus {
  const s = v as Partial<NodeCAStatus> | null;
  return (
    !!s &&
    typeof s.trustRoot === 'string' &&
    typeof s.issuer?.subject === 'string' &&
    typeof s.issuer.publicKey === 'string' &&
    (s.role === 'manager' || s.role === 'worker')
  );
}

/** `{managers: 1}`: where the managers are and who leads (answered by every manager). */
export const DIRECTORY_REQUEST = { managers: 1 } as const;
export function isDirectoryRequest(p: unknown): boolean {
  return typeof p === 'object' && p !== null && (p as { managers?: unknown }).managers === 1;
}

/** Whether a transport request is meant for the dispatcher (anything else is left to other handlers). */
export function isDispatcherRequest(p: unknown): p is { dispatcher: DispatcherMethod } {
  return typeof p === 'object' && p !== null && METHODS.has((p as { dispatcher?: unknown }).dispatcher as string);
}

/** Checks a dispatcher request's fields; throws InvalidArgument for a malformed one. */
export function parseDispatcherRequest(p: { dispatcher: DispatcherMethod }): DispatcherRequest {
  const r = p as Record<string, unknown>;
  const bad = (what: string) => rpcError('InvalidArgument', `dispatcher ${p.dispatcher}: ${what}`);
  if (p.dispatcher === 'register') {
    const req = r.req as Record<string, unknown> | undefined;
    if (typeof req !== 'object' || req === null || typeof req.nodeID !== 'string' || !req.nodeID) {
      throw bad('a node ID is required');
    }
    if (typeof req.description !== 'object' || req.description === null) throw bad('a node description is required');
    return { dispatcher: 'register', req: { ...(req as unknown as RegisterRequest), addr: String(req.addr ?? '') } };
  }
  if (typeof r.sessionID !== 'string' || !r.sessionID) throw bad('a session ID is required');
  const sessionID = r.sessionID;
  switch (p.dispatcher) {
    case 'heartbeat': {
      const tlsInfo = (r.report as { tlsInfo?: unknown } | undefined)?.tlsInfo;
      if (tlsInfo === undefined) return { dispatcher: 'heartbeat', sessionID };
      if (!isTLSInfo(tlsInfo))
        throw bad('report.tlsInfo must hold TrustRoot, CertIssuerSubject and CertIssuerPublicKey');
      return { dispatcher: 'heartbeat', sessionID, report: { tlsInfo } };
    }
    case 'leave':
      return { dispatcher: p.dispatcher, sessionID };
    case 'updateTaskStatus':
      if (!Array.isArray(r.updates)) throw bad('updates must be a list');
      return { dispatcher: 'updateTaskStatus', sessionID, updates: r.updates as TaskStatusUpdate[] };
    case 'assignments': {
      const c = r.cursor as Record<string, unknown> | null | undefined;
      const cursor =
        c && typeof c.stream === 'string' && Number.isSafeInteger(c.seq)
          ? { stream: c.stream, seq: c.seq as number }
          : null;
      const waitMs = typeof r.waitMs === 'number' && r.waitMs > 0 ? r.waitMs : 0;
      return { dispatcher: 'assignments', sessionID, cursor, waitMs };
    }
  }
}

/**
 * Turns a failed request back into the error the dispatcher raised. Errors
 * the leader answered with keep their code and message (and so their status);
 * a request that got no answer (timeout, unreachable, ...) is Unavailable, so
 * the agent treats it like a lost manager and retries.
 */
export function remoteError(err: unknown): SwarmError {
  if (err instanceof SwarmError) return err;
  const e = err as { kind?: unknown; code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.kind === 'remote') return errorFromWire({ code: e.code, message });
  return rpcError('Unavailable', message);
}
