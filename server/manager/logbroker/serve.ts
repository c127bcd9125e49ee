// The leader's log broker on the cluster transport. Nodes (agent processes,
// and the in-process agents of other managers) long-poll for their
// subscriptions and push what they publish; other managers open log sessions
// for their own Engine API and console. Every manager serves the requests;
// only the leader has a broker, so the others say Unavailable and name it.

import { rpcError } from '../../api/errors';
import { newID } from '../../api/ids';
import { logBrokerRequestSchema } from '../../api/schemas/logbroker-request';
import type { Assert, Equal, Loose } from '../../api/schemas/types-agree';
import { parseWire } from '../../api/schemas/wire';
import {
  isLogBrokerRequest,
  type LogBrokerRequest,
  type LogEnd,
  type LogMessage,
  type LogOptions,
  type LogSelector,
  type LogSessionOpened,
  type LogSessionPage,
  type NodeLogSubscription,
  type SubscriptionsPage,
} from '../../api/logs';
import type { z } from 'zod';
import type { PeerIdentity } from '../../raft/transport';
import { systemClock, type Clock } from '../../util/clock';
import { notLeaderError } from '../dispatcher/remote/serve';
import { UNHANDLED, type RequestRouter } from '../dispatcher/remote/request-router';
import type { LogBroker } from './broker';

export interface ServeLogBrokerOptions {
  clock?: Clock;
  /** Who the leader is, for the Unavailable answer of a follower. */
  leaderHint?: () => string | undefined;
  /** Longest a poll is held. */
  maxWaitMs?: number;
  /** A node or session not polled for this long is dropped. */
  idleMs?: number;
  /** Messages a session keeps for its poller; beyond it the oldest are dropped. */
  sessionBufferLines?: number;
  /** Bytes (about) a session holds before it tells the nodes to wait (its poller is behind). */
  sessionBusyBytes?: number;
  /** Caps of one session page. */
  pageLines?: number;
  pageBytes?: number;
}

const MAX_WAIT_MS = 30_000;
const IDLE_MS = 45_000;
const SESSION_BUFFER_LINES = 20_000;
const PAGE_LINES = 2_000;
const PAGE_BYTES = 1024 * 1024;
/** Two pages: the poller has one in flight and the next is ready. */
const SESSION_BUSY_BYTES = 2 * PAGE_BYTES;

interface NodeWatch {
  stream: string;
  version: number;
  subs: NodeLogSubscription[];
  off: () => void;
  waiters: Set<() => void>;
  cancelIdle?: () => void;
}

interface Session {
  id: string;
  /** Absolute index of buffer[0]. */
  base: number;
  buffer: LogMessage[];
  /** What the buffer holds, about (messageBytes each). */
  bytes: number;
  /** Settled once a busy session's poller caught up (or the session went). */
  caughtUp?: { promise: Promise<void>; resolve: () => void };
  end?: LogEnd;
  cancel: () => void;
  waiters: Set<() => void>;
  cancelIdle?: () => void;
}

/**
 * Serves `{logbroker: ...}` requests through `router`; `getBroker` returns the
 * local broker while this manager leads. Returns the stop.
 */
