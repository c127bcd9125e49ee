// Carries raft messages and request/response RPCs between manager processes
// (and agents) over the cluster port, inside mutual TLS. See wire.ts for the
// envelopes and handshake.ts for who gets in. Raft tolerates loss, so `send` is fire-and-forget over a
// bounded queue; requests are never dropped silently — they resolve, or
// reject with a RequestError saying why.

import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { RaftId } from '../types';
import { systemClock, type Clock } from '../../util/clock';
import { API_JSON_BOUNDS } from '../../net/bounded-json';
import { DEFAULT_BACKOFF } from './backoff';
import { dial, type Dialed } from './dial';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame } from './frames';
import { FrameConnection, type FrameConnectionHooks } from './frame-connection';
import { admit, denied, MANAGER_OU, refusal, switchingProtocols, type TransportSecurity } from './handshake';
import { consoleTransportLogger, type TransportLogger } from './logger';
import { PeerLink, type LinkHost, type LinkLimits } from './peer-link';
import { tlsSocketFactory, type SocketFactory } from './socket-factory';
import { setServerMaterial } from './tls-server';
import { CLUSTER_PROTOCOL, type PeerIdentity, type WireError, type WireFrame } from './wire';

export interface TransportLimits extends LinkLimits {
  maxFrameBytes: number;
  /**
   * Frames from callers admitted only by a join token (`via` join-token or worker-token): a join
   * request is a node description of a few KiB, so 64 KiB is ample for it and bounds what such a
   * caller can make this member buffer (a parked near-8 MiB frame per connection, otherwise).
   */
  unauthenticatedFrameBytes: number;
  /**
   * Frames from worker nodes (`via` node: an agent with a swarm-worker certificate). What an agent
   * sends is bounded by its schemas and batched under half of this (status and log batches of
   * 512 KiB, a heartbeat's TLS info of a few KiB), so 1 MiB is ample; a worker that is
   * compromised cannot make a manager buffer 8 MiB frames. Managers' frames carry raft entries
   * and snapshot chunks and keep maxFrameBytes.
   */
  nodeFrameBytes: number;
  /**
   * Values (bounded-json's count) in a frame from any caller that is not a member: what makes
   * JSON.parse slow is many values, so these frames are bounded like an API body (100,000; an
   * agent's status and log batches hold some 25,000). Members' frames (raft entries and snapshot
   * chunks travel as strings; pages of assignments and logs) and the answers to our own dials are
   * bounded by size only.
   */
  untrustedFrameValues: number;
  /**
   * A frame whose first bytes arrived must be complete within this, on every connection. A
   * dialer whose frame took longer would have declared us dead anyway (no pong for deadAfterMs).
   */
  frameTimeoutMs: number;
  /**
   * An accepted connection on which nothing arrives for this long (while it waits for no answer
   * of ours) is closed. Default: deadAfterMs, the silence after which a dialer pinging us gives up.
   */
  idleTimeoutMs?: number;
  /** Dial + handshake deadline (swarmkit's peer send timeout is 2 s). */
  dialTimeoutMs: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  unauthenticatedFrameBytes: 64 * 1024,
  nodeFrameBytes: 1024 * 1024,
  untrustedFrameValues: API_JSON_BOUNDS.maxValues,
  frameTimeoutMs: 10_000,
  highWaterBytes: 1024 * 1024,
  queueLimitBytes: 16 * 1024 * 1024,
  backoff: DEFAULT_BACKOFF,
  pingIntervalMs: 1_000,
  deadAfterMs: 10_000,
  dialTimeoutMs: 2_000,
};

export interface ClusterTransportOptions {
  selfId: RaftId;
  /** This member's advertised cluster address (host:port), sent to peers when dialling. */
  selfAddr: string;
  /** The node's certificate and trust (read at every dial and accept) and who else gets in. */
  security: TransportSecurity;
  clock?: Clock;
  logger?: TransportLogger;
  /** How dials get their stream (default: TLS with `security`'s material; tests swap it). */
  socketFactory?: SocketFactory;
  limits?: Partial<TransportLimits>;
  /** Jitter source for reconnect backoff. */
  random?: () => number;
}

