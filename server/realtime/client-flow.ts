// How far behind one console client's socket is. engine.io queues every emit
// in the session's write buffer while the transport is still busy with the
// previous send, whatever the reader's speed; a client that stops reading
// would make that queue grow without bound. So the gateway emits to a client
// only while nothing waits in its buffer (frames meanwhile coalesce in its
// pacer, a net change per object), and a client that stays behind without
// progress is disconnected: its reconnect resumes from its last index, or
// takes a snapshot.

/** The parts of an engine.io session this looks at (engine.io does not type them all). */
export interface EngineSession {
  readonly writeBuffer?: readonly unknown[];
  readonly transport?: {
    readonly name?: string;
    readonly socket?: { readonly bufferedAmount?: number; terminate?(): void };
  };
  on(event: 'flush' | 'drain', listener: () => void): unknown;
}

/** Bytes a WebSocket may hold unsent before the client counts as behind (one large frame fits). */
export const CLIENT_SOCKET_BYTES = 1024 * 1024;
/** A client behind this long without one send completing is disconnected. */
export const CLIENT_STALL_MS = 20_000;

export class ClientFlow {
  private lastProgress: number;

  constructor(
    private readonly session: EngineSession,
    private readonly now: () => number,
    private readonly stallMs = CLIENT_STALL_MS,
    private readonly socketBytes = CLIENT_SOCKET_BYTES,
  ) {
    this.lastProgress = now();
    // a flush hands the buffered packets to the transport: the client took the previous send
    const progressed = () => (this.lastProgress = this.now());
    session.on('flush', progressed);
    session.on('drain', progressed);
  }

  /** Bytes the WebSocket holds that the reader has not taken yet. */
  private get unsent(): number {
    const t = this.session.transport;
    return t?.name === 'websocket' ? (t.socket?.bufferedAmount ?? 0) : 0;
  }

  /** Packets still wait for the transport, or the WebSocket holds more than its share. */
  get behind(): boolean {
    return (this.session.writeBuffer?.length ?? 0) > 0 || this.unsent > this.socketBytes;
  }

  /**
   * Behind, and no send completed for the stall time. (The WebSocket's unsent
   * bytes going down is no sign: the kernel keeps taking some from a reader
   * that reads nothing as its buffers grow.)
   */
  get stalled(): boolean {
    if (!this.behind) {
      this.lastProgress = this.now();
      return false;
    }
    return this.now() - this.lastProgress >= this.stallMs;
  }

  /** Closes a WebSocket at once: a polite close would wait for a reader that does not read. */
  terminate(): void {
    const t = this.session.transport;
    if (t?.name === 'websocket') t.socket?.terminate?.();
  }
}
