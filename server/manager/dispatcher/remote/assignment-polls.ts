// The leader's end of the assignments long-poll. The dispatcher pushes to a
// callback; a remote poller pulls. In between, one small buffer per session:
// filled by DispatcherApi.assignments, emptied as the poller acknowledges
// (its cursor), dropped when the session ends, the poller goes quiet, or the
// buffer overflows — a later poll then simply starts a fresh stream, whose
// first message is a `complete` that replaces whatever the agent missed.

import { newID } from '../../../api/ids';
import type { Clock } from '../../../util/clock';
import type { AssignmentsMessage, DispatcherApi } from '../api';
import type { AssignmentsCursor, AssignmentsPage, WireAssignments } from './wire';

export interface AssignmentPollsOptions {
  clock: Clock;
  /** Longest a poll waits for news (requests ask for less; keep it below the caller's request timeout). */
  maxWaitMs: number;
  /** A stream nobody polled for this long is dropped. */
  idleMs: number;
  /** Buffered messages per stream before it is dropped (the poller resyncs). */
  maxBuffered: number;
  /** Rough size budget of one response; larger messages are cut into parts. */
  pageBytes: number;
}

export const DEFAULT_POLL_OPTIONS: Omit<AssignmentPollsOptions, 'clock'> = {
  maxWaitMs: 10_000,
  idleMs: 30_000,
  maxBuffered: 1_000,
  pageBytes: 2 * 1024 * 1024,
};

interface Entry {
  seq: number;
  msg: WireAssignments;
  bytes: number;
}

interface Stream {
  id: string;
  sessionID: string;
  dispatcher: DispatcherApi;
  entries: Entry[];
  lastSeq: number;
  unsubscribe?: () => void;
  waiters: Set<() => void>;
  polling: number;
  cancelIdle?: () => void;
  closed: boolean;
}

export class AssignmentPolls {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly opts: AssignmentPollsOptions) {}

  /** Streams currently held (for tests and status). */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Messages after `cursor`, waiting up to `waitMs` when there are none. A
   * missing or stale cursor (another stream, another dispatcher) starts a new
   * stream. Throws what the dispatcher throws for an invalid session.
   */
  async poll(
    d: DispatcherApi,
    sessionID: string,
    cursor: AssignmentsCursor | null,
    waitMs: number,
  ): Promise<AssignmentsPage> {
    let st = this.streams.get(sessionID);
    let ack = 0;
    if (st && cursor && cursor.stream === st.id && st.dispatcher === d) {
      // The stream lives on, but its session may not: an empty report is a no-op that checks it.
      try {
        await d.updateTaskStatus(sessionID, []);
      } catch (err) {
        this.end(sessionID);
        throw err;
      }
      ack = cursor.seq;
    } else {
      if (st) this.close(st);
      st = this.open(d, sessionID);
    }
    // A stream closed meanwhile answers empty; the next poll starts a new one.
    if (st.closed) return { stream: st.id, seq: ack, messages: [] };
    st.entries = st.entries.filter((e) => e.seq > ack);
    st.polling++;
    try {
      const wait = Math.min(waitMs, this.opts.maxWaitMs);
      if (st.entries.length === 0 && wait > 0) await this.waitForNews(st, wait);
    } finally {
      st.polling--;
      this.armIdle(st);
    }
    return this.page(st, ack);
  }

  /** Drops the session's stream (the session ended). */
  end(sessionID: string): void {
    const st = this.streams.get(sessionID);
    if (st) this.close(st);
  }

  closeAll(): void {
    for (const st of [...this.streams.values()]) this.close(st);
  }

  private open(d: DispatcherApi, sessionID: string): Stream {
    const st: Stream = {
      id: newID(),
      sessionID,
      dispatcher: d,
      entries: [],
      lastSeq: 0,
      waiters: new Set(),
      polling: 0,
      closed: false,
    };
    st.unsubscribe = d.assignments(sessionID, (m) => this.push(st, m));
    this.streams.set(sessionID, st);
    this.armIdle(st);
    return st;
  }

  private close(st: Stream): void {
    if (st.closed) return;
    st.closed = true;
    st.unsubscribe?.();
    st.cancelIdle?.();
    st.entries = [];
    if (this.streams.get(st.sessionID) === st) this.streams.delete(st.sessionID);
    this.wake(st);
  }

  private push(st: Stream, m: AssignmentsMessage): void {
    if (st.closed) return;
    for (const part of this.split(m)) st.entries.push({ seq: ++st.lastSeq, msg: part.msg, bytes: part.bytes });
    // A poller this far behind gets a fresh `complete` instead of the backlog.
    if (st.entries.length > this.opts.maxBuffered) this.close(st);
    else this.wake(st);
  }

  /** Cuts a message larger than one page into parts (all but the last marked `more`). */
  private split(m: AssignmentsMessage): { msg: WireAssignments; bytes: number }[] {
    const bytes = JSON.stringify(m).length;
    if (bytes <= this.opts.pageBytes || m.changes.length <= 1) return [{ msg: m, bytes }];
    const parts: { msg: WireAssignments; bytes: number }[] = [];
    // the secrets and configs go with the first part, ahead of the tasks that use them
    let cur: WireAssignments = {
      type: m.type,
      changes: [],
      more: true,
      ...(m.dependencies ? { dependencies: m.dependencies } : {}),
    };
    let size = m.dependencies ? JSON.stringify(m.dependencies).length : 0;
    for (const c of m.changes) {
      const n = JSON.stringify(c).length + 1;
      if (cur.changes.length > 0 && size + n > this.opts.pageBytes) {
        parts.push({ msg: cur, bytes: size });
        cur = { type: m.type, changes: [], more: true };
        size = 0;
      }
      cur.changes.push(c);
      size += n;
    }
    delete cur.more;
    // the view goes with the last part, which completes the message
    if (m.networkView) cur.networkView = m.networkView;
    parts.push({ msg: cur, bytes: size + (m.networkView ? JSON.stringify(m.networkView).length : 0) });
    return parts;
  }

  /** Entries after `ack`, as many as fit in a page (at least one). */
  private page(st: Stream, ack: number): AssignmentsPage {
    const messages: WireAssignments[] = [];
    let seq = ack;
    let bytes = 0;
    for (const e of st.entries) {
      if (e.seq <= ack) continue;
      if (messages.length > 0 && bytes + e.bytes > this.opts.pageBytes) break;
      messages.push(e.msg);
      bytes += e.bytes;
      seq = e.seq;
    }
    return { stream: st.id, seq, messages };
  }

  private waitForNews(st: Stream, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        st.waiters.delete(done);
        resolve();
      };
      const cancel = this.opts.clock.setTimeout(done, ms);
      st.waiters.add(done);
    });
  }

  private wake(st: Stream): void {
    for (const w of [...st.waiters]) w();
  }

  private armIdle(st: Stream): void {
    st.cancelIdle?.();
    if (st.closed) return;
    st.cancelIdle = this.opts.clock.setTimeout(() => {
      st.cancelIdle = undefined;
      if (st.polling > 0) this.armIdle(st);
      else this.close(st);
    }, this.opts.idleMs);
  }
}