export interface PeerStatus {
  id: RaftId;
  addr: string;
  /** Our outbound connection to it is open. */
  connected: boolean;
  /** Connected and heard from within `deadAfterMs`: swarm's REACHABLE. */
  active: boolean;
  /** Clock time of the last frame from this peer on any connection, or null. */
  lastContactAt: number | null;
  /** Milliseconds since then, or null. */
  lastContactMs: number | null;
  /** It holds a connection open to us. */
  inbound: boolean;
  sendQueueBytes: number;
  sendQueueFrames: number;
  /** Bytes sitting in our socket's write buffer. */
  socketBufferedBytes: number;
  /** Messages dropped because the queue was full. */
  dropped: number;
  connects: number;
  /** Successful connects after the first. */
  reconnects: number;
  dialFailures: number;
  lastError?: string;
}

export type RequestErrorKind =
  'timeout' | 'disconnected' | 'unreachable' | 'queue-full' | 'unknown-peer' | 'too-large' | 'closed' | 'remote';

/** Why a request did not get a response; `remote` carries the handler's error (message, code, status). */
export class RequestError extends Error {
  constructor(
    readonly kind: RequestErrorKind,
    message: string,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** Answers a request; what it returns (or throws) goes back to the caller. */
export type RequestHandler = (payload: unknown, from: PeerIdentity) => unknown;
export type MessageHandler<M> = (from: RaftId, message: M) => void;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  cancelTimer(): void;
  /** The connection the request went out on; the response must come back on it. */
  conn?: FrameConnection;
  target: string;
  oneshot: boolean;
}

export class ClusterTransport<M extends object = Record<string, unknown>> {
  readonly selfId: RaftId;
  readonly selfAddr: string;
  private readonly security: TransportSecurity;
  private readonly clock: Clock;
  private readonly logger: TransportLogger;
  private readonly factory: SocketFactory;
  private readonly limits: TransportLimits;
  private readonly random: () => number;
  private readonly linkHost: LinkHost;

  private readonly links = new Map<RaftId, PeerLink>();
  /** Who is on the other end of every open connection (both directions). */
  private readonly identities = new Map<FrameConnection, PeerIdentity>();
  private readonly inboundByPeer = new Map<RaftId, FrameConnection>();
  private readonly oneshots = new Set<FrameConnection>();
  /** One-off connections this side dialled: they carry our request and its answer, nothing else. */
  private readonly dialedOneshots = new WeakSet<FrameConnection>();
  /** Connections admitted by a join token that have had their one request. */
  private readonly tokenUsed = new WeakSet<FrameConnection>();
  private readonly lastContact = new Map<RaftId, number>();
  private readonly pending = new Map<number, Pending>();
  private readonly messageHandlers = new Set<MessageHandler<M>>();
  private requestHandler: RequestHandler | undefined;
  private readonly attached: {
    server: Server;
    listener: (req: IncomingMessage, s: Duplex, h: Buffer) => void;
    unwatch: () => void;
  }[] = [];
  private nextRequestId = 1;
  private closed = false;
  /** Raft messages dropped because their `from` was not the sender's certified node ID. */
  droppedMessages = 0;

  constructor(opts: ClusterTransportOptions) {
    this.selfId = opts.selfId;
    this.selfAddr = opts.selfAddr;
    this.security = opts.security;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? consoleTransportLogger;
    this.factory = opts.socketFactory ?? tlsSocketFactory(() => this.security.material());
    this.limits = { ...DEFAULT_TRANSPORT_LIMITS, ...opts.limits };
    this.random = opts.random ?? Math.random;
    this.linkHost = {
      clock: this.clock,
      logger: this.logger,
      random: this.random,
      limits: this.limits,
      dial: (link) => this.dialTo(link.addr, 'peer', link.id),
      connect: (link, dialed) => this.wrap(dialed.socket, { raftId: link.id, addr: link.addr, via: 'member' }, link),
      requestWritten: (id, conn) => {
        const p = this.pending.get(id);
        if (p) p.conn = conn;
      },
      unreachable: (link, ids, reason) => {
        for (const id of ids) {
          this.settle(
            id,
            new RequestError('unreachable', `peer ${link.id} (${link.addr}) unreachable: ${reason.message}`),
          );
        }
      },
    };
  }

