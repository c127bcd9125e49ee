// The leader's side: answers dispatcher requests arriving over the cluster
// transport from the local Dispatcher. Every manager serves them; only the
// leader has a dispatcher, so the others say Unavailable and name the leader.

import { rpcError } from '../../../api/errors';
import type { PeerIdentity } from '../../../raft/transport';
import { systemClock, type Clock } from '../../../util/clock';
import type { DispatcherApi } from '../api';
import { AssignmentPolls, DEFAULT_POLL_OPTIONS, type AssignmentPollsOptions } from './assignment-polls';
import { RequestRouter, UNHANDLED, routerFor, type RequestHandlerHost } from './request-router';
import {
  isDirectoryRequest,
  isDispatcherRequest,
  parseDispatcherRequest,
  type DispatcherRequest,
  type NodeCAStatus,
} from './wire';

export interface ServeDispatcherOptions extends Partial<Omit<AssignmentPollsOptions, 'clock'>> {
  clock?: Clock;
  /** Who the leader is, for the Unavailable answer of a follower (e.g. "raftID (host:port)"). */
  leaderHint?: () => string | undefined;
  /** The managers and the leader, pushed to agents with every register and heartbeat answer. */
  directory?: () => ManagerDirectory;
  /** The CA's word on a node's certificate, pushed the same way (see NodeCAStatus). */
  caStatus?: (nodeID: string) => NodeCAStatus | undefined;
}

/** The manager list an agent keeps, so it can find the leader after a leader change. */
export interface ManagerDirectory {
  leader: string;
  managers: Record<string, string>;
}

/** Sessions remembered per serving manager, to check that an agent only uses its own. */
const MAX_SESSION_OWNERS = 100_000;

/** The Unavailable answer of a manager that has no dispatcher. */
export function notLeaderError(hint: string | undefined) {
  return rpcError(
    'Unavailable',
    hint
      ? `this manager is not the leader; the leader is ${hint}`
      : 'this manager is not the leader; no leader is known',
  );
}

/**
 * Serves `{dispatcher: ...}` requests on `transport` (through its shared
 * RequestRouter, so other request kinds keep working; pass a router to use
 * your own). `getDispatcher` returns the local Dispatcher while this process
 * is leader. Returns a function that stops serving and drops every buffer.
 */
export function serveDispatcher(
  transport: RequestHandlerHost | RequestRouter,
  getDispatcher: () => DispatcherApi | undefined,
  opts: ServeDispatcherOptions = {},
): () => void {
  const { clock = systemClock, leaderHint, directory, caStatus, ...pollOpts } = opts;
  /** What every register and heartbeat answer carries besides the dispatcher's own fields. */
  const extras = (nodeID: string | undefined) => {
    const ca = nodeID !== undefined ? caStatus?.(nodeID) : undefined;
    return { ...(directory ? { directory: directory() } : {}), ...(ca ? { ca } : {}) };
  };
  const polls = new AssignmentPolls({ ...DEFAULT_POLL_OPTIONS, ...pollOpts, clock });
  let current: DispatcherApi | undefined;
  /** Which node each session issued here belongs to. */
  const owners = new Map<string, string>();
  const sessionOf = new Map<string, string>();
  const forget = (sessionID: string) => {
    const nodeID = owners.get(sessionID);
    owners.delete(sessionID);
    if (nodeID !== undefined && sessionOf.get(nodeID) === sessionID) sessionOf.delete(nodeID);
  };

  /** An agent (worker certificate) acts only as itself; a manager (manager certificate) speaks for its in-process nodes. */
  const checkCaller = (req: DispatcherRequest, from: PeerIdentity): void => {
    if (from.via !== 'node') return;
    if (req.dispatcher === 'register') {
      if (req.req.nodeID !== from.raftId)
        throw rpcError('PermissionDenied', `node ${from.raftId} cannot register as ${req.req.nodeID}`);
      return;
    }
    // sessions of a node-keyed caller were all registered through here, so an unknown one is not its own
    if (owners.get(req.sessionID) !== from.raftId) throw rpcError('NotFound', 'session invalid');
  };

  const handle = async (req: DispatcherRequest, from: PeerIdentity): Promise<unknown> => {
    const d = getDispatcher();
    if (d !== current) {
      // Leadership moved (or the dispatcher was replaced): its sessions, and so their streams, are gone.
      polls.closeAll();
      owners.clear();
      sessionOf.clear();
      current = d;
    }
    if (!d) throw notLeaderError(leaderHint?.());
    checkCaller(req, from);
    switch (req.dispatcher) {
      case 'register': {
        const res = await d.register(req.req);
        // a node holds one session: its new one replaces the old (the dispatcher ended that one too)
        const previous = sessionOf.get(req.req.nodeID);
        if (previous) owners.delete(previous);
        sessionOf.set(req.req.nodeID, res.sessionID);
        owners.set(res.sessionID, req.req.nodeID);
        if (owners.size > MAX_SESSION_OWNERS) forget(owners.keys().next().value!);
        return { ...res, ...extras(req.req.nodeID) };
      }
      case 'heartbeat':
        try {
          const res = await d.heartbeat(req.sessionID, req.report);
          return { ...res, ...extras(owners.get(req.sessionID)) };
        } catch (err) {
          polls.end(req.sessionID);
          forget(req.sessionID);
          throw err;
        }
      case 'updateTaskStatus':
        await d.updateTaskStatus(req.sessionID, req.updates);
        return null;
      case 'leave':
        polls.end(req.sessionID);
        forget(req.sessionID);
        await d.leave(req.sessionID);
        return null;
      case 'assignments':
        return polls.poll(d, req.sessionID, req.cursor, req.waitMs);
    }
  };

  const router = transport instanceof RequestRouter ? transport : routerFor(transport);
  const remove = router.add(
    (payload: unknown, from: PeerIdentity) => {
      if (isDispatcherRequest(payload))
        return Promise.resolve().then(() => handle(parseDispatcherRequest(payload), from));
      // any manager answers where the managers are, so an agent can find the leader
      if (directory && isDirectoryRequest(payload)) return directory();
      return UNHANDLED;
    },
    { from: ['member', 'node'] },
  );
  return () => {
    remove();
    polls.closeAll();
    owners.clear();
    sessionOf.clear();
  };
}
