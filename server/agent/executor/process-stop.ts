// Stopping a task's process group: SIGTERM, then SIGKILL once the grace period
// is over (PROCESS.md, "Stopping"), or SIGKILL at once for remove().
import type { Clock } from '../../util/clock';
import { awaitGroupGone, killGroup } from './proc';
import type { TaskProcess } from './task-process';

/**
 * SIGTERM to the group, SIGKILL after `graceMs` (the executor's clock); resolves
 * once the leader has exited and the group is gone (bounded). `watchAdopted`
 * makes an adopted task (polled, not awaited) be looked at more often.
 */
export async function stopTask(
  p: TaskProcess,
  graceMs: number,
  clock: Clock,
  watchAdopted?: (p: TaskProcess) => void,
): Promise<void> {
  const pid = p.pid;
  if (pid === undefined) return;
  killGroup(pid, 'SIGTERM');
  if (p.adopted && p.state === 'running') watchAdopted?.(p);
  const cancel = clock.setTimeout(() => {
    if (p.state !== 'running') return;
    p.killed = true;
    killGroup(pid, 'SIGKILL');
  }, graceMs);
  try {
    await p.exit;
  } finally {
    cancel();
  }
  await awaitGroupGone(pid);
}

/** Like `docker rm -f`: SIGKILL now, then wait for the exit and for the group to be gone. */
export async function killTask(p: TaskProcess): Promise<void> {
  if (p.pid !== undefined) {
    p.killed = true;
    killGroup(p.pid, 'SIGKILL');
  }
  await p.exit;
  if (p.pid !== undefined) await awaitGroupGone(p.pid);
}