  /**
   * Accept cluster connections on `server` (the cluster port: see createClusterServer). A TLS server
   * presents this node's certificate, renewed ones included. Other upgrade protocols are left to other listeners.
   */
  attach(server: Server): void {
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.accept(server, req, socket, head);
    server.on('upgrade', listener);
    let unwatch = () => {};
    if (server instanceof TlsServer) {
      const tlsServer = server as unknown as Parameters<typeof setServerMaterial>[0];
      const follow = () => setServerMaterial(tlsServer, this.security.material());
      follow();
      unwatch = this.security.onChange(follow);
    }
    this.attached.push({ server, listener, unwatch });
  }

  addPeer(id: RaftId, addr: string): void {
    if (id === this.selfId) return;
    const link = this.links.get(id);
    if (link) link.readdress(addr);
    else this.links.set(id, new PeerLink(id, addr, this.linkHost));
  }

  removePeer(id: RaftId): void {
    const link = this.links.get(id);
    if (link) {
      this.links.delete(id);
      for (const rid of link.close()) this.settle(rid, new RequestError('disconnected', `peer ${id} was removed`));
    }
    this.inboundByPeer.get(id)?.destroy(new Error(`peer ${id} was removed`));
    this.lastContact.delete(id);
    // whatever else it holds open to us is judged by the membership that dropped it (this runs
    // inside raft's apply, which must not throw)
    if (this.closed) return;
    try {
      this.revalidate();
    } catch (err) {
      this.logger.error(`rechecking connections after removing peer ${id} failed: ${(err as Error).message}`);
    }
  }

  /** Fire-and-forget, in order per peer. False when it was not queued (unknown peer, too large, queue full). */
  send(to: RaftId, message: M, opts: { critical?: boolean } = {}): boolean {
    const link = this.links.get(to);
    if (!link || this.closed) {
      this.logger.debug(`dropping message to unknown peer ${to}`);
      return false;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame({ t: 'msg', m: message } satisfies WireFrame, this.limits.maxFrameBytes);
    } catch (err) {
      this.logger.error(`not sending message to peer ${to}: ${(err as Error).message}`);
      return false;
    }
    return link.enqueue({ frame, critical: opts.critical ?? false });
  }

