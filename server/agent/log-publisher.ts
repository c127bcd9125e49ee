// The node's side of `docker service logs` (swarmkit agent/worker.go
// subscriptions + the log publisher): learns the log subscriptions the
// leader's broker gives this node, reads the asked tasks' kept lines from the
// executor, follows their new lines, and publishes them in batches.

import { SwarmError } from '../api/errors';
import type { LogBrokerNodeApi, NodeLogSubscription, NodeLogTask, PublishedLine } from '../api/logs';
import { systemClock, type Clock } from '../util/clock';
import { chunkByJsonBytes } from '../util/json-chunks';
import type { LogEntry } from './executor/log-ring';
import { isTaskLogSource, type TaskLogSource } from './executor/log-source';

export interface LogPublisherOptions {
  nodeID: string;
  /** The node's executor (or any TaskLogSource); one without logs answers every subscription with no lines. */
  source: unknown;
  broker: LogBrokerNodeApi;
  clock?: Clock;
  /** How long followed lines are collected before one publish. */
  flushMs?: number;
  /** Caps of one published batch. */
  maxBatchLines?: number;
  maxBatchBytes?: number;
}

const FLUSH_MS = 100;
const MAX_BATCH_LINES = 1_000;
const MAX_BATCH_BYTES = 512 * 1024;
/**
 * Lines waiting for one follow subscription (a stalled broker, a slow
 * reader); beyond either cap the oldest quarter is dropped at once (cheap
 * however fast the task prints).
 */
const MAX_PENDING_LINES = 20_000;
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const RETRIES = 3;
const RETRY_MS = 500;
/** How soon a batch the broker refused as busy (its reader is behind) is offered again. */
const BUSY_RETRY_MS = 200;

interface ActiveSub {
  id: string;
  follow: boolean;
  tasks: Map<string, () => void>;
  /** Lines not yet handed to a publish; new ones wait here while one is under way. */
  pending: PublishedLine[];
  pendingBytes: number;
  sending: boolean;
}

/** Lines of the kept ones that a subscription's task asks for: since first, then the tail. */
export function backlog(entries: readonly LogEntry[], t: Pick<NodeLogTask, 'tail' | 'since'>): LogEntry[] {
  let out = t.since === undefined ? entries : entries.filter((e) => Date.parse(e.time) >= t.since!);
  if (t.tail !== undefined) out = t.tail <= 0 ? [] : out.slice(-t.tail);
  return out as LogEntry[];
}

/** Cuts lines into batches within the caps (bytes as the transport sends them: JSON, escapes included). */
export function chunkLines(lines: PublishedLine[], maxLines: number, maxBytes: number): PublishedLine[][] {
  return chunkByJsonBytes(lines, maxBytes, maxLines);
}

export class LogPublisher {
  private readonly clock: Clock;
  private readonly source?: TaskLogSource;
  private readonly flushMs: number;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private readonly active = new Map<string, ActiveSub>();
  /** Non-follow subscriptions already answered (still listed until the broker hears the close). */
  private readonly answered = new Set<string>();
  /** Each subscription's publishes go out one at a time, in order; a busy reader holds up only its own. */
  private readonly outbox = new Map<string, Promise<void>>();
  private cancelFlush?: () => void;
  private stopListening?: () => void;
  private stopped = false;

  constructor(private readonly opts: LogPublisherOptions) {
    this.clock = opts.clock ?? systemClock;
    this.source = isTaskLogSource(opts.source) ? opts.source : undefined;
    this.flushMs = opts.flushMs ?? FLUSH_MS;
    this.maxLines = opts.maxBatchLines ?? MAX_BATCH_LINES;
    this.maxBytes = opts.maxBatchBytes ?? MAX_BATCH_BYTES;
  }

  get nodeID(): string {
    return this.opts.nodeID;
  }

  /** Subscriptions being served (follow ones until the broker drops them). */
  get activeCount(): number {
    return this.active.size;
  }

  start(): void {
    if (this.stopListening || this.stopped) return;
    this.stopListening = this.opts.broker.listen(this.opts.nodeID, (subs) => this.onSubscriptions(subs));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopListening?.();
    this.stopListening = undefined;
    this.cancelFlush?.();
    for (const s of this.active.values()) this.detach(s);
    this.active.clear();
    await Promise.all([...this.outbox.values()]);
  }

  /** Every call carries the full set: start the new ones, add tasks that joined, drop the ones gone. */
  private onSubscriptions(subs: NodeLogSubscription[]): void {
    if (this.stopped) return;
    const listed = new Set(subs.map((s) => s.id));
    for (const [id, s] of this.active) {
      if (listed.has(id)) continue;
      this.detach(s);
      this.active.delete(id);
    }
    for (const id of this.answered) if (!listed.has(id)) this.answered.delete(id);
    for (const sub of subs) {
      if (sub.follow) this.follow(sub);
      else if (!this.answered.has(sub.id)) this.answer(sub);
    }
  }

