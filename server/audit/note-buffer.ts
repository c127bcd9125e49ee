// ctx.audit: the notes the edges make of what is not a write (logins, failed
// logins, refused requests) go to the raft log as audit-only entries — but a
// flood of bad requests must not flood raft. Notes are buffered (bounded),
// coalesced for a short while, proposed a small batch per entry, one entry at a
// time; what does not fit is dropped and counted, and the count itself is noted.

import type { AuditNote, AuditSink } from '../api/audit';
import type { Clock } from '../util/clock';

export interface NoteBufferOptions {
  /** How long notes gather before they are proposed */
  coalesceMs?: number;
  /** Most notes waiting; more are dropped (and counted) */
  maxBuffered?: number;
  /** Most notes in one entry */
  perEntry?: number;
}

export const NOTE_COALESCE_MS = 250;
export const NOTE_BUFFER_MAX = 200;
export const NOTES_PER_ENTRY = 50;

const MANAGER = { kind: 'system', name: 'audit' } as const;

export class AuditNoteBuffer implements AuditSink {
  private buffered: AuditNote[] = [];
  private dropped = 0;
  private cancelTimer?: () => void;
  private flushing?: Promise<void>;
  private closed = false;
  private readonly coalesceMs: number;
  private readonly maxBuffered: number;
  private readonly perEntry: number;

  /**
   * `propose` writes one audit-only entry (on the leader, or through it);
   * it may fail (no leader): those notes are lost, and counted like dropped ones.
   */
  constructor(
    private readonly propose: (notes: AuditNote[]) => Promise<void>,
    private readonly clock: Clock,
    opts: NoteBufferOptions = {},
  ) {
    this.coalesceMs = opts.coalesceMs ?? NOTE_COALESCE_MS;
    this.maxBuffered = opts.maxBuffered ?? NOTE_BUFFER_MAX;
    this.perEntry = opts.perEntry ?? NOTES_PER_ENTRY;
  }

  note(n: AuditNote): void {
    if (this.closed) return;
    if (this.buffered.length >= this.maxBuffered) this.dropped++;
    else this.buffered.push(n);
    if (!this.flushing) this.arm();
  }

  /** How many notes wait, and how many were dropped since the last flush (tests, health). */
  get pending(): { buffered: number; dropped: number } {
    return { buffered: this.buffered.length, dropped: this.dropped };
  }

  /**
   * Propose one entry of what is buffered; more waits for the next tick, so the
   * log takes at most `perEntry` notes per `coalesceMs`. Never rejects.
   */
  flush(): Promise<void> {
    this.flushing ??= this.proposeOne().finally(() => {
      this.flushing = undefined;
      if ((this.buffered.length > 0 || this.dropped > 0) && !this.closed) this.arm();
    });
    return this.flushing;
  }

  private arm(): void {
    this.cancelTimer ??= this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.flush();
    }, this.coalesceMs);
  }

  private async proposeOne(): Promise<void> {
    const notes = this.buffered.splice(0, this.perEntry);
    const dropped = this.dropped;
    if (dropped > 0 && notes.length < this.perEntry)
      notes.push({
        actor: MANAGER,
        action: 'drop audit notes',
        result: `${dropped} notes dropped: more than ${this.maxBuffered} were waiting, or no leader took them`,
      });
    if (notes.length === 0) return;
    try {
      await this.propose(notes);
      if (notes.length > 0 && notes.at(-1)!.actor === MANAGER) this.dropped -= dropped;
    } catch (err) {
      if (dropped === 0)
        console.warn(`audit: notes could not be recorded:`, err instanceof Error ? err.message : String(err));
      this.dropped += notes.filter((n) => n.actor !== MANAGER).length;
    }
  }

  /** Stop taking notes; what is buffered is proposed (best effort). */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.flushing;
    // bounded: a log that takes nothing (no leader) must not hold the shutdown
    for (let i = Math.ceil(this.buffered.length / this.perEntry) + 1; i > 0; i--) await this.flush();
  }
}
