import type { Db } from '../../storage/db';
import { entryContext, snapshotContext } from '../../storage/encryption/envelope';
import type { RaftRecordCodec } from '../../storage/encryption/record-codec';
import type { ConfState, Entry, EntryType, HardState, RaftStorage, Snapshot } from '../types';
import {
  prismaRunner,
  startWriterThread,
  type MaintenanceTask,
  type Param,
  type Statement,
  type StatementRunner,
} from './sqlite-writer';

type SaveUpdate = Parameters<RaftStorage['save']>[0];

/** The raft tables whose `data` the record codec encrypts. */
export type RecordTable = 'LogEntry' | 'Snapshot';

/** One stored record as it is on disk (encrypted or legacy plaintext). */
export interface StoredRecord {
  index: number;
  data: string;
}

/**
 * A record re-encrypted by the background pass: `data` sealed under the write key (by the writer), written
 * only if the row still holds `from`.
 */
export interface RecordRewrite {
  table: RecordTable;
  index: number;
  from: string;
  data: string;
}

type Op =
  | { kind: 'save'; update: SaveUpdate }
  | { kind: 'compact'; snapshot: Snapshot; keepEntries: number }
  | { kind: 'rewrite'; rows: RecordRewrite[] }
  | { kind: 'barrier' };

interface Pending {
  op: Op;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** What one committed transaction carried; for tests and metrics. */
export interface CommitInfo {
  /** save/compact calls merged into this transaction. */
  calls: number;
  /** Entry rows written. */
  entries: number;
  ms: number;
}

export interface SqliteRaftStorageOptions {
  onCommit?: (info: CommitInfo) => void;
  /**
   * The database's file: writes then go through a writer thread of their own
   * (sqlite-writer.ts says why). Without it they run on this thread via Prisma.
   */
  file?: string;
  /**
   * Encryption at rest: entry and snapshot data are stored through it (and read back through it,
   * legacy plaintext rows included). Without it they are stored as they are.
   */
  codec?: RaftRecordCodec;
}

const HARD_STATE_ID = 1;
const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };
// SQLite caps bound parameters per statement; 6 columns × 1,000 rows stays far below it.
const INSERT_CHUNK = 1000;

/**
 * Raft's durable state on SQLite (WAL, synchronous=FULL, see openDb). Every
 * save/compact issued while a transaction is in flight is merged into the
 * next one (group commit), so many small appends cost one fsync. A caller's
 * promise resolves only once the transaction holding its update committed.
 * This class must be the only writer of the raft tables while it is open.
 */
export class SqliteRaftStorage implements RaftStorage {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  /** Index of the stored snapshot (0: none); read lazily, then tracked. */
  private snapIndex: number | undefined;
  /** Committed transactions so far. */
  transactions = 0;
  private readonly runner: StatementRunner;

  constructor(
    private readonly db: Db,
    private readonly opts: SqliteRaftStorageOptions = {},
  ) {
    this.runner = opts.file ? startWriterThread(opts.file) : prismaRunner(db);
  }

  async load(): Promise<{ hardState: HardState; snapshot?: Snapshot; entries: Entry[] }> {
    await this.idle();
    const [hs, snap] = await this.db.$transaction([
      this.db.raftHardState.findUnique({ where: { id: HARD_STATE_ID } }),
      this.db.snapshot.findFirst({ orderBy: { index: 'desc' } }),
    ]);
    const from = snap?.index ?? 0;
    const rows = await this.db.logEntry.findMany({
      where: { index: { gt: from } },
      orderBy: { index: 'asc' },
      select: { index: true, term: true, type: true, data: true },
    });
    this.snapIndex = from;
    const codec = this.opts.codec;
    return {
      hardState: hs ? { term: hs.term, vote: hs.vote, commit: hs.commit } : { ...EMPTY_HARD_STATE },
      snapshot: snap
        ? {
            meta: { index: snap.index, term: snap.term, conf: JSON.parse(snap.conf) as ConfState },
            data: codec ? codec.decodeSnapshot(snap.index, snap.data) : snap.data,
          }
        : undefined,
      entries: rows.map((r) => ({
        index: r.index,
        term: r.term,
        type: r.type as EntryType,
        data: codec ? codec.decodeEntry(r.index, r.data) : r.data,
      })),
    };
  }

  save(update: SaveUpdate): Promise<void> {
    return this.enqueue({ kind: 'save', update });
  }

  compact(snapshot: Snapshot, keepEntries: number): Promise<void> {
    return this.enqueue({ kind: 'compact', snapshot, keepEntries: Math.max(0, keepEntries) });
  }

