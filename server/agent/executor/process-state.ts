import { readdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivate, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../util/private-files';
import type { ImageRun } from './image-catalog';
import type { TaskNet } from './netns/task-net';

/**
 * What a durable process executor keeps on disk per task (PROCESS.md,
 * "Durable task state"), under `<stateDir>/<taskID>/`:
 *
 * - `state.json`  this record, replaced atomically (tmp + fsync + rename);
 * - `stdout.log`, `stderr.log`  the task's output, appended by the task itself;
 * - `exit`        the exit status, written by the shell wrapper when the task ends;
 * - `work/`       the scratch working directory when the spec has no Dir.
 *
 * The task's environment and output may hold secrets: directories are 0700 and
 * files 0600 from their creation (the task's own files in `work/` are its business).
 */

/**
 * `prepared`: nothing spawned. `starting`: a spawn was about to happen (if no
 * PID follows, it may or may not have run: never spawn again). `running`: pid
 * and start time are known. `exited`: exitCode is final.
 */
export type DurableState = 'prepared' | 'starting' | 'running' | 'exited';

export interface TaskStateRecord {
  version: 1;
  taskID: string;
  containerID: string;
  run: ImageRun;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** A scratch directory the executor made (inside the task directory). */
  scratch?: string;
  ports: { Protocol: 'tcp' | 'udp' | 'sctp'; TargetPort: number; HostPort: number }[];
  state: DurableState;
  /** The wrapper shell: leader of the task's process group, so pgid = pid. */
  pid?: number;
  pgid?: number;
  /** /proc/<pid>/stat field 22, to tell the task from a later process that reuses its PID. */
  startTime?: string;
  /** A process was spawned (false: the task never ran). */
  spawned?: boolean;
  /** The stop grace period it was prepared with. */
  stopGraceMs?: number;
  exitCode?: number;
  /** Why the exit code is not the task's own (it ended unobserved). */
  exitNote?: string;
  /** Netns mode: the task's links and addresses (absent: host mode). */
  net?: TaskNet;
}

export const STATE_FILE = 'state.json';
export const EXIT_FILE = 'exit';

export function taskDir(stateDir: string, taskID: string): string {
  return join(stateDir, taskID);
}

export function taskFiles(dir: string) {
  return {
    state: join(dir, STATE_FILE),
    stdout: join(dir, 'stdout.log'),
    stderr: join(dir, 'stderr.log'),
    exit: join(dir, EXIT_FILE),
    work: join(dir, 'work'),
  };
}

/** Replaces the record so that a crash leaves either the old or the new one, never a torn file. */
export async function writeTaskState(dir: string, record: TaskStateRecord): Promise<void> {
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.tmp`;
  // created afresh: a leftover tmp file (an older version's 0644) is never written through
  await rm(tmp, { force: true });
  const fh = await open(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    await fh.writeFile(JSON.stringify(record));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  // The rename itself is durable once the directory is synced.
  const dh = await open(dir, 'r').catch(() => undefined);
  if (dh)
    await dh
      .sync()
      .catch(() => {})
      .finally(() => dh.close());
}

export async function readTaskState(dir: string): Promise<TaskStateRecord | undefined> {
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as Partial<TaskStateRecord>;
    if (r.version !== 1 || typeof r.taskID !== 'string' || !Array.isArray(r.argv) || typeof r.state !== 'string')
      return undefined;
    return r as TaskStateRecord;
  } catch {
    return undefined;
  }
}

/** The exit status the wrapper recorded, or undefined when there is none (killed, or still running). */
export async function readExitFile(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, EXIT_FILE), 'utf8').catch(() => undefined);
  const n = text === undefined ? NaN : Number.parseInt(text.trim(), 10);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}

/** Task directories under the state directory (each named by its task ID). */
export async function listTaskDirs(stateDir: string): Promise<string[]> {
  await mkdir(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const entries = await readdir(stateDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => join(stateDir, e.name));
}

/**
 * Repairs the modes an older version gave the state directory (0755 dirs, 0644
 * output and exit files): the state directory, each task's directory and the
 * files the executor keeps there. What a task created in its `work/` is left as it is.
 */
export function secureTaskStateDir(stateDir: string): void {
  let entries;
  try {
    entries = readdirSync(stateDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  makePrivate(stateDir);
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = join(stateDir, e.name);
    makePrivate(dir);
    const f = taskFiles(dir);
    for (const path of [f.state, `${f.state}.tmp`, f.stdout, f.stderr, f.exit, f.work]) makePrivate(path);
  }
}

export async function removeTaskDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A task's umask, as runc gives a container's processes; the agent's own (0077) is for its files. */
export const TASK_UMASK = '022';

/**
 * The shell that runs the task's argv and records its exit status. It traps
 * the stop signals only to outlive the task (a caught signal is reset to the
 * default in the exec'd task, so the task still gets SIGTERM from the group
 * signal); it then writes `$?` (128 + n for a signalled task) and exits with
 * it. SIGKILL ends both, leaving no exit file. The task runs with TASK_UMASK;
 * the exit file is created 0600 whatever the agent's umask.
 */
export const EXIT_WRAPPER_SCRIPT =
  `trap : TERM INT HUP QUIT; umask ${TASK_UMASK}; "$@"; s=$?; umask 077; ` +
  'printf "%s\\n" "$s" > "$SWARMDECK_EXIT_FILE"; exit "$s"';
export const WRAPPER_SHELL = '/bin/sh';

export function wrapArgv(argv: string[]): string[] {
  return [WRAPPER_SHELL, '-c', EXIT_WRAPPER_SCRIPT, 'sh', ...argv];
}
