// The in-memory raft log: entries after an offset (the last compacted index),
// a commit and an applied index, and the boundary between entries already
// durable (stable) and entries still to be persisted (unstable).
//
// Entries live in one array; entry i sits at ents[i - offset - 1]. Appends
// push, truncation shortens, compaction splices once per snapshot: no
// per-message copying of the whole log.

import type { Entry, Snapshot } from '../types';

/**
 * Bytes `data` takes on the wire: a message is JSON, so the entry's data (itself JSON text) travels
 * as a JSON string, where every quote and backslash is escaped and UTF-8 may take 3 bytes a
 * character. Measured, not estimated: a label of 4 MiB of `"` is 16 MiB in a frame.
 */
export function encodedDataBytes(data: string): number {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

/** An entry's fields around its data, as JSON prints them (index and term up to 2^53). */
export const ENTRY_ENVELOPE_BYTES = 96;

/** Entries are immutable once built, so each one is measured once. */
const sizes = new WeakMap<Entry, number>();

/** Records the size of an entry whose data was just measured (a proposal), so it is not measured twice. */
export function primeEntrySize(e: Entry, dataBytes: number): void {
  sizes.set(e, dataBytes + ENTRY_ENVELOPE_BYTES);
}

/** Wire size of an entry in an append message, for the per-message byte budget. */
export function entrySize(e: Entry): number {
  let n = sizes.get(e);
  if (n === undefined) {
    n = encodedDataBytes(e.data) + ENTRY_ENVELOPE_BYTES;
    sizes.set(e, n);
  }
  return n;
}

export class RaftLog {
  /** Index of the entry just before ents[0] (compacted or the snapshot point). */
  private offset: number;
  private offsetTerm: number;
  private ents: Entry[];
  /** Highest index known durable on this member. */
  stableIndex: number;
  committed: number;
  applied: number;
  /** A snapshot received from the leader, not yet persisted/applied by the shell. */
  pendingSnapshot: Snapshot | undefined;

  constructor(offset: number, offsetTerm: number, entries: Entry[], committed: number, applied: number) {
    this.offset = offset;
    this.offsetTerm = offsetTerm;
    this.ents = entries;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i]!.index !== offset + 1 + i)
        throw new Error(`raft log: entries not contiguous at ${offset + 1 + i}`);
    }
    this.stableIndex = this.lastIndex();
    this.committed = Math.min(committed, this.lastIndex());
    this.applied = applied;
  }

  /** Builds the log from what storage loaded (entries may overlap the snapshot). */
  static fromStorage(snapshot: Snapshot | undefined, entries: Entry[], committed: number, applied: number): RaftLog {
    const snapIndex = snapshot?.meta.index ?? 0;
    const snapTerm = snapshot?.meta.term ?? 0;
    const first = entries[0];
    const last = entries[entries.length - 1];
    if (!first || !last || last.index <= snapIndex) {
      return new RaftLog(snapIndex, snapTerm, [], Math.max(committed, snapIndex), Math.max(applied, snapIndex));
    }
    if (first.index === snapIndex + 1) {
      return new RaftLog(snapIndex, snapTerm, entries.slice(), Math.max(committed, snapIndex), applied);
    }
    if (first.index > snapIndex + 1) throw new Error(`raft log: gap between snapshot ${snapIndex} and ${first.index}`);
    // Entries kept behind the snapshot for slow followers: the first one becomes the offset marker.
    return new RaftLog(first.index, first.term, entries.slice(1), Math.max(committed, snapIndex), applied);
  }

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.ents.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** Term of entry `i`, or undefined when compacted away or beyond the end. */
  term(i: number): number | undefined {
    if (i === this.offset) return this.offsetTerm;
    if (i < this.offset || i > this.lastIndex()) return undefined;
    return this.ents[i - this.offset - 1]!.term;
  }

  entry(i: number): Entry | undefined {
    if (i <= this.offset || i > this.lastIndex()) return undefined;
    return this.ents[i - this.offset - 1];
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up-to-date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Entries [lo, hi] capped at roughly maxBytes (always at least one).
   * Undefined when lo was compacted away (the caller must send a snapshot).
   */
  slice(lo: number, hi: number, maxBytes: number): Entry[] | undefined {
    if (lo <= this.offset) return undefined;
    hi = Math.min(hi, this.lastIndex());
    if (lo > hi) return [];
    const start = lo - this.offset - 1;
    let end = start + 1;
    let bytes = entrySize(this.ents[start]!);
    const limit = hi - this.offset;
    while (end < limit) {
      const size = entrySize(this.ents[end]!);
      if (bytes + size > maxBytes) break;
      bytes += size;
      end++;
    }
    return this.ents.slice(start, end);
  }

  /** Leader append: the entries continue the log. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    if (first !== this.lastIndex() + 1) throw new Error(`raft log: append at ${first} after ${this.lastIndex()}`);
    for (const e of entries) this.ents.push(e);
  }

  /**
   * Follower append (§5.3): if our entry at `index` has `logTerm`, reconcile
   * the new entries (truncating from the first conflict) and return the last
   * index they cover; otherwise undefined.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    let k = 0;
    // Skip the entries we already hold with the same term.
    while (k < entries.length) {
      const e = entries[k]!;
      if (this.term(e.index) !== e.term) break;
      k++;
    }
    if (k < entries.length) {
      const conflict = entries[k]!.index;
      if (conflict <= this.committed) {
        throw new Error(`raft log: entry ${conflict} conflicts with committed entry (commit ${this.committed})`);
      }
      this.truncateFrom(conflict);
      for (let j = k; j < entries.length; j++) this.ents.push(entries[j]!);
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Drop entries at index i and after (a conflicting suffix). */
  private truncateFrom(i: number): void {
    this.ents.length = i - this.offset - 1;
    if (this.stableIndex >= i) this.stableIndex = i - 1;
  }

  /**
   * Rejection hint: the largest index <= `index` whose term is <= `term`
   * (skipping a whole conflicting term in one round trip), with its term.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex());
    for (;;) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
      i--;
    }
  }

  commitTo(i: number): void {
    if (i > this.committed) {
      if (i > this.lastIndex()) throw new Error(`raft log: commit ${i} beyond last index ${this.lastIndex()}`);
      this.committed = i;
    }
  }

  /** Unstable entries, to persist. */
  unstableEntries(): Entry[] {
    if (this.stableIndex >= this.lastIndex()) return [];
    return this.ents.slice(Math.max(this.stableIndex, this.offset) - this.offset);
  }

  /** Mark entries up to (i, t) durable, unless the log changed under them meanwhile. */
  stableTo(i: number, t: number): void {
    if (i > this.stableIndex && this.term(i) === t) this.stableIndex = i;
  }

  /** Index the next apply starts from (after a pending snapshot, if any). */
  private applyFrom(): number {
    return Math.max(this.applied, this.pendingSnapshot?.meta.index ?? 0) + 1;
  }

  hasNextCommitted(): boolean {
    return this.committed >= this.applyFrom();
  }

  /** Committed entries not yet applied. */
  nextCommitted(): Entry[] {
    const lo = this.applyFrom();
    if (this.committed < lo) return [];
    if (lo <= this.offset) throw new Error(`raft log: entry ${lo} to apply was compacted`);
    return this.ents.slice(lo - this.offset - 1, this.committed - this.offset);
  }

  /** Committed but unapplied entries, scanned for pending conf changes. */
  *committedUnapplied(): Iterable<Entry> {
    for (let i = Math.max(this.applied + 1, this.offset + 1); i <= this.committed; i++)
      yield this.ents[i - this.offset - 1]!;
  }

  appliedTo(i: number): void {
    if (i > this.applied) this.applied = i;
  }

  /** Discard entries up to and including `i` (i <= applied). */
  compact(i: number): void {
    if (i <= this.offset) return;
    if (i > this.applied) throw new Error(`raft log: compact ${i} beyond applied ${this.applied}`);
    if (i > this.stableIndex) throw new Error(`raft log: compact ${i} beyond stable ${this.stableIndex}`);
    const t = this.term(i)!;
    this.ents.splice(0, i - this.offset);
    this.offset = i;
    this.offsetTerm = t;
  }

  /**
   * A snapshot from the leader replaces the log. Returns false when we already
   * have it (then only the commit moves).
   */
  restore(snapshot: Snapshot): boolean {
    const { index, term } = snapshot.meta;
    if (index <= this.committed) return false;
    if (this.matchTerm(index, term)) {
      this.commitTo(index);
      return false;
    }
    this.ents = [];
    this.offset = index;
    this.offsetTerm = term;
    this.committed = index;
    this.stableIndex = index;
    this.pendingSnapshot = snapshot;
    return true;
  }
}