  onMessage(handler: MessageHandler<M>): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  /** The one request handler (join, forwarded writes, ...). */
  onRequest(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  /**
   * Request/response: to a known peer over its connection, or to an address
   * over a one-off connection (joining, before this member knows any IDs).
   */
  request(target: RaftId | { addr: string }, payload: unknown, timeoutMs: number): Promise<unknown> {
    const label = typeof target === 'string' ? `peer ${target}` : target.addr;
    if (this.closed) return Promise.reject(new RequestError('closed', 'cluster transport is closed'));
    const id = this.nextRequestId++;
    let frame: Buffer;
    try {
      frame = encodeFrame({ t: 'req', id, p: payload } satisfies WireFrame, this.limits.maxFrameBytes);
    } catch (err) {
      return Promise.reject(new RequestError('too-large', `request to ${label}: ${(err as Error).message}`));
    }
    const link = typeof target === 'string' ? this.links.get(target) : undefined;
    if (typeof target === 'string' && !link) {
      return Promise.reject(new RequestError('unknown-peer', `unknown peer ${target}`));
    }
    return new Promise((resolve, reject) => {
      const cancelTimer = this.clock.setTimeout(() => {
        link?.queue.remove((i) => i.requestId === id);
        this.settle(id, new RequestError('timeout', `request to ${label} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, cancelTimer, target: label, oneshot: !link });
      if (link) {
        if (!link.enqueue({ frame, critical: true, requestId: id })) {
          this.settle(id, new RequestError('queue-full', `send queue to ${label} is full`));
        }
        return;
      }
      const addr = (target as { addr: string }).addr;
      this.dialTo(addr, 'oneshot').then(
        (dialed) => {
          const p = this.pending.get(id);
          if (!p || this.closed) {
            dialed.socket.destroy();
            return;
          }
          const conn = this.wrap(dialed.socket, { raftId: dialed.remoteId ?? '', addr, via: 'member' });
          this.oneshots.add(conn);
          this.dialedOneshots.add(conn);
          p.conn = conn;
          conn.start(dialed.head);
          conn.write(frame);
        },
        (err: Error) => this.settle(id, new RequestError('unreachable', err.message)),
      );
    });
  }

  peerStatus(): PeerStatus[] {
    const now = this.clock.now();
    return [...this.links.values()].map((link) => {
      const conn = link.connection;
      const at = this.lastContact.get(link.id) ?? null;
      const connected = !!conn && !conn.closed;
      return {
        id: link.id,
        addr: link.addr,
        connected,
        active: connected && at !== null && now - at <= this.limits.deadAfterMs,
        lastContactAt: at,
        lastContactMs: at === null ? null : now - at,
        inbound: this.inboundByPeer.has(link.id),
        sendQueueBytes: link.queue.bytes,
        sendQueueFrames: link.queue.length,
        socketBufferedBytes: connected ? conn.buffered : 0,
        dropped: link.queue.dropped,
        connects: link.connects,
        reconnects: Math.max(0, link.connects - 1),
        dialFailures: link.dialFailures,
        ...(link.lastError ? { lastError: link.lastError } : {}),
      };
    });
  }

  /**
   * Close every accepted connection its caller would not be admitted on now: a node removed from the
   * swarm (or its raft group), or a member's connection once its node is no longer a raft member (it
   * may reconnect with what its certificate still grants). Call it whenever membership changes.
   */
  revalidate(): number {
    let closed = 0;
    for (const [conn, who] of [...this.identities]) {
      if (this.dialedOneshots.has(conn) || conn.closed) continue;
      if (who.via !== 'member' && who.via !== 'node') continue;
      const why = this.security.isRemoved(who.raftId)
        ? denied.removed(who.raftId)
        : who.via === 'member' && !this.security.isMember(who.raftId)
          ? denied.notMember(who.raftId)
          : undefined;
      if (!why) continue;
      // our own link to a member that left is closed by removePeer when its removal applies
      if (this.links.get(who.raftId)?.connection === conn) continue;
      conn.fail(new Error(why));
      closed++;
    }
    return closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { server, listener, unwatch } of this.attached) {
      server.off('upgrade', listener);
      unwatch();
    }
    this.attached.length = 0;
    for (const id of [...this.links.keys()]) this.removePeer(id);
    for (const conn of [...this.identities.keys()]) conn.destroy();
    for (const id of [...this.pending.keys()]) this.settle(id, new RequestError('closed', 'cluster transport closed'));
  }

  // ---- inbound ----

  private accept(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const proto = String(req.headers.upgrade ?? '').toLowerCase();
    if (proto !== CLUSTER_PROTOCOL) {
      // Another protocol; if nobody else listens for upgrades, do not leave the socket hanging.
      if (server.listenerCount('upgrade') === this.attached.filter((a) => a.server === server).length) {
        socket.end(refusal(400, `unsupported upgrade protocol "${proto}"`));
      }
      return;
    }
    socket.on('error', () => {});
    if (this.closed) {
      socket.destroy();
      return;
    }
    const verdict = admit(req, this.security);
    const from = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    if (!verdict.ok) {
      this.logger.warn(`refused cluster connection from ${from}: ${verdict.message}`);
      socket.end(refusal(verdict.status, verdict.message));
      return;
    }
    socket.write(switchingProtocols(this.selfId));
    (socket as Socket).setNoDelay?.(true);
    (socket as Socket).setKeepAlive?.(true, 10_000);
    const conn = this.wrap(socket, verdict.peer, undefined, true);
    if (verdict.purpose === 'peer' && verdict.peer.via === 'member') {
      // A member keeps one connection to us; a new one means the old is dead (e.g. it restarted).
      const old = this.inboundByPeer.get(verdict.peer.raftId);
      this.inboundByPeer.set(verdict.peer.raftId, conn);
      old?.destroy(new Error('replaced by a new connection'));
    } else {
      this.oneshots.add(conn);
    }
    this.logger.debug(`accepted ${verdict.purpose} connection from raft member ${verdict.peer.raftId} (${from})`);
    conn.start(head);
  }

  // ---- connections (both directions) ----

  private dialTo(addr: string, purpose: 'peer' | 'oneshot', expectId?: RaftId): Promise<Dialed> {
    const m = this.security.material();
    return dial(addr, {
      self: { raftId: this.selfId, addr: this.selfAddr },
      // only a joiner (no certificate of its own yet) shows a token, and only to the pinned root's CA
      joinToken: m && !m.cert ? this.security.joinToken?.() : undefined,
      expectCluster: m?.cert ? this.security.clusterId() : undefined,
      purpose,
      factory: this.factory,
      clock: this.clock,
      timeoutMs: this.limits.dialTimeoutMs,
      expectId,
    });
  }

  /** `inbound`: accepted here, so the caller must keep it busy (its pings) or lose it. */
  private wrap(socket: Duplex, identity: PeerIdentity, link?: PeerLink, inbound = false): FrameConnection {
    const hooks: FrameConnectionHooks = {
      onFrame: (frame, conn) => this.onFrame(frame, conn),
      onClose: (reason, conn) => this.onClose(reason, conn, link),
      onDrain: () => link?.flush(),
    };
    const label = `peer ${identity.raftId || '?'} (${identity.addr})`;
    const { limits } = this;
    const tokenOnly = identity.via === 'join-token' || identity.via === 'worker-token';
    const frameLimit = tokenOnly
      ? limits.unauthenticatedFrameBytes
      : identity.via === 'node'
        ? limits.nodeFrameBytes
        : limits.maxFrameBytes;
    const conn = new FrameConnection(socket, label, hooks, {
      maxFrameBytes: Math.min(frameLimit, limits.maxFrameBytes),
      maxFrameValues: identity.via === 'member' ? undefined : limits.untrustedFrameValues,
      clock: this.clock,
      logger: this.logger,
      frameTimeoutMs: limits.frameTimeoutMs,
      idleTimeoutMs: inbound ? (limits.idleTimeoutMs ?? limits.deadAfterMs) : undefined,
    });
    this.identities.set(conn, identity);
    return conn;
  }

  private onClose(reason: Error | undefined, conn: FrameConnection, link: PeerLink | undefined): void {
    const identity = this.identities.get(conn);
    this.identities.delete(conn);
    this.oneshots.delete(conn);
    if (identity && this.inboundByPeer.get(identity.raftId) === conn) this.inboundByPeer.delete(identity.raftId);
    for (const [id, p] of this.pending) {
      if (p.conn === conn) {
        const why = reason ? `: ${reason.message}` : '';
        this.settle(id, new RequestError('disconnected', `connection to ${p.target} closed before it answered${why}`));
      }
    }
    link?.connectionClosed(conn, reason);
  }

  private onFrame(frame: WireFrame, conn: FrameConnection): void {
    const identity = this.identities.get(conn);
    if (!identity) return;
    if (identity.via === 'member' && identity.raftId) this.lastContact.set(identity.raftId, this.clock.now());
    switch (frame.t) {
      case 'msg':
        return this.deliver(conn, identity, frame.m as M);
      case 'req':
        return this.serve(conn, identity, frame.id, frame.p);
      case 'res': {
        const p = this.pending.get(frame.id);
        if (!p || p.conn !== conn) return;
        if (frame.ok) this.settle(frame.id, undefined, frame.p);
        else this.settle(frame.id, new RequestError('remote', frame.e.message, frame.e.code, frame.e.status));
        return;
      }
      case 'ping':
        return this.reply(conn, { t: 'pong' });
      default:
        return;
    }
  }

  private deliver(conn: FrameConnection, identity: PeerIdentity, message: M): void {
    if (this.dialedOneshots.has(conn)) return; // the answer to our request is all we take from it
    if (identity.via !== 'member') {
      // raft is for the certificates of managers that are raft members now
      conn.fail(new Error(denied.ous([MANAGER_OU])));
      return;
    }
    if (!this.security.isMember(identity.raftId)) {
      // it left the raft group since this connection was admitted
      conn.fail(new Error(denied.notMember(identity.raftId)));
      return;
    }
    // a member speaks only for itself, whatever the field holds
    const claimed = (message as { from?: unknown }).from;
    if (claimed !== identity.raftId) {
      this.droppedMessages++;
      this.logger.warn(
        `dropping message from ${identity.raftId} claiming to be from ${JSON.stringify(claimed)?.slice(0, 80)}`,
      );
      return;
    }
    for (const h of this.messageHandlers) {
      try {
        h(identity.raftId, message);
      } catch (err) {
        this.logger.error(`message handler failed: ${(err as Error).message}`);
      }
    }
  }

  private serve(conn: FrameConnection, identity: PeerIdentity, id: number, payload: unknown): void {
    const handler = this.requestHandler;
    if (this.dialedOneshots.has(conn)) {
      conn.fail(new Error('a one-off connection carries no requests back'));
      return;
    }
    // a join token admits one request: the connection closes with its answer
    const tokenOnly = identity.via === 'join-token' || identity.via === 'worker-token';
    if (tokenOnly && this.tokenUsed.has(conn)) {
      // not served: the connection closes with the first one's answer
      this.logger.warn(`${conn.label}: ignoring a second request on a join-token connection`);
      return;
    }
    if (tokenOnly) this.tokenUsed.add(conn);
    if (!handler) {
      this.reply(conn, { t: 'res', id, ok: false, e: { message: 'this member does not serve requests' } }, tokenOnly);
      return;
    }
    conn.owe();
    const answered = (frame: WireFrame) => {
      conn.answered();
      this.reply(conn, frame, tokenOnly);
    };
    Promise.resolve()
      .then(() => handler(payload, identity))
      .then(
        (p) => answered({ t: 'res', id, ok: true, p: p ?? null }),
        (err: unknown) => answered({ t: 'res', id, ok: false, e: toWireError(err) }),
      );
  }

  /** Responses skip the queue; a caller that does not read them is cut off rather than buffered for. `last`: close after it. */
  private reply(conn: FrameConnection, frame: WireFrame, last = false): void {
    if (conn.closed) return;
    if (conn.buffered > this.limits.queueLimitBytes) {
      conn.fail(new Error('peer is not reading its responses'));
      return;
    }
    let bytes: Buffer;
    try {
      bytes = encodeFrame(frame, this.limits.maxFrameBytes);
    } catch (err) {
      if (frame.t !== 'res') return;
      bytes = encodeFrame({ t: 'res', id: frame.id, ok: false, e: { message: (err as Error).message } });
    }
    if (last) conn.finish(bytes);
    else conn.write(bytes);
  }

  private settle(id: number, err: Error | undefined, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.cancelTimer();
    if (p.oneshot) p.conn?.destroy();
    if (err) p.reject(err);
    else p.resolve(value);
  }
}

function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; status?: unknown };
    return {
      message: e.message,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
    };
  }
  return { message: String(err) };
}
