// A node's data dir at start: private to its user before anything in it is
// read or written. Managers and agents both call secureDataDir first.

import { join } from 'node:path';
import { secureTaskStateDir } from './agent/executor/process-state';
import { secureCertFiles } from './node-tls/cert-files';
import { ensurePrivateDir, makePrivate } from './util/private-files';

/**
 * What versions before the data dir was private left with wider modes (0755
 * directories, 0644 files): the database and its side files, the node ID and
 * the credential files with their temporaries. New files are created private
 * and need no list; anything else in the dir is out of reach once it is 0700.
 */
const OLD_FILES = [
  'swarmdeck.db',
  'swarmdeck.db-wal',
  'swarmdeck.db-shm',
  'swarmdeck.db-journal',
  'node.json',
  'node.json.tmp',
  'cluster-credentials.json',
  'cluster-credentials.json.tmp',
  'agent-credentials.json',
  'agent-credentials.json.tmp',
];

/** The process executor's durable task state (PROCESS.md). */
export const TASK_STATE_DIR = 'tasks';

/**
 * Creates the data dir as 0700, or makes an existing one 0700 and repairs the
 * modes of what an older version kept in it. Throws when it cannot (not the
 * owner): the node must not run on a data dir others can read.
 */
export function secureDataDir(dataDir: string): void {
  try {
    ensurePrivateDir(dataDir);
    for (const name of OLD_FILES) makePrivate(join(dataDir, name));
    secureTaskStateDir(join(dataDir, TASK_STATE_DIR));
    secureCertFiles(dataDir);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`data dir ${dataDir} cannot be made private to this user: ${why}`, { cause: err });
  }
}
