import type { Batch } from '../store/batch';
import type { StoreImage } from '../store/memory-store';
import type { Db } from './db';

export interface StoredEntry {
  index: number;
  term: number;
  batch: Batch;
}

/** The log and its snapshots on SQLite. */
export class LogStorage {
  constructor(private readonly db: Db) {}

  async append(entries: StoredEntry[]): Promise<void> {
    const now = new Date().toISOString();
    const rows = entries.map((e) => ({ index: e.index, term: e.term, data: JSON.stringify(e.batch), createdAt: now }));
    if (rows.length === 1) await this.db.logEntry.create({ data: rows[0]! });
    else await this.db.logEntry.createMany({ data: rows });
  }

  /** The newest snapshot and every entry after it, in order. */
  async load(): Promise<{ snapshot?: StoreImage; entries: StoredEntry[] }> {
    const snap = await this.db.snapshot.findFirst({ orderBy: { index: 'desc' } });
    const from = snap?.index ?? 0;
    const rows = await this.db.logEntry.findMany({ where: { index: { gt: from } }, orderBy: { index: 'asc' } });
    return {
      snapshot: snap ? (JSON.parse(snap.data) as StoreImage) : undefined,
      entries: rows.map((r) => ({ index: r.index, term: r.term, batch: JSON.parse(r.data) as Batch })),
    };
  }

  async lastIndex(): Promise<number> {
    const e = await this.db.logEntry.findFirst({ orderBy: { index: 'desc' }, select: { index: true } });
    const s = await this.db.snapshot.findFirst({ orderBy: { index: 'desc' }, select: { index: true } });
    return Math.max(e?.index ?? 0, s?.index ?? 0);
  }

  /** Save a snapshot and compact: keep `keepEntries` entries behind it for slow followers. */
  async saveSnapshot(image: StoreImage, keepEntries: number): Promise<void> {
    await this.db.$transaction([
      this.db.snapshot.create({
        data: { index: image.index, term: 1, data: JSON.stringify(image), createdAt: new Date().toISOString() },
      }),
      this.db.snapshot.deleteMany({ where: { index: { lt: image.index } } }),
      this.db.logEntry.deleteMany({ where: { index: { lte: image.index - keepEntries } } }),
    ]);
  }
}
