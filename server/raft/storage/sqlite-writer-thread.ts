// The raft log's SQLite writer, in a worker thread (started by sqlite-writer.ts).
// Each message is one transaction of statements; the answer comes once it has
// committed, fsync included. Here the fsync and SQLite's own work wait on a
// thread of their own instead of holding the manager's event loop.

import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { bindParams, type MaintenanceTask, type WriterReply, type WriterRequest } from './sqlite-writer';

const port = parentPort!;
const db = new Database((workerData as { file: string }).file);
// the same durability as openDb's connection: a commit is on disk before it is acknowledged
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
// the manager's own (Prisma) connection only reads, but a read may briefly hold a lock
db.pragma('busy_timeout = 5000');
// Encryption at rest: a row rewritten or deleted leaves zeros behind where that costs no extra I/O.
// Not ON: a compaction's DELETE then wrote every byte of the log it dropped again, as zeros (P9's
// manager: 2.9 s in which no entry could commit). A manager's rows are ciphertext (it
// always encrypts: roles/manager.ts), and the upgrade of a plaintext data dir ends with a VACUUM
// (reencrypt.ts), so no plaintext is left in free pages either way.
db.pragma('secure_delete = FAST');

/** Prepared statements by SQL; bounded (multi-row inserts vary in their number of rows). */
const prepared = new Map<string, Database.Statement>();
function prepare(sql: string): Database.Statement {
  let s = prepared.get(sql);
  if (!s) {
    if (prepared.size >= 64) prepared.clear();
    s = db.prepare(sql);
    prepared.set(sql, s);
  }
  return s;
}

const runAll = db.transaction((statements: WriterRequest['statements'], key: WriterRequest['key']) => {
  for (const s of statements) prepare(s.sql).run(...bindParams(s.params, key && Buffer.from(key)));
});

/** Work SQLite refuses inside a transaction; answers whether it could not finish (busy). */
function maintain(task: MaintenanceTask): boolean {
  if (task === 'vacuum') {
    db.exec('VACUUM');
    return false;
  }
  const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  return (row?.busy ?? 0) !== 0;
}

port.on('message', (m: WriterRequest | 'close') => {
  if (m === 'close') {
    // after the last transaction: close the file cleanly, then let the thread end
    db.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    if (m.maintenance) reply = { id: m.id, busy: maintain(m.maintenance) };
    else {
      runAll(m.statements, m.key);
      reply = { id: m.id };
    }
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