  /**
   * Rewrites records in place (the re-encryption pass), in the writers' order: a row that was
   * replaced or deleted since it was read is left alone (its new bytes were written under the
   * current key already).
   */
  rewrite(rows: RecordRewrite[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.enqueue({ kind: 'rewrite', rows });
  }

  /** Resolves once every write queued before it has committed (and been encoded, so under which key is settled). */
  barrier(): Promise<void> {
    return this.enqueue({ kind: 'barrier' });
  }

  /** Up to `limit` stored records of `table` above `after`, by index, as they are on disk. */
  async storedRecords(table: RecordTable, after: number, limit: number): Promise<StoredRecord[]> {
    const query = { where: { index: { gt: after } }, orderBy: { index: 'asc' as const }, take: limit };
    const select = { index: true, data: true } as const;
    return table === 'LogEntry'
      ? this.db.logEntry.findMany({ ...query, select })
      : this.db.snapshot.findMany({ ...query, select });
  }

  /** After the queued writes: WAL checkpoint (truncating) or VACUUM; resolves with whether it was busy. */
  async maintain(task: MaintenanceTask): Promise<boolean> {
    await this.barrier();
    return this.runner.maintain(task);
  }

  /** Resolves once every queued write has been committed (or failed). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** After the queued writes: stop the writer thread (the Db stays the caller's). */
  async close(): Promise<void> {
    await this.idle();
    await this.runner.close();
  }

  private enqueue(op: Op): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      // start on a microtask so a synchronous burst of calls shares the first transaction
      this.flushing ??= Promise.resolve().then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.queue.length);
        try {
          await this.commit(group);
          for (const p of group) p.resolve();
        } catch (err) {
          for (const p of group) p.reject(err);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** One transaction for a group of calls, replaying their semantics in order. */
  private async commit(group: Pending[]): Promise<void> {
    const started = performance.now();
    if (this.snapIndex === undefined) {
      const s = await this.db.snapshot.findFirst({ orderBy: { index: 'desc' }, select: { index: true } });
      this.snapIndex = s?.index ?? 0;
    }
    const now = new Date().toISOString();
    const ops: Statement[] = [];
    const sql = (text: string, ...params: Param[]) => ops.push({ sql: text, params });
    let snapIndex = this.snapIndex;
    let hardState: HardState | undefined;
    let written = 0;
    const codec = this.opts.codec;
    // one key for the whole transaction: a rotation beginning meanwhile applies to the next one
    const key = codec?.writeKey();

    // Appends between snapshots collapse into one delete + one insert:
    // sequential "delete >= a1, insert E1; delete >= a2, insert E2" equals
    // "delete >= min(a1, a2), insert (E1 below a2) ++ E2".
    let truncateFrom: number | undefined;
    let rows: Entry[] = [];
    const flushAppends = () => {
      if (truncateFrom === undefined) return;
      sql('DELETE FROM "LogEntry" WHERE "index" >= ?', truncateFrom);
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        ops.push(insertEntries(rows.slice(i, i + INSERT_CHUNK), now, codec));
      written += rows.length;
      truncateFrom = undefined;
      rows = [];
    };
    const putSnapshot = (s: Snapshot) => {
      sql('DELETE FROM "Snapshot"');
      sql(
        'INSERT INTO "Snapshot" ("index", "term", "conf", "data", "createdAt") VALUES (?, ?, ?, ?, ?)',
        s.meta.index,
        s.meta.term,
        JSON.stringify(s.meta.conf),
        codec ? { seal: s.data, context: snapshotContext(s.meta.index) } : s.data,
        now,
      );
    };

    for (const { op } of group) {
      if (op.kind === 'barrier') continue;
      if (op.kind === 'rewrite') {
        flushAppends(); // in the writers' order: appends queued before it land first
        for (const r of op.rows)
          sql(
            `UPDATE "${r.table}" SET "data" = ? WHERE "index" = ? AND "data" = ?`,
            { seal: r.data, context: r.table === 'LogEntry' ? entryContext(r.index) : snapshotContext(r.index) },
            r.index,
            r.from,
          );
        continue;
      }
      if (op.kind === 'compact') {
        // a local snapshot never moves backwards; an equal index just refreshes it
        if (op.snapshot.meta.index < snapIndex) continue;
        flushAppends();
        putSnapshot(op.snapshot);
        sql('DELETE FROM "LogEntry" WHERE "index" <= ?', op.snapshot.meta.index - op.keepEntries);
        snapIndex = op.snapshot.meta.index;
        continue;
      }
      const { snapshot, entries, hardState: hs } = op.update;
      if (snapshot && snapshot.meta.index > snapIndex) {
        flushAppends();
        putSnapshot(snapshot);
        // Entries the snapshot covers go. Later ones survive only when the log
        // holds the snapshot's last entry (same index and term), as in etcd's
        // raftLog; otherwise the log diverged and is discarded whole.
        sql(
          'DELETE FROM "LogEntry" WHERE "index" <= ? OR NOT EXISTS (SELECT 1 FROM "LogEntry" WHERE "index" = ? AND "term" = ?)',
          snapshot.meta.index,
          snapshot.meta.index,
          snapshot.meta.term,
        );
        snapIndex = snapshot.meta.index;
      }
      const fresh = entries?.filter((e) => e.index > snapIndex) ?? [];
      if (fresh.length > 0) {
        const first = fresh[0]!.index;
        truncateFrom = truncateFrom === undefined ? first : Math.min(truncateFrom, first);
        rows = rows.filter((r) => r.index < first).concat(fresh);
      }
      if (hs) hardState = hs;
    }
    flushAppends();
    if (hardState) {
      sql(
        'INSERT INTO "RaftHardState" ("id", "term", "vote", "commit") VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT ("id") DO UPDATE SET "term" = excluded."term", "vote" = excluded."vote", "commit" = excluded."commit"',
        HARD_STATE_ID,
        hardState.term,
        hardState.vote,
        hardState.commit,
      );
    }
    if (ops.length > 0) await this.runner.run(ops, key);
    this.snapIndex = snapIndex;
    this.transactions++;
    try {
      this.opts.onCommit?.({ calls: group.length, entries: written, ms: performance.now() - started });
    } catch {
      // an observer's bug must not fail writes that are already committed
    }
  }
}

/** One multi-row INSERT: far cheaper than a statement per entry. */
function insertEntries(rows: Entry[], now: string, codec: RaftRecordCodec | undefined): Statement {
  const params: Param[] = [];
  for (const e of rows)
    params.push(e.index, e.term, e.type, codec ? { seal: e.data, context: entryContext(e.index) } : e.data, now);
  const tuples = rows.map(() => '(?, ?, ?, ?, ?)').join(', ');
  return { sql: `INSERT INTO "LogEntry" ("index", "term", "type", "data", "createdAt") VALUES ${tuples}`, params };
}
