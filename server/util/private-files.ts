// A data dir is private to the user who runs swarmdeck: its directories are
// 0700 and its files 0600 (credentials, the raft log, task environments and
// output). Modes are given when a file or directory is created, so there is no
// moment at which it is readable by others; chmod only repairs what an older
// version (or another program) left behind.

import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The umask of a swarmdeck process: whatever is created without an explicit mode is private too. */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes everything this process creates from now on private to its user
 * (safety net for files created without a mode, including SQLite's and any
 * added later). Returns the umask it replaces. Entry points only: it is
 * process-wide, and a worker thread cannot change it.
 */
export function restrictUmask(): number {
  return process.umask(PRIVATE_UMASK);
}

/**
 * Gives an existing directory or regular file the private mode if it has any
 * other (an older version's 0755/0644). Symlinks and other kinds are left alone;
 * a missing path is not an error.
 */
export function makePrivate(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const want = st.isDirectory() ? PRIVATE_DIR_MODE : st.isFile() ? PRIVATE_FILE_MODE : undefined;
  if (want !== undefined && (st.mode & 0o777) !== want) chmodSync(path, want);
}

/** Creates a directory (and missing parents) as 0700, or makes an existing one 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  makePrivate(dir);
}

/** Creates an empty 0600 file if there is none (else makes the existing one 0600); keeps its content. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  makePrivate(file);
}

/**
 * Replaces `file` atomically with `text`, as a 0600 file. The temporary file is
 * created afresh (O_EXCL): a leftover one, perhaps world-readable or a link to
 * something else, is removed rather than written through.
 */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  renameSync(tmp, file);
}
