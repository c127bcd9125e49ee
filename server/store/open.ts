import { join } from 'node:path';
import { openDb, type Db } from '../storage/db';
import { LogStorage } from '../storage/log-storage';
import { SingleNodeLog } from '../raft/single-node-log';
import { ClusterStore } from './cluster-store';
import { MemoryStore } from './memory-store';

export interface OpenedStore {
  store: ClusterStore;
  db: Db;
  log: SingleNodeLog;
  close(): Promise<void>;
}

/** Open the data directory: replay snapshot + log into a fresh store. */
export async function openStore(
  dataDir: string,
  opts: { clock?: () => number; snapshotInterval?: number; keepEntries?: number } = {},
): Promise<OpenedStore> {
  const db = await openDb(join(dataDir, 'swarmdeck.db'));
  const view = new MemoryStore();
  const log = await SingleNodeLog.open(view, new LogStorage(db), {
    snapshotInterval: opts.snapshotInterval ?? 10_000,
    keepEntries: opts.keepEntries ?? 500,
  });
  const store = new ClusterStore(view, log, opts.clock);
  return {
    store,
    db,
    log,
    async close() {
      await log.close();
      await db.$disconnect();
    },
  };
}
