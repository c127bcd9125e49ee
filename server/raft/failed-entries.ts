// Committed entries this member could not apply (and snapshots it could not
// restore in full): a bounded record, newest last, for the logs, the raft
// status, the console's Raft page and `docker info`. The store moved past
// each of them; every member records the same ones for the same log.

export interface FailedEntry {
  index: number;
  term: number;
  /** An entry of the log, or a snapshot image (received or loaded at start). */
  kind: 'entry' | 'snapshot';
  error: string;
  /** When this member applied it (ISO): a replay after a restart records it again. */
  at: string;
}

/** Enough to see what went wrong without letting a run of bad entries grow memory. */
export const MAX_FAILED_ENTRIES = 50;
/** Error texts are cut here: an entry's content must not flood the logs. */
export const MAX_ERROR_CHARS = 500;

export class FailedEntries {
  private recent: FailedEntry[] = [];
  private count = 0;

  constructor(private readonly max = MAX_FAILED_ENTRIES) {}

  record(e: FailedEntry): FailedEntry {
    const entry = { ...e, error: e.error.length > MAX_ERROR_CHARS ? `${e.error.slice(0, MAX_ERROR_CHARS)}…` : e.error };
    this.count++;
    this.recent.push(entry);
    if (this.recent.length > this.max) this.recent.splice(0, this.recent.length - this.max);
    return entry;
  }

  /** Every failure since this member started, including those no longer kept. */
  get total(): number {
    return this.count;
  }

  list(): FailedEntry[] {
    return [...this.recent];
  }
}
