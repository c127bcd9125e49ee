// How the raft log's transactions reach SQLite. A manager runs them in a
// worker thread (sqlite-writer-thread.ts): better-sqlite3 is synchronous, and
// a commit with synchronous=FULL waits for its fsync, 0.2 ms typically but
// 15–25 ms at p99/max on this machine's shared disk and more under CI's I/O.
// On the main thread each commit held the event loop for that long, and
// SQLite with Prisma's query layer took a quarter of a busy manager's loop
// (fuzz run profile): /_ping, raft ticks and every request waited behind it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../storage/db';
import { seal, type Key } from '../../storage/encryption/envelope';

/**
 * A parameter stored encrypted (encryption at rest): sealed under the transaction's key by whoever runs
 * the statement, so a manager's writer thread, not its event loop, pays for AES-GCM and base64.
 */
export interface SealedParam {
  seal: string;
  /** the row it is bound to (envelope.ts entryContext / snapshotContext) */
  context: string;
}

export type Param = string | number | SealedParam;

export interface Statement {
  sql: string;
  params: Param[];
}

/** The values SQLite binds: sealed params encrypted under `key` (which they require). */
export function bindParams(params: Param[], key: Key | undefined): (string | number)[] {
  return params.map((p) => {
    if (typeof p !== 'object') return p;
    if (!key) throw new Error('raft storage: a sealed parameter without a key');
    return seal(p.seal, key, p.context);
  });
}

/**
 * Outside any transaction: `checkpoint` copies the WAL into the database and truncates it to zero
 * bytes (old page images, plaintext ones included, leave the disk); `vacuum` rebuilds the file, so
 * no free page keeps the old bytes of a row rewritten or deleted (secure_delete is FAST, not ON).
 */
export type MaintenanceTask = 'checkpoint' | 'vacuum';

/** Main thread → writer thread: one transaction, or one maintenance task. */
export interface WriterRequest {
  id: number;
  statements: Statement[];
  maintenance?: MaintenanceTask;
  /** the DEK sealed params are encrypted under */
  key?: Key;
}

/** Writer thread → main thread: the transaction committed, or why not. */
export interface WriterReply {
  id: number;
  error?: string;
  /** maintenance only: a reader kept the checkpoint from finishing */
  busy?: boolean;
}

export interface StatementRunner {
  /** Run the statements in one transaction; resolves once it has committed. */
  run(statements: Statement[], key?: Key): Promise<void>;
  /** Maintenance outside a transaction; resolves with whether it was kept from finishing (busy). */
  maintain(task: MaintenanceTask): Promise<boolean>;
  /** After the last run has settled: release the connection. */
  close(): Promise<void>;
}

/** On the calling thread, through Prisma (for callers holding only a Db). */
export function prismaRunner(db: Db): StatementRunner {
  return {
    async run(statements, key) {
      await db.$transaction(statements.map((s) => db.$executeRawUnsafe(s.sql, ...bindParams(s.params, key))));
    },
    async maintain(task) {
      if (task === 'vacuum') {
        await db.$executeRawUnsafe('VACUUM');
        return false;
      }
      const rows = await db.$queryRawUnsafe<{ busy: number | bigint }[]>('PRAGMA wal_checkpoint(TRUNCATE)');
      return Number(rows[0]?.busy ?? 0) !== 0;
    },
    close: async () => undefined,
  };
}

/** tsx's ESM loader API as a file URL: the thread registers it itself (a worker inherits no loader hooks). */
function tsxApiUrl(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const entry = pkg.exports['./esm/api']?.import?.default;
  if (!entry) throw new Error('tsx: no ./esm/api export');
  return pathToFileURL(join(dirname(pkgFile), entry)).href;
}

/** A writer thread on the SQLite file `file` (already created and migrated by openDb). */
export function startWriterThread(file: string): StatementRunner {
  const thread = new URL('./sqlite-writer-thread.ts', import.meta.url).href;
  const boot = `import { register } from ${JSON.stringify(tsxApiUrl())}; register(); await import(${JSON.stringify(thread)});`;
  const worker = new Worker(boot, { eval: true, workerData: { file } });
  const pending = new Map<number, { resolve: (busy: boolean) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  let closing = false;
  // an idle writer must not keep the process alive; one with a transaction in flight must
  worker.unref();
  const settle = (id: number, err?: Error, busy = false) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (pending.size === 0 && !closing) worker.unref();
    if (err) p.reject(err);
    else p.resolve(busy);
  };
  const fail = (err: Error) => {
    failed ??= err;
    for (const id of [...pending.keys()]) settle(id, failed);
  };
  worker.on('message', (m: WriterReply) =>
    settle(m.id, m.error === undefined ? undefined : new Error(m.error), m.busy === true),
  );
  worker.on('error', (err) => fail(new Error(`raft storage: writer thread failed: ${err.message}`)));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      fail(new Error(`raft storage: writer thread ${closing ? 'closed' : `exited (${code})`}`));
      resolve();
    }),
  );
  const send = (request: Omit<WriterRequest, 'id'>): Promise<boolean> => {
    if (failed) return Promise.reject(failed);
    if (closing) return Promise.reject(new Error('raft storage: writer closed'));
    return new Promise<boolean>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...request } satisfies WriterRequest);
    });
  };
  return {
    run: async (statements, key) => {
      await send(key ? { statements, key } : { statements });
    },
    maintain: (task) => send({ statements: [], maintenance: task }),
    async close() {
      if (!closing) {
        closing = true;
        // held until the thread has closed the file and ended
        worker.ref();
        worker.postMessage('close');
      }
      await exited;
    },
  };
}
