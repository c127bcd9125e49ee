// The ONE outbound connection this member keeps to a peer: dialled lazily on
// the first frame, redialled with capped, jittered backoff, fed from a bounded
// queue whenever the socket's write buffer is below the high-water mark, and
// health-checked with pings. Frames reach the peer in queue order.

import type { RaftId } from '../types';
import type { Clock } from '../../util/clock';
import { backoffDelay, type BackoffPolicy } from './backoff';
import type { Dialed } from './dial';
import { encodeFrame } from './frames';
import type { FrameConnection } from './frame-connection';
import type { TransportLogger } from './logger';
import { SendQueue, type QueuedFrame } from './send-queue';

export interface LinkLimits {
  /** Above this many bytes in the socket's write buffer, frames wait in the queue. */
  highWaterBytes: number;
  /** The queue never holds more than this. */
  queueLimitBytes: number;
  backoff: BackoffPolicy;
  /** How often an open connection is pinged. */
  pingIntervalMs: number;
  /** A connection that has carried nothing back for this long is presumed dead and redialled. */
  deadAfterMs: number;
}

/** What a link needs from its transport. */
export interface LinkHost {
  clock: Clock;
  logger: TransportLogger;
  random: () => number;
  limits: LinkLimits;
  dial(link: PeerLink): Promise<Dialed>;
  /** Wrap a dialled socket in a connection whose frames and close reach the transport (and this link). */
  connect(link: PeerLink, dialed: Dialed): FrameConnection;
  /** A request frame went out on `conn`: its response must come back on it. */
  requestWritten(requestId: number, conn: FrameConnection): void;
  /** Queued requests that cannot be sent because the dial failed. */
  unreachable(link: PeerLink, requestIds: number[], reason: Error): void;
}

const PING = encodeFrame({ t: 'ping' });

export class PeerLink {
  readonly queue: SendQueue;
  private conn: FrameConnection | undefined;
  private dialing = false;
  private cancelRetry: (() => void) | undefined;
  private cancelPing: (() => void) | undefined;
  /** When the current connection began owing us an answer: our oldest unanswered ping, or the moment it stopped reading. */
  private owedSince: number | undefined;
  private attempt = 0;
  private unreachableSinceConnect = false;
  private closedFlag = false;
  connects = 0;
  dialFailures = 0;
  lastError: string | undefined;

  constructor(
    readonly id: RaftId,
    public addr: string,
    private readonly host: LinkHost,
  ) {
    this.queue = new SendQueue(host.limits.queueLimitBytes);
  }

  get connection(): FrameConnection | undefined {
    return this.conn;
  }

  /** Send now if the socket has room and nothing is ahead of it, else queue (bounded). False if refused. */
  enqueue(item: QueuedFrame): boolean {
    if (this.closedFlag) return false;
    const conn = this.conn;
    if (conn && this.queue.length === 0 && conn.buffered < this.host.limits.highWaterBytes) {
      this.writeOn(conn, item);
      return true;
    }
    const ok = this.queue.push(item);
    this.ensureConnected();
    return ok;
  }

  /** Move queued frames to the socket while it is below the high-water mark. */
  flush(): void {
    const conn = this.conn;
    if (!conn) return;
    while (!conn.closed && conn.buffered < this.host.limits.highWaterBytes) {
      const item = this.queue.shift();
      if (!item) return;
      this.writeOn(conn, item);
    }
  }

  /** The peer moved: drop the connection to the old address and dial the new one on demand. */
  readdress(addr: string): void {
    if (addr === this.addr) return;
    this.addr = addr;
    this.conn?.destroy(new Error(`peer ${this.id} moved to ${addr}`));
  }

