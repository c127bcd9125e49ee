// What a remote agent and the leader's dispatcher exchange over the cluster
// transport's request/response. Plain JSON; every request names its method
// in `dispatcher`, so other request kinds can share the transport.

import type { z } from 'zod';
import { SwarmError, errorFromWire, rpcError } from '../../../api/errors';
import { dispatcherRequestSchema } from '../../../api/schemas/dispatcher-request';
import type { Assert, Equal, Loose } from '../../../api/schemas/types-agree';
import { parseWire } from '../../../api/schemas/wire';
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

/** Checks a dispatcher request's fields; a malformed one is InvalidArgument naming the field. */
export function parseDispatcherRequest(p: { dispatcher: DispatcherMethod }): DispatcherRequest {
  return parseWire(dispatcherRequestSchema, p, `dispatcher ${p.dispatcher}`);
}

/** The schema decodes into exactly this module's request types. */
export type DispatcherRequestAgrees = Assert<
  Equal<Loose<z.output<typeof dispatcherRequestSchema>>, Loose<DispatcherRequest>>
>;

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