  /** Non-follow: everything kept, then close. */
  private answer(sub: NodeLogSubscription): void {
    this.answered.add(sub.id);
    const lines: PublishedLine[] = [];
    for (const t of sub.tasks) for (const e of backlog(this.read(t.taskID), t)) lines.push(toLine(t.taskID, e));
    const batches = chunkLines(lines, this.maxLines, this.maxBytes);
    if (batches.length === 0) batches.push([]);
    batches.forEach((b, i) =>
      this.send({ subscriptionID: sub.id, lines: b, close: i === batches.length - 1 ? true : undefined }),
    );
  }

  private follow(sub: NodeLogSubscription): void {
    let s = this.active.get(sub.id);
    if (!s) {
      s = { id: sub.id, follow: true, tasks: new Map(), pending: [], pendingBytes: 0, sending: false };
      this.active.set(sub.id, s);
    }
    for (const t of sub.tasks) {
      if (s.tasks.has(t.taskID)) continue;
      const active = s;
      // subscribe first: no line can come between (both run in this one synchronous step)
      const off = this.source?.subscribeLogs(t.taskID, (e) => this.enqueue(active, toLine(t.taskID, e))) ?? (() => {});
      s.tasks.set(t.taskID, off);
      for (const e of backlog(this.read(t.taskID), t)) this.enqueue(s, toLine(t.taskID, e));
    }
  }

  private read(taskID: string): LogEntry[] {
    try {
      return this.source?.logs(taskID) ?? [];
    } catch (err) {
      console.error(`log publisher: reading task ${taskID}'s logs failed`, err);
      return [];
    }
  }

  private enqueue(s: ActiveSub, line: PublishedLine): void {
    if (this.stopped || this.active.get(s.id) !== s) return;
    s.pending.push(line);
    s.pendingBytes += line.line.length;
    if (s.pending.length > MAX_PENDING_LINES || s.pendingBytes > MAX_PENDING_BYTES) {
      let drop = 0;
      while (s.pending.length - drop > (MAX_PENDING_LINES * 3) / 4 || s.pendingBytes > (MAX_PENDING_BYTES * 3) / 4)
        s.pendingBytes -= s.pending[drop++]!.line.length;
      s.pending.splice(0, drop);
    }
    if (!s.sending) this.scheduleFlush();
  }

  /**
   * Hands each subscription's pending lines to its publishes, unless some are
   * still under way: lines then wait in `pending`, bounded, and not in an
   * ever longer chain of publishes (a stalled broker or a slow reader).
   */
  private flush(): void {
    for (const s of this.active.values()) {
      if (!s.pending.length || s.sending) continue;
      const lines = s.pending;
      s.pending = [];
      s.pendingBytes = 0;
      s.sending = true;
      for (const b of chunkLines(lines, this.maxLines, this.maxBytes)) this.send({ subscriptionID: s.id, lines: b });
      this.after(s.id, () => {
        s.sending = false;
        if (s.pending.length && this.active.get(s.id) === s) this.scheduleFlush();
      });
    }
  }

  private scheduleFlush(): void {
    this.cancelFlush ??= this.clock.setTimeout(() => {
      this.cancelFlush = undefined;
      this.flush();
    }, this.flushMs);
  }

  private detach(s: ActiveSub): void {
    for (const off of s.tasks.values()) off();
    s.tasks.clear();
    s.pending = [];
    s.pendingBytes = 0;
  }

  /** Runs `step` after the subscription's publishes so far. */
  private after(id: string, step: () => Promise<void> | void): void {
    const next = (this.outbox.get(id) ?? Promise.resolve()).then(step).catch((err: unknown) => {
      console.error('log publisher: publishing failed', (err as Error).message);
    });
    this.outbox.set(id, next);
    void next.then(() => {
      if (this.outbox.get(id) === next) this.outbox.delete(id);
    });
  }

  /** Whether the broker still wants lines of this subscription from this node. */
  private wanted(id: string, close: boolean | undefined): boolean {
    if (this.stopped) return !!close;
    return this.active.has(id) || this.answered.has(id);
  }

  private send(batch: { subscriptionID: string; lines: PublishedLine[]; close?: true }): void {
    this.after(batch.subscriptionID, async () => {
      for (let attempt = 1; ;) {
        if (!this.wanted(batch.subscriptionID, batch.close)) return; // dropped meanwhile
        try {
          const answer = await this.opts.broker.publish(this.opts.nodeID, batch);
          // the reader is behind: offer the same lines again shortly (dockerd's slow reader blocks the stream)
          if (answer?.busy) {
            if (this.stopped) return;
            await new Promise<void>((r) => this.clock.setTimeout(r, BUSY_RETRY_MS));
            continue;
          }
          return;
        } catch (err) {
          const code = err instanceof SwarmError ? err.code : undefined;
          // an ended subscription (or one we may not serve) takes nothing more
          if (code === 'NotFound' || code === 'PermissionDenied' || attempt >= RETRIES) {
            const s = this.active.get(batch.subscriptionID);
            if (s) {
              this.detach(s);
              this.active.delete(batch.subscriptionID);
            }
            if (code !== 'NotFound') console.error('log publisher: publishing failed', (err as Error).message);
            return;
          }
          attempt++;
          await new Promise<void>((r) => this.clock.setTimeout(r, RETRY_MS));
        }
      }
    });
  }
}

function toLine(taskID: string, e: LogEntry): PublishedLine {
  return { taskID, time: e.time, stream: e.stream, line: e.line };
}
