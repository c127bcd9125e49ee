// What the process executor's tests ask of the OS and of time: live processes
// from /proc (by group, by task marker) and a short bounded poll.

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  pgrp: number;
  state: string;
}

export function procs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(d), pgrp: Number(pgrp), state: state! });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Zombies waiting for a reaper do not count. */
export const live = (p: ProcInfo) => p.state !== 'Z' && p.state !== 'X';

/** Members of the process group that are still alive. */
export function groupMembers(pgid: number): number[] {
  return procs()
    .filter((p) => p.pgrp === pgid && live(p))
    .map((p) => p.pid);
}

/** Live processes carrying the task's ID marker in their environment. */
export function withMarker(taskID: string): ProcInfo[] {
  return procs().filter((p) => {
    if (!live(p)) return false;
    try {
      return readFileSync(`/proc/${p.pid}/environ`).includes(`SWARMDECK_TASK_ID=${taskID}\0`);
    } catch {
      return false;
    }
  });
}

type Maybe<T> = T | undefined | false;

/** Polls every 25 ms until `fn` gives something truthy; throws after `timeoutMs`. */
export async function until<T>(
  fn: () => Maybe<T> | Promise<Maybe<T>>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
