import { constants as fsConstants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * What the process executor asks the OS about its task processes. Linux
 * answers from /proc; elsewhere `kill(pid, 0)` is the best there is, and the
 * start-time guard against PID reuse is not available.
 */

/** Signals the whole process group; false when it is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

interface ProcStat {
  state: string;
  pgrp: number;
  /** Field 22: clock ticks after boot; two processes with one PID never share it. */
  startTime: string;
}

/** /proc/<pid>/stat, parsed after the command name (which may hold spaces and parentheses). */
async function procStat(pid: number | string): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!text) return undefined;
  // Fields from 3 on: state(3) ppid(4) pgrp(5) … starttime(22).
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0]!, pgrp: Number(f[2]), startTime: f[19]! };
}

/** The process's start time, to recognise it again after a restart; undefined off Linux or when it is gone. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  return (await procStat(pid))?.startTime;
}

/**
 * Whether `pid` is still the process that was started (same start time) and
 * has not exited (a zombie waiting for its reaper has).
 */
export async function processAlive(pid: number, startTime: string | undefined): Promise<boolean> {
  if (process.platform !== 'linux' || startTime === undefined) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const st = await procStat(pid);
  return !!st && st.state !== 'Z' && st.state !== 'X' && st.startTime === startTime;
}

/**
 * Live (non-zombie) members of a process group. Linux reads /proc, because
 * orphans reparented to an init that does not reap stay as zombies that
 * `kill(-pgid, 0)` still finds; elsewhere that probe is the best there is.
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const d of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(d)) continue;
    const st = await procStat(d);
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') return true;
  }
  return false;
}

/**
 * After SIGKILL the kernel still has to tear the members down; waits (in real
 * time: this polls the OS, not the task's clock) until they are gone, bounded.
 */
export async function awaitGroupGone(pgid: number, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await groupAlive(pgid)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** Whether the process's environment holds `NAME=value`. */
async function hasEnv(pid: number | string, entry: Buffer): Promise<boolean> {
  const env = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
  if (!env) return false;
  return env.subarray(0, entry.length).equals(entry) || env.includes(Buffer.concat([Buffer.from([0]), entry]));
}

/** Live processes whose environment holds `NAME=value` and whose group passes `keep` (Linux only). */
async function findWithEnv(
  name: string,
  value: string,
  keep: (pid: number, pgrp: number) => boolean,
): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const entry = Buffer.from(`${name}=${value}\0`);
  const out: number[] = [];
  for (const d of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(d)) continue;
    const st = await procStat(d);
    if (!st || st.state === 'Z' || st.state === 'X' || !keep(Number(d), st.pgrp)) continue;
    if (await hasEnv(d, entry)) out.push(Number(d));
  }
  return out;
}

/**
 * Live process-group leaders whose environment holds `NAME=value`. Finds a
 * task process the state file does not name yet: the agent died between
 * spawning it and recording its PID.
 */
export function findGroupLeadersWithEnv(name: string, value: string): Promise<number[]> {
  return findWithEnv(name, value, (pid, pgrp) => pid === pgrp);
}

/** Live members of group `pgid` whose environment holds `NAME=value` (left-overs of a task whose leader is gone). */
export function findGroupMembersWithEnv(pgid: number, name: string, value: string): Promise<number[]> {
  return findWithEnv(name, value, (_pid, pgrp) => pgrp === pgid);
}

/** The file exec would run for `cmd`: a path (relative to `cwd`) or a name searched in PATH. */
export async function findExecutable(cmd: string, pathEnv: string, cwd: string): Promise<string | undefined> {
  const candidates = cmd.includes('/')
    ? [isAbsolute(cmd) ? cmd : resolve(cwd, cmd)]
    : pathEnv.split(delimiter).map((d) => join(d ? resolve(cwd, d) : cwd, cmd));
  for (const file of candidates) {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (
      await access(file, fsConstants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  return undefined;
}
