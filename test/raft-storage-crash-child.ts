// Child process for test/raft-storage-crash.test.ts: appends entries to raft
// storage on the SQLite file given as argv[2], a few saves in flight at a time
// (so they group-commit), compacting now and then, and prints `ack <index>`
// once the save holding entry <index> has resolved. The parent SIGKILLs it
// mid-stream. Bounded: it stops by itself after MAX_ENTRIES.
import { fileURLToPath } from 'node:url';
import { SqliteRaftStorage } from '../server/raft/storage/sqlite-storage';
import type { Entry } from '../server/raft/types';
import { openDb } from '../server/storage/db';

const MAX_ENTRIES = 200_000;
const IN_FLIGHT = 4;

/** The content entry `index` must have: the parent checks it after the crash. */
export const payload = (index: number) => `entry-${index}-${'p'.repeat(100 + (index % 400))}`;

async function main(): Promise<void> {
  // through the writer thread, as a manager writes
  const storage = new SqliteRaftStorage(await openDb(process.argv[2]!), { file: process.argv[2]! });
  const loaded = await storage.load();
  let next = (loaded.entries.at(-1)?.index ?? loaded.snapshot?.meta.index ?? 0) + 1;
  const start = next;
  process.stdout.write(`ready ${next - 1}\n`);
  const inFlight = new Set<Promise<void>>();
  let sinceCompact = 0;
  while (next < start + MAX_ENTRIES) {
    const n = 1 + (next % 5);
    const entries: Entry[] = Array.from({ length: n }, (_, i) => ({
      index: next + i,
      term: 1,
      type: 'normal',
      data: payload(next + i),
    }));
    const last = next + n - 1;
    next += n;
    const p: Promise<void> = storage.save({ entries, hardState: { term: 1, vote: 'self', commit: last } }).then(() => {
      inFlight.delete(p);
      process.stdout.write(`ack ${last}\n`);
    });
    inFlight.add(p);
    sinceCompact += n;
    if (sinceCompact >= 200) {
      sinceCompact = 0;
      const at = last - 20;
      void storage.compact(
        { meta: { index: at, term: 1, conf: { voters: ['self'], learners: [] } }, data: `image@${at}` },
        50,
      );
    }
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  process.stdout.write('done\n');
}

// the test imports `payload` from here: run only as the child's entry point
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`crash child failed: ${String(err)}\n`);
    process.exit(1);
  });
}
