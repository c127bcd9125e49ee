// One upgraded socket, either direction: decodes incoming frames, writes
// encoded ones, and reports exactly once when it is gone. It applies no
// policy; the transport decides what to write and when.

import type { Duplex } from 'node:stream';
import type { Clock } from '../../util/clock';
import { encodeFrame, FrameDecoder } from './frames';
import type { TransportLogger } from './logger';
import { asWireFrame, type WireFrame } from './wire';

export interface FrameConnectionHooks {
  onFrame(frame: WireFrame, conn: FrameConnection): void;
  /** Called once; `reason` is undefined for a clean close by either side. */
  onClose(reason: Error | undefined, conn: FrameConnection): void;
  /** The socket's write buffer emptied (room to flush a queue). */
  onDrain?(conn: FrameConnection): void;
}

export interface FrameConnectionOptions {
  maxFrameBytes: number;
  /** Values a frame may hold (bounded-json's count); unbounded when absent. */
  maxFrameValues?: number;
  clock: Clock;
  logger: TransportLogger;
  /** A frame whose first bytes arrived must be complete within this (else the peer is parking it). */
  frameTimeoutMs?: number;
  /**
   * Close the connection when nothing at all arrived for this long while we owe the peer no answer
   * (accepted connections: a dialer pings them well within it).
   */
  idleTimeoutMs?: number;
}

export class FrameConnection {
  private readonly decoder: FrameDecoder;
  private closedFlag = false;
  /** Clock time of the last frame received. */
  lastFrameAt: number;
  /** Since when the peer has said nothing while owed nothing: its last byte, or our last answer to it. */
  private quietSince: number;
  /** When the frame now arriving began, while one is partial. */
  private frameStartedAt: number | undefined;
  private cancelWatch: (() => void) | undefined;
  /** Requests from the peer we are still answering: the peer may wait in silence meanwhile. */
  private owed = 0;

  constructor(
    private readonly socket: Duplex,
    /** For log lines, e.g. `peer 7f3a (10.0.0.2:2377)`. */
    readonly label: string,
    private readonly hooks: FrameConnectionHooks,
    private readonly opts: FrameConnectionOptions,
  ) {
    this.decoder = new FrameDecoder(opts.maxFrameBytes, undefined, opts.maxFrameValues);
    this.lastFrameAt = this.quietSince = opts.clock.now();
  }

  /** Begin reading; `head` is data that came in with the upgrade. Separate from the constructor so the owner can register the connection first. */
  start(head?: Buffer): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('drain', () => this.hooks.onDrain?.(this));
    this.socket.on('error', (err) => this.gone(err));
    this.socket.on('close', () => this.gone(undefined));
    this.socket.on('end', () => this.socket.end());
    if (head && head.length > 0) this.receive(head);
    this.watch();
  }

  /** A request from the peer is being answered: its silence meanwhile is not idleness. */
  owe(): void {
    this.owed++;
  }

  /** The answer went out: the peer's silence counts again from now. */
  answered(): void {
    this.owed = Math.max(0, this.owed - 1);
    if (this.owed === 0) this.quietSince = this.opts.clock.now();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes accepted by the socket but not yet handed to the kernel. */
  get buffered(): number {
    return this.socket.writableLength;
  }

  write(frame: Buffer): void {
    if (!this.closedFlag) this.socket.write(frame);
  }

  /** Tear down at once (no goodbye). */
  destroy(reason?: Error): void {
    if (reason) this.gone(reason);
    this.socket.destroy();
  }

  /** Send `frame` as the last one, then close (the peer reads it before the end). */
  finish(frame: Buffer): void {
    if (this.closedFlag) return;
    this.gone(undefined);
    this.socket.end(frame, () => this.socket.destroy());
    this.opts.clock.setTimeout(() => this.socket.destroy(), 1_000);
  }

  /** A protocol violation: tell the peer why, then close. */
  fail(reason: Error): void {
    if (this.closedFlag) return;
    this.opts.logger.warn(`${this.label}: closing connection: ${reason.message}`);
    const bye = encodeFrame({ t: 'error', e: reason.message } satisfies WireFrame);
    this.gone(reason);
    this.socket.end(bye, () => this.socket.destroy());
    // A peer that never reads would keep the socket open; do not wait on it forever.
    this.opts.clock.setTimeout(() => this.socket.destroy(), 1_000);
  }

  private receive(chunk: Buffer): void {
    if (this.closedFlag) return;
    const now = this.opts.clock.now();
    this.quietSince = now;
    let values: unknown[];
    try {
      values = this.decoder.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    // the clock of the frame now partial starts with the chunk that began it
    if (!this.decoder.partial) this.frameStartedAt = undefined;
    else if (values.length > 0 || this.frameStartedAt === undefined) this.frameStartedAt = now;
    for (const v of values) {
      if (this.closedFlag) return;
      const frame = asWireFrame(v);
      if (!frame) {
        this.fail(new Error('received a frame that is not a cluster envelope'));
        return;
      }
      this.lastFrameAt = this.opts.clock.now();
      if (frame.t === 'error') {
        this.gone(new Error(`peer closed the connection: ${frame.e}`));
        this.socket.destroy();
        return;
      }
      try {
        this.hooks.onFrame(frame, this);
      } catch (err) {
        this.opts.logger.error(`${this.label}: frame handler failed: ${(err as Error).message}`);
      }
    }
  }

  /** Check the frame and idle deadlines a few times per the shorter of them. */
  private watch(): void {
    const { frameTimeoutMs, idleTimeoutMs, clock } = this.opts;
    const shortest = Math.min(frameTimeoutMs ?? Infinity, idleTimeoutMs ?? Infinity);
    if (shortest === Infinity || this.closedFlag) return;
    this.cancelWatch = clock.setTimeout(
      () => {
        this.cancelWatch = undefined;
        if (this.closedFlag) return;
        if (!this.overdue()) {
          this.watch();
          return;
        }
        // After this process was busy (a long GC, a console build), timers run before the socket's
        // waiting bytes are read: look again once they are, so a busy receiver does not blame the peer.
        setImmediate(() => {
          if (this.closedFlag) return;
          const why = this.overdue();
          if (why) this.fail(why);
          else this.watch();
        });
      },
      Math.min(1_000, Math.max(50, shortest / 4)),
    );
  }

  /** Why a deadline has passed, or undefined. */
  private overdue(): Error | undefined {
    const { frameTimeoutMs, idleTimeoutMs, clock } = this.opts;
    const now = clock.now();
    if (frameTimeoutMs !== undefined && this.frameStartedAt !== undefined && now - this.frameStartedAt > frameTimeoutMs)
      return new Error(`frame not completed within ${frameTimeoutMs} ms`);
    if (idleTimeoutMs !== undefined && this.owed === 0 && now - this.quietSince > idleTimeoutMs)
      return new Error(`nothing received for ${now - this.quietSince} ms`);
    return undefined;
  }

  private gone(reason: Error | undefined): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.cancelWatch?.();
    this.cancelWatch = undefined;
    this.hooks.onClose(reason, this);
  }
}
