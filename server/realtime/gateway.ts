import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ManagerContext } from '../manager/context';
import type { AppliedEvent } from '../store/batch';
import {
  BEAT_INTERVAL_MS,
  REALTIME_PROTOCOL_VERSION,
  taskScopeMatcher,
  type ClientToServerEvents,
  type ConsoleState,
  type RealtimeHello,
  type ServerToClientEvents,
  type SnapshotFrame,
  type TaskScope,
} from '../api/realtime';
import { parseHello, parseTaskScope } from '../api/schemas/realtime-hello';
import type { Socket as NetSocket } from 'node:net';
import { refuseBrowserRequest } from '../http/request-guard';
import { peerAddress } from '../net/connection-gate';
import { ClientFlow, type EngineSession } from './client-flow';
import { EventRing, FrameBuffer, FramePacer, scopeChanges, toWireChanges } from './frames';
import { jsonParser } from './json-parser';
import { fullRaftFrame, RaftBroadcaster } from './raft-frames';
import { CountsBroadcaster } from './task-counts';
import { consoleDecorator, consoleObject, redactImage } from './redact';
import type { WireChange } from '../api/realtime';
import type { MetricSample } from '../api/metric-sample';
import type { Account, Session, ShareLink } from '../api/types';
import type { ConsoleAuth } from '../auth/console-auth';
import { sessionCookie } from '../auth/cookies';
import { seesSecrets, type Resolved } from '../auth/principal';

/** The contract's refusal of a handshake without a session. */
export const LOG_IN_FIRST = 'log in first';

/**
 * Counts go out at most four times a second: a person reads REPLICAS no faster, each frame makes every
 * console that shows counts lay out and paint again, and each recounts the services that moved (a
 * 10,000-task rollout's service twenty times a second was the manager's busiest recount).
 */
export const COUNTS_INTERVAL_MS = 250;

export interface RealtimeOptions {
  /** Minimum gap between two change frames to one client (50 ms → 20 frames/s). */
  frameIntervalMs?: number;
  /** Minimum gap between two counts frames (REPLICAS, running per node); default COUNTS_INTERVAL_MS. */
  countsIntervalMs?: number;
  /** Applied entries kept for resuming clients. */
  ringEvents?: number;
  ringChanges?: number;
  /** Open console sessions at most, in total and from one address (each costs a snapshot and a pacer). */
  maxClients?: number;
  maxClientsPerPeer?: number;
  /** A client behind this long without progress is disconnected (ClientFlow). */
  stallMs?: number;
  /** The application heartbeat's period (BEAT_INTERVAL_MS). */
  beatIntervalMs?: number;
  /** socket.io's transport pings (the client closes a silent connection after interval + timeout). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** The manager's metric samples (the live charts); without it no `metrics` frames are sent. */
  samples?: SampleFeed;
}

/** What the gateway needs of the metric sampler (server/metrics/metric-sampler.ts). */
export interface SampleFeed {
  /** The kept samples, oldest first. */
  ring(): MetricSample[];
  onSample(listener: (sample: MetricSample) => void): () => void;
}

/**
 * socket.io's defaults (25 s + 20 s) let a frozen manager's console look
 * connected for ~45 s. A ping every 2 s with 3 s to answer closes a dead
 * connection within 5 s on both ends, yet tolerates a browser busy applying
 * a large snapshot for a couple of seconds.
 */
const PING_INTERVAL_MS = 2000;
const PING_TIMEOUT_MS = 3000;

/**
 * Each scope change costs a snapshot: a client that asks for more than this many within the window
 * is not navigating but hammering, and is disconnected (its reconnect takes one snapshot).
 */
const MAX_SCOPE_CHANGES = 20;
const SCOPE_WINDOW_MS = 10_000;

/** How often clients that are behind are looked at (stalled ones dropped, caught-up ones sent the Raft view). */
const FLOW_CHECK_MS = 250;

interface ConsoleClient {
  socket: ConsoleSocket;
  /** who opened it: the socket lives only as long as that session or link, with that role */
  who: Resolved;
  /** secrets' metadata is sent to operators and admins only */
  secrets: boolean;
  pacer: FramePacer;
  flow: ClientFlow;
  /** A Raft frame was held back while the client was behind: it gets the whole view once caught up. */
  raftStale: boolean;
  /** Likewise a metric sample: it gets the whole ring again once caught up. */
  samplesStale: boolean;
  /** Likewise the task counts: it gets all of them again once caught up. */
  countsStale: boolean;
  /** The tasks its page draws (the handshake's, then each `scope` message's). */
  scope: TaskScope;
  inScope: (serviceID: string) => boolean;
}

