// The bounded per-peer queue of encoded frames waiting for the socket.
// Raft retransmits lost messages, so when the queue is full the OLDEST
// non-critical frames are dropped (and counted); critical frames (requests and
// their responses, which nobody retransmits) are never dropped — a new one that
// cannot fit is refused instead. The queue never holds more than `limitBytes`.

export interface QueuedFrame {
  frame: Buffer;
  critical: boolean;
  /** Set on request frames so a timed-out request can be withdrawn before it is sent. */
  requestId?: number;
}

export class SendQueue {
  private items: QueuedFrame[] = [];
  private head = 0;
  private total = 0;
  private criticalTotal = 0;
  private droppedCount = 0;

  constructor(readonly limitBytes: number) {}

  get bytes(): number {
    return this.total;
  }
  get length(): number {
    return this.items.length - this.head;
  }
  /** Non-critical frames dropped to stay under the limit (or too large to ever fit). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Queue a frame; false when it was refused (then nothing else was dropped for it). */
  push(item: QueuedFrame): boolean {
    const size = item.frame.length;
    const floor = item.critical ? this.criticalTotal + size : size;
    if (floor > this.limitBytes) {
      if (!item.critical) this.droppedCount++;
      return false;
    }
    this.items.push(item);
    this.account(item, 1);
    while (this.total > this.limitBytes) {
      // Oldest non-critical first; it exists because `floor` fitted.
      let i = this.head;
      while (this.items[i]!.critical) i++;
      const [gone] = this.items.splice(i, 1);
      this.account(gone!, -1);
      this.droppedCount++;
    }
    return true;
  }

  peek(): QueuedFrame | undefined {
    return this.items[this.head];
  }

  shift(): QueuedFrame | undefined {
    const item = this.items[this.head];
    if (!item) return undefined;
    this.items[this.head++] = undefined as unknown as QueuedFrame;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.account(item, -1);
    return item;
  }

  /** Take out every queued frame matching `pred` (not counted as drops). */
  remove(pred: (item: QueuedFrame) => boolean): QueuedFrame[] {
    const kept: QueuedFrame[] = [];
    const removed: QueuedFrame[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      (pred(item) ? removed : kept).push(item);
    }
    this.items = kept;
    this.head = 0;
    for (const r of removed) this.account(r, -1);
    return removed;
  }

  clear(): QueuedFrame[] {
    return this.remove(() => true);
  }

  private account(item: QueuedFrame, sign: 1 | -1): void {
    this.total += sign * item.frame.length;
    if (item.critical) this.criticalTotal += sign * item.frame.length;
  }
}
