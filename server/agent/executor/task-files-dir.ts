// Where a task's secret and config files are written on the host (PROCESS.md,
// "Secrets and configs"): a private directory in memory (/dev/shm), one per
// task, laid out as the task sees them (`<dir>/tree/run/secrets/<target>`,
// `<dir>/tree/<config target>`). Host mode hands the task the paths; netns mode
// copies the tree into a tmpfs of the task's own and removes this at once. The
// directory goes when the task ends, and a restarted agent removes whatever a
// task that is not running left behind. Values are written nowhere else.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PRIVATE_DIR_MODE } from '../../util/private-files';
import { SECRETS_MOUNT, type TaskFile } from './task-files';

/**
 * The root is d-wx------: the agent makes and removes task directories in it, but a task (which runs
 * as the agent's user) cannot list it to find another task's directory; it knows only its own path.
 */
const ROOT_MODE = 0o300;

/** The variables naming a host-mode task's files. */
export const SECRETS_DIR_ENV = 'SWARMDECK_SECRETS_DIR';
export const CONFIGS_DIR_ENV = 'SWARMDECK_CONFIGS_DIR';

/**
 * The executor's directory of task files: in /dev/shm (memory) when there is one, named for the user
 * and the state directory (a restarted agent finds its leftovers), or for this process without one.
 */
export function taskFilesRoot(stateDir?: string, uid = process.getuid?.() ?? 0): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const key = stateDir
    ? createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 16)
    : `${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(base, `swarmdeck-files-${uid}-${key}`);
}

/** A task's own directory, and the tree inside it that mirrors the task's view. */
export const taskFilesDir = (root: string, taskID: string): string => join(root, taskID);
export const taskFilesTree = (dir: string): string => join(dir, 'tree');

/** Host mode: the variables that tell the task where its files are (only the kinds it has). */
export function taskFilesEnv(dir: string, files: readonly TaskFile[]): Record<string, string> {
  const env: Record<string, string> = {};
  const tree = taskFilesTree(dir);
  if (files.some((f) => f.kind === 'secret')) env[SECRETS_DIR_ENV] = join(tree, SECRETS_MOUNT);
  // every file is at $SWARMDECK_CONFIGS_DIR/<its absolute target>: configs, and secrets with an absolute target
  if (files.some((f) => f.kind === 'config' || !f.path.startsWith(`${SECRETS_MOUNT}/`))) env[CONFIGS_DIR_ENV] = tree;
  return env;
}

/** The root exists, is a directory of ours and private (a shared /dev/shm: nobody else may have made it). */
async function ensureRoot(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: ROOT_MODE });
  const st = await lstat(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0)
    throw new Error(`${root} is not a private directory of this user: the task's files cannot go there`);
}

/**
 * Writes the task's files under `dir` (created 0700, replaced if an earlier attempt left one). The
 * directories inside are 0755 and each file gets its reference's mode; its UID/GID only when this
 * process is root (as anyone else it cannot give files away).
 */
export async function writeTaskFiles(root: string, dir: string, files: readonly TaskFile[]): Promise<void> {
  await ensureRoot(root);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: PRIVATE_DIR_MODE });
  const tree = taskFilesTree(dir);
  const root0 = process.getuid?.() === 0;
  for (const f of files) {
    const file = join(tree, f.path);
    await mkdirs(tree, dirname(file));
    // created private, then given its mode (the agent's umask is 077)
    await writeFile(file, f.data, { mode: 0o600, flag: 'wx' });
    if (root0) await chown(file, f.uid, f.gid);
    await chmod(file, f.mode & 0o7777);
  }
}

/** mkdir -p from `tree` down to `dir`, each level 0755 (inside the 0700 task directory). */
async function mkdirs(tree: string, dir: string): Promise<void> {
  if (dir === tree || dir.length < tree.length) {
    await mkdir(tree, { recursive: true, mode: 0o755 });
    await chmod(tree, 0o755);
    return;
  }
  if (existsSync(dir)) return;
  await mkdirs(tree, dirname(dir));
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
}

export async function removeTaskFiles(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A restarted agent: every task directory whose task is not running now is removed. */
export async function removeLeftoverTaskFiles(root: string, running: (taskID: string) => boolean): Promise<void> {
  let names: string[];
  try {
    // listing needs the read bit the root is kept without
    await chmod(root, PRIVATE_DIR_MODE);
    try {
      names = await readdir(root);
    } finally {
      await chmod(root, ROOT_MODE);
    }
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => !running(n)).map((n) => removeTaskFiles(join(root, n))));
}