/**
 * A console client sends its CONNECT packet (`{v, since, tasks}`), pongs and
 * now and then a task scope (at most 256 IDs): 16 KiB is far above any real
 * message (socket.io allows 1 MB).
 */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

type ConsoleSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/**
 * The console's push channel: socket.io on the console's HTTP server. Each
 * client gets one snapshot (or, on reconnect, just what it missed) and then
 * coalesced change frames stamped with log indexes; a client that reads
 * slowly gets fewer, larger frames, and one that stops reading is
 * disconnected (ClientFlow), never an ever longer queue.
 */
export function attachRealtime(
  httpServer: http.Server,
  ctx: ManagerContext,
  auth: ConsoleAuth,
  opts: RealtimeOptions = {},
): { close(): Promise<void>; clientCount(): number } {
  const view = ctx.store.view;
  const decorate = consoleDecorator(ctx.selfNodeID, ctx.clusterAddr, ctx.managerStatus);
  const ring = new EventRing(view.index, opts.ringEvents, opts.ringChanges);
  const clients = new Map<string, ConsoleClient>();
  const samples = opts.samples;
  const maxClients = opts.maxClients ?? 1024;
  const maxPerPeer = opts.maxClientsPerPeer ?? 128;
  /** Open engine.io sessions per remote address (a polling session holds no connection the listener counts). */
  const sessions = new Map<string, number>();

  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    // JSON only: the stock parser scans every snapshot for binary before it stringifies it
    parser: jsonParser,
    // leave upgrades on other paths (Next's dev HMR) alone
    destroyUpgrade: false,
    maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
    // an engine.io session that does not open the console's namespace in time is closed
    connectTimeout: 10_000,
    pingInterval: opts.pingIntervalMs ?? PING_INTERVAL_MS,
    pingTimeout: opts.pingTimeoutMs ?? PING_TIMEOUT_MS,
    // no other site may open the stream (a WebSocket is not covered by CORS), nor a rebound host name
    allowRequest: (req, callback) => {
      const peer = peerAddress(req.socket);
      const refused =
        refuseBrowserRequest(req.headers, req.method ?? 'GET', { readable: true }) ??
        (io.engine.clientsCount >= maxClients
          ? `too many console sessions (${maxClients})`
          : (sessions.get(peer) ?? 0) >= maxPerPeer
            ? `too many console sessions from ${peer} (${maxPerPeer})`
            : undefined);
      callback(refused ?? null, !refused);
    },
  });

  // the handshake, checked before the connection counts
  io.use((socket, next) => {
    const who = auth.resolve(sessionCookie(socket.handshake.headers));
    if (!who) return next(new Error(LOG_IN_FIRST));
    const hello = parseHello(socket.handshake.auth, socket.handshake.query);
    if ('error' in hello) return next(new Error(hello.error));
    Object.assign(socket.data as object, { hello, who });
    next();
  });
  io.engine.on('connection', (session: { request: { socket: NetSocket }; once(e: 'close', f: () => void): void }) => {
    const peer = peerAddress(session.request.socket);
    sessions.set(peer, (sessions.get(peer) ?? 0) + 1);
    session.once('close', () => {
      const left = (sessions.get(peer) ?? 1) - 1;
      if (left > 0) sessions.set(peer, left);
      else sessions.delete(peer);
    });
  });

  // a client's frames and snapshots: secrets for operators and admins only, tasks within its scope
  // (`redacted`: the changes without secrets, when the caller made them once for every client)
  const forClient = (c: Pick<ConsoleClient, 'secrets' | 'inScope'>, wire: WireChange[], redacted?: WireChange[]) =>
    scopeChanges(c.secrets ? wire : (redacted ?? withoutSecrets(wire)), c.inScope);
  const snapshotFor = (c: Pick<ConsoleClient, 'secrets' | 'scope' | 'inScope'>): SnapshotFrame => {
    const all = redactImage(view.image() as ConsoleState, decorate);
    const objects = { ...all.objects };
    if (!c.secrets) objects.secret = [];
    if (c.scope !== 'all') objects.task = objects.task.filter((t) => c.inScope(t.ServiceID));
    const raftFrame = ctx.raft ? { raft: fullRaftFrame(ctx.raft) } : {};
    return { v: REALTIME_PROTOCOL_VERSION, ...all, objects, ...raftFrame, tasks: c.scope };
  };

  // REPLICAS per service and running tasks per node, for pages that hold no tasks
  const counts = new CountsBroadcaster(
    view,
    ctx.clock,
    (frame) => {
      for (const c of clients.values()) {
        if (c.flow.behind) c.countsStale = true;
        else c.socket.emit('counts', frame);
      }
    },
    opts.countsIntervalMs ?? COUNTS_INTERVAL_MS,
  );

  const unwatch = view.watch((event: AppliedEvent) => {
    const wire = toWireChanges(event.changes, (kind, obj) => consoleObject(decorate, kind, obj));
    ring.push(event.index, wire);
    // made once for every client that sees no secrets, and only if one is connected
    let redacted: WireChange[] | undefined;
    for (const c of clients.values())
      c.pacer.add(event.index, forClient(c, wire, c.secrets ? undefined : (redacted ??= withoutSecrets(wire))));
    counts.note(event);
    dropRevoked(event);
  });

  /**
   * A session logged out, expired or ended, a share link revoked, an account
   * removed or given another role: its sockets close at once (a changed role
   * reconnects and gets the frames of its new role).
   */
  const dropRevoked = (event: AppliedEvent) => {
    for (const ch of event.changes) {
      if (ch.kind !== 'session' && ch.kind !== 'shareLink' && ch.kind !== 'account') continue;
      for (const c of clients.values()) {
        const w = c.who;
        let drop = false;
        if (ch.kind === 'session' && w.kind === 'account' && ch.object.ID === w.session.ID) {
          if (ch.action === 'delete') drop = true;
          else w.expiresAtMs = Date.parse((ch.object as Session).ExpiresAt);
        } else if (ch.kind === 'shareLink' && w.kind === 'share-link' && ch.object.ID === w.link.ID) {
          if (ch.action === 'delete') drop = true;
          else w.expiresAtMs = Date.parse((ch.object as ShareLink).ExpiresAt);
        } else if (ch.kind === 'account' && w.kind === 'account' && ch.object.ID === w.account.ID) {
          drop = ch.action === 'delete' || (ch.object as Account).Role !== w.account.Role;
        }
        if (drop) drop1(c);
      }
    }
  };
  const drop1 = (c: ConsoleClient) => {
    c.flow.terminate();
    c.socket.disconnect(true);
  };
  // the Raft panel: every client gets the same coalesced frames, but none piles up behind a slow reader
  const raftSource = ctx.raft;
  const raft = raftSource
    ? new RaftBroadcaster(
        raftSource,
        ctx.clock,
        (frame) => {
          for (const c of clients.values()) {
            if (c.flow.behind) c.raftStale = true;
            else c.socket.emit('raft', frame);
          }
        },
        opts.frameIntervalMs,
      )
    : undefined;
  let cancelCheck: (() => void) | undefined;
  const checkFlows = () => {
    cancelCheck = ctx.clock.setTimeout(checkFlows, FLOW_CHECK_MS);
    const now = ctx.clock.now();
    for (const c of clients.values()) {
      if (!(c.who.expiresAtMs > now)) {
        drop1(c); // its session or link expired (the leader's purge deletes it a little later)
        continue;
      }
      // an open console counts as use: its session is renewed like a request's would be
      void auth.renewIfDue(c.who);
      if (c.flow.stalled) {
        // its reconnect resumes from its index (or takes a snapshot): nothing it missed is lost
        c.flow.terminate();
        c.socket.disconnect(true);
      } else if (!c.flow.behind) {
        if (c.raftStale && raftSource) {
          c.raftStale = false;
          c.socket.emit('raft', fullRaftFrame(raftSource));
        }
        if (c.samplesStale && samples) {
          c.samplesStale = false;
          c.socket.emit('metrics', { reset: true, samples: samples.ring() });
        }
        if (c.countsStale) {
          c.countsStale = false;
          c.socket.emit('counts', counts.full());
        }
      }
    }
  };
  checkFlows();
  // the heartbeat: a client that is behind gets none (its frames are late, so it should look late)
  let cancelBeat: (() => void) | undefined;
  const beat = () => {
    cancelBeat = ctx.clock.setTimeout(beat, opts.beatIntervalMs ?? BEAT_INTERVAL_MS);
    const frame = { index: view.index, at: ctx.clock.now() };
    for (const c of clients.values()) {
      if (c.flow.behind) continue;
      c.socket.emit('beat', frame);
      c.pacer.catchUp();
    }
  };
  beat();
  // the live charts: each second's newest sample, beside the beat (and, like it, none to a client behind)
  const stopSamples = samples?.onSample((sample) => {
    const frame = { samples: [sample] };
    for (const c of clients.values()) {
      if (c.flow.behind) c.samplesStale = true;
      else c.socket.emit('metrics', frame);
    }
  });

  io.on('connection', (socket: ConsoleSocket) => {
    const data = socket.data as { hello?: RealtimeHello; who: Resolved };
    const hello = data.hello ?? {};
    const who = data.who;
    const secrets = seesSecrets(who.principal.role);
    const flow = new ClientFlow(socket.conn as unknown as EngineSession, () => ctx.clock.now(), opts.stallMs);
    const pacer = new FramePacer(
      view.index,
      ctx.clock,
      (frame) => socket.emit('changes', frame),
      opts.frameIntervalMs,
      () => !flow.behind,
    );
    const scope = hello.tasks ?? 'all';
    const client: ConsoleClient = {
      socket,
      who,
      secrets,
      pacer,
      flow,
      scope,
      inScope: taskScopeMatcher(scope),
      raftStale: false,
      samplesStale: false,
      countsStale: false,
    };
    // the console sends nothing but its task scope: anything else ends the connection
    socket.onAny((event: string) => {
      if (event !== 'scope') socket.disconnect(true);
    });
    const scopeChanges: number[] = [];
    socket.on('scope', (raw: unknown) => {
      const now = ctx.clock.now();
      while (scopeChanges.length && scopeChanges[0]! <= now - SCOPE_WINDOW_MS) scopeChanges.shift();
      scopeChanges.push(now);
      const next = parseTaskScope(raw);
      if ((typeof next === 'object' && 'error' in next) || scopeChanges.length > MAX_SCOPE_CHANGES) {
        socket.disconnect(true);
        return;
      }
      // what waits in the pacer is of the old scope: a snapshot of the new one replaces it
      client.scope = next;
      client.inScope = taskScopeMatcher(next);
      pacer.reset(view.index);
      socket.emit('snapshot', snapshotFor(client));
    });
    const missed = hello.since !== undefined ? ring.since(hello.since, view.index) : undefined;
    if (missed && hello.v === REALTIME_PROTOCOL_VERSION) {
      // resume: replay what the client missed as one coalesced frame
      // (a buffer, not a pacer: a pacer would send the first missed entry alone, at once)
      const resumed = new FrameBuffer(hello.since!);
      for (const e of missed) resumed.add(e.index, forClient(client, e.changes));
      resumed.add(view.index, []); // entries that changed nothing still advance the client's index
      const frame = resumed.take();
      if (frame) socket.emit('changes', frame);
      if (ctx.raft) socket.emit('raft', fullRaftFrame(ctx.raft));
    } else {
      socket.emit('snapshot', snapshotFor(client));
    }
    // the charts start full: the whole ring, then a sample a second; the counts likewise
    if (samples) socket.emit('metrics', { reset: true, samples: samples.ring() });
    socket.emit('counts', counts.full());
    // snapshot/resume and registration happen in one tick: no entry can slip between them
    clients.set(socket.id, client);
    socket.on('disconnect', () => {
      pacer.close();
      clients.delete(socket.id);
    });
  });

  return {
    /** Console sockets signed in and streaming (the /metrics gauge). */
    clientCount: () => clients.size,
    async close() {
      unwatch();
      raft?.close();
      counts.close();
      cancelCheck?.();
      cancelBeat?.();
      stopSamples?.();
      for (const c of clients.values()) c.pacer.close();
      clients.clear();
      io.disconnectSockets(true);
      // io.close() would also close the HTTP server, which the caller owns
      io.engine.close();
    },
  };
}

/** A viewer's (or share link's) frames: no secret, not even its name. */
function withoutSecrets(changes: WireChange[]): WireChange[] {
  return changes.some((c) => c.kind === 'secret') ? changes.filter((c) => c.kind !== 'secret') : changes;
}