  /** The connection closed (either side, or health check). */
  connectionClosed(conn: FrameConnection, reason: Error | undefined): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    this.cancelPing?.();
    this.cancelPing = undefined;
    if (reason) this.lastError = reason.message;
    if (this.closedFlag) return;
    this.host.logger.info(`connection to peer ${this.id} (${this.addr}) lost${reason ? `: ${reason.message}` : ''}`);
    this.scheduleRetry();
  }

  /** Stop for good; returns the request IDs that were still queued. */
  close(): number[] {
    this.closedFlag = true;
    this.cancelRetry?.();
    this.cancelPing?.();
    this.cancelRetry = this.cancelPing = undefined;
    this.conn?.destroy();
    this.conn = undefined;
    return this.queue.clear().flatMap((i) => (i.requestId === undefined ? [] : [i.requestId]));
  }

  private writeOn(conn: FrameConnection, item: QueuedFrame): void {
    conn.write(item.frame);
    if (item.requestId !== undefined) this.host.requestWritten(item.requestId, conn);
  }

  private ensureConnected(): void {
    if (this.conn || this.dialing || this.cancelRetry || this.closedFlag) return;
    this.dialing = true;
    this.host.dial(this).then(
      (dialed) => {
        this.dialing = false;
        if (this.closedFlag) {
          dialed.socket.destroy();
          return;
        }
        if (this.unreachableSinceConnect) {
          // Raft messages queued while the peer was unreachable are stale by now: raft resends
          // what is still needed (and a log compacted meanwhile must reach it as a snapshot).
          this.unreachableSinceConnect = false;
          this.queue.remove((i) => !i.critical);
        }
        const conn = this.host.connect(this, dialed);
        this.conn = conn;
        this.attempt = 0;
        this.connects++;
        this.lastError = undefined;
        conn.start(dialed.head);
        if (conn.closed) return;
        this.host.logger.info(`connected to peer ${this.id} (${this.addr})`);
        this.owedSince = undefined;
        this.armPing(conn);
        this.flush();
      },
      (err: Error) => {
        this.dialing = false;
        if (this.closedFlag) return;
        this.dialFailures++;
        if (this.lastError !== err.message) this.host.logger.warn(`peer ${this.id} (${this.addr}): ${err.message}`);
        this.lastError = err.message;
        const ids = this.queue.remove((i) => i.requestId !== undefined).map((i) => i.requestId!);
        if (ids.length > 0) this.host.unreachable(this, ids, err);
        this.unreachableSinceConnect = true;
        this.scheduleRetry();
      },
    );
  }

  private scheduleRetry(): void {
    if (this.cancelRetry || this.closedFlag) return;
    const delay = backoffDelay(this.attempt++, this.host.limits.backoff, this.host.random);
    this.cancelRetry = this.host.clock.setTimeout(() => {
      this.cancelRetry = undefined;
      // Lazy: redial only if something is waiting; otherwise the next send dials.
      if (this.queue.length > 0) this.ensureConnected();
    }, delay);
  }

  /**
   * Ping every interval; a connection that owes us an answer for longer than
   * deadAfterMs is dead. Silence is counted from what we asked, not from the
   * last frame: a process that was busy (a GC pause, a console build) sent no
   * pings meanwhile and must not blame the peer for the gap.
   */
  private armPing(conn: FrameConnection): void {
    const { pingIntervalMs, highWaterBytes } = this.host.limits;
    this.cancelPing = this.host.clock.setTimeout(() => {
      this.cancelPing = undefined;
      if (conn !== this.conn || conn.closed) return;
      if (this.overdue(conn)) {
        // timers run before the socket's waiting bytes are read: look again once they are
        setImmediate(() => {
          if (conn !== this.conn || conn.closed) return;
          if (this.overdue(conn)) {
            const silent = this.host.clock.now() - this.owedSince!;
            conn.destroy(new Error(`no answer from peer ${this.id} for ${silent} ms`));
          } else this.armPing(conn);
        });
        return;
      }
      // a peer that does not read its socket owes us that too
      if (conn.buffered < highWaterBytes) conn.write(PING);
      this.owedSince ??= this.host.clock.now();
      this.armPing(conn);
    }, pingIntervalMs);
  }

  /** Whether the connection has owed an answer past deadAfterMs (any frame from the peer settles it). */
  private overdue(conn: FrameConnection): boolean {
    if (this.owedSince !== undefined && conn.lastFrameAt >= this.owedSince) this.owedSince = undefined;
    return this.owedSince !== undefined && this.host.clock.now() - this.owedSince > this.host.limits.deadAfterMs;
  }
}
