// The leader's side: answers dispatcher requests arriving over the cluster
// transport from the local Dispatcher. Every manager serves them; only the
// leader has a dispatcher, so the others say Unavailable and name the leader.

import { rpcError } from '../../../api/errors';
import type { PeerIdentity } from '../../../raft/transport';
import { systemClock, type Clock } from '../../../util/clock';
import type { DispatcherApi } from '../api';
import { AssignmentPolls, DEFAULT_POLL_OPTIONS, type AssignmentPollsOptions } from './assignment-polls';
import { RequestRouter, UNHANDLED, routerFor, type RequestHandlerHost } from './request-router';
import { isDispatcherRequest, parseDispatcherRequest, type DispatcherRequest } from './wire';

export interface ServeDispatcherOptions extends Partial<Omit<AssignmentPollsOptions, 'clock'>> {
  clock?: Clock;
  /** Who the leader is, for the Unavailable answer of a follower (e.g. "raftID (host:port)"). */
  leaderHint?: () => string | undefined;
}

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
  const { clock = systemClock, leaderHint, ...pollOpts } = opts;
  const polls = new AssignmentPolls({ ...DEFAULT_POLL_OPTIONS, ...pollOpts, clock });
  let current: DispatcherApi | undefined;

  const handle = async (req: DispatcherRequest): Promise<unknown> => {
    const d = getDispatcher();
    if (d !== current) {
      // Leadership moved (or the dispatcher was replaced): its sessions, and so their streams, are gone.
      polls.closeAll();
      current = d;
    }
    if (!d) throw notLeaderError(leaderHint?.());
    switch (req.dispatcher) {
      case 'register':
        return d.register(req.req);
      case 'heartbeat':
        try {
          return await d.heartbeat(req.sessionID);
        } catch (err) {
          polls.end(req.sessionID);
          throw err;
        }
      case 'updateTaskStatus':
        await d.updateTaskStatus(req.sessionID, req.updates);
        return null;
      case 'leave':
        polls.end(req.sessionID);
        await d.leave(req.sessionID);
        return null;
      case 'assignments':
        return polls.poll(d, req.sessionID, req.cursor, req.waitMs);
    }
  };

  const router = transport instanceof RequestRouter ? transport : routerFor(transport);
  const remove = router.add((payload: unknown, _from: PeerIdentity) => {
    if (!isDispatcherRequest(payload)) return UNHANDLED;
    return Promise.resolve().then(() => handle(parseDispatcherRequest(payload)));
  });
  return () => {
    remove();
    polls.closeAll();
  };
}