export function serveLogBroker(
  router: RequestRouter,
  getBroker: () => LogBroker | undefined,
  opts: ServeLogBrokerOptions = {},
): () => void {
  const clock = opts.clock ?? systemClock;
  const maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
  const idleMs = opts.idleMs ?? IDLE_MS;
  const bufferLines = opts.sessionBufferLines ?? SESSION_BUFFER_LINES;
  const pageLines = opts.pageLines ?? PAGE_LINES;
  const pageBytes = opts.pageBytes ?? PAGE_BYTES;
  const busyBytes = opts.sessionBusyBytes ?? SESSION_BUSY_BYTES;
  const watches = new Map<string, NodeWatch>();
  const sessions = new Map<string, Session>();
  let current: LogBroker | undefined;

  const closeAll = () => {
    for (const w of watches.values()) dropWatch(w);
    watches.clear();
    for (const s of sessions.values()) dropSession(s);
    sessions.clear();
  };
  const dropWatch = (w: NodeWatch) => {
    w.off();
    w.cancelIdle?.();
    for (const wake of [...w.waiters]) wake();
  };
  const dropSession = (s: Session) => {
    s.cancel();
    s.caughtUp?.resolve();
    s.cancelIdle?.();
    for (const wake of [...s.waiters]) wake();
  };

  /** Waits for `waiters` to be woken, at most `ms`. */
  const wait = (waiters: Set<() => void>, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        waiters.delete(done);
        resolve();
      };
      const cancel = clock.setTimeout(done, Math.min(Math.max(0, ms), maxWaitMs));
      waiters.add(done);
    });

  const broker = (): LogBroker => {
    const b = getBroker();
    if (b !== current) {
      // leadership moved: its subscriptions and sessions are gone
      closeAll();
      current = b;
    }
    if (!b) throw notLeaderError(opts.leaderHint?.());
    return b;
  };

  const checkNode = (from: PeerIdentity, nodeID: string): string => {
    // a node speaks only for itself; a manager also for the in-process nodes it hosts
    if (from.via === 'node' && from.raftId === nodeID) return nodeID;
    if (from.via === 'member') return nodeID;
    throw rpcError('PermissionDenied', `logbroker: ${from.raftId || 'this peer'} may not act for node ${nodeID}`);
  };
  const checkManager = (from: PeerIdentity) => {
    if (from.via !== 'member') throw rpcError('PermissionDenied', 'logbroker: only managers may open log sessions');
  };

  const subscriptions = async (
    nodeID: string,
    stream: string | null,
    version: number,
    waitMs: number,
  ): Promise<SubscriptionsPage> => {
    const b = broker();
    let w = watches.get(nodeID);
    if (!w) {
      const created: NodeWatch = { stream: newID(), version: 0, subs: [], off: () => {}, waiters: new Set() };
      watches.set(nodeID, created);
      created.off = b.listen(nodeID, (subs) => {
        created.subs = subs;
        created.version++;
        for (const wake of [...created.waiters]) wake();
      });
      w = created;
    }
    const watch = w;
    watch.cancelIdle?.();
    watch.cancelIdle = clock.setTimeout(
      () => {
        if (watches.get(nodeID) !== watch) return;
        watches.delete(nodeID);
        dropWatch(watch);
      },
      idleMs + Math.min(waitMs, maxWaitMs),
    );
    if (stream === watch.stream && version === watch.version) await wait(watch.waiters, waitMs);
    return { stream: watch.stream, version: watch.version, subscriptions: watch.subs };
  };

  const open = (selector: LogSelector, options: LogOptions): LogSessionOpened => {
    const b = broker();
    const s: Session = { id: newID(), base: 0, buffer: [], bytes: 0, cancel: () => {}, waiters: new Set() };
    const wake = () => {
      for (const w of [...s.waiters]) w();
    };
    s.cancel = b.open(selector, options, {
      messages(batch) {
        s.buffer.push(...batch);
        for (const m of batch) s.bytes += messageBytes(m);
        // a backstop: the broker stops relaying once the session is busy
        if (s.buffer.length > bufferLines) shift(s, s.buffer.length - bufferLines, busyBytes);
        wake();
      },
      end(result) {
        s.end = result;
        wake();
      },
      // the poller (another manager, for its own reader) is behind: nodes hold their lines until it polls
      ready: () => {
        if (s.bytes < busyBytes) return undefined;
        if (!s.caughtUp) {
          let resolve!: () => void;
          const promise = new Promise<void>((r) => (resolve = r));
          s.caughtUp = { promise, resolve };
        }
        return s.caughtUp.promise;
      },
    });
    sessions.set(s.id, s);
    armSessionIdle(s);
    return { session: s.id };
  };
  const armSessionIdle = (s: Session) => {
    s.cancelIdle?.();
    s.cancelIdle = clock.setTimeout(() => {
      sessions.delete(s.id);
      dropSession(s);
    }, idleMs);
  };

  const poll = async (id: string, cursor: number, waitMs: number): Promise<LogSessionPage> => {
    broker();
    const s = sessions.get(id);
    if (!s) throw rpcError('NotFound', `log session ${id} not found`);
    armSessionIdle(s);
    // what the poller has seen is no longer needed
    if (cursor > s.base) shift(s, Math.min(cursor - s.base, s.buffer.length), busyBytes);
    if (s.buffer.length === 0 && !s.end) await wait(s.waiters, waitMs);
    const from = Math.max(cursor, s.base);
    const messages: LogMessage[] = [];
    let bytes = 0;
    for (let i = from - s.base; i < s.buffer.length && messages.length < pageLines; i++) {
      const m = s.buffer[i]!;
      bytes += messageBytes(m);
      if (messages.length && bytes > pageBytes) break;
      messages.push(m);
    }
    const next = from + messages.length;
    const drained = next >= s.base + s.buffer.length;
    if (s.end && drained) {
      sessions.delete(id);
      s.cancelIdle?.();
      return { cursor: next, messages, end: s.end };
    }
    return { cursor: next, messages };
  };

  const close = (id: string): null => {
    const s = sessions.get(id);
    if (s) {
      sessions.delete(id);
      dropSession(s);
    }
    return null;
  };

  const handle = async (payload: { logbroker: string }, from: PeerIdentity): Promise<unknown> => {
    const req = parseWire(logBrokerRequestSchema, payload, `logbroker ${payload.logbroker}`);
    switch (req.logbroker) {
      case 'subscriptions':
        return subscriptions(checkNode(from, req.nodeID), req.stream, req.version, req.waitMs);
      case 'publish':
        return broker().accept(checkNode(from, req.nodeID), req.batch);
      case 'open':
        checkManager(from);
        return open(req.selector, req.options);
      case 'poll':
        checkManager(from);
        return poll(req.session, req.cursor, req.waitMs);
      case 'close':
        checkManager(from);
        return close(req.session);
    }
  };

  const remove = router.add(
    (payload: unknown, from: PeerIdentity) => {
      if (!isLogBrokerRequest(payload)) return UNHANDLED;
      return Promise.resolve().then(() => handle(payload, from));
    },
    // agents (worker certificates) publish their own nodes' lines; managers (manager certificates) also open sessions
    { from: ['member', 'node'] },
  );
  return () => {
    remove();
    closeAll();
  };
}

/** A message's size on the wire, at most (UTF-16 units as up to 3 bytes, plus its context). */
function messageBytes(m: LogMessage): number {
  return m.line.length * 3 + 200;
}

/** Forgets the session's first `n` messages. */
function shift(s: Session, n: number, busyBytes: number): void {
  for (let i = 0; i < n; i++) s.bytes -= messageBytes(s.buffer[i]!);
  s.buffer.splice(0, n);
  s.base += n;
  if (s.caughtUp && s.bytes < busyBytes) {
    s.caughtUp.resolve();
    s.caughtUp = undefined;
  }
}

/** The schema decodes into exactly the request types of server/api/logs.ts. */
export type LogBrokerRequestAgrees = Assert<
  Equal<Loose<z.output<typeof logBrokerRequestSchema>>, Loose<LogBrokerRequest>>
>;
