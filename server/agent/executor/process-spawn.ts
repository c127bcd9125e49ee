// Plain mode's spawn: the task's argv as its own process group, its output
// through pipes into the log ring; the exit is reported once the pipes are
// drained so the logs are complete (PROCESS.md, "Logs").
import { spawn } from 'node:child_process';
import type { Clock } from '../../util/clock';
import { killGroup } from './proc';
import { capturePipes } from './process-logs';
import { errText, NOT_STARTED_EXIT_CODE, signalExitCode, type SpawnHook, type TaskProcess } from './task-process';

/** How long an exit waits for the output pipes to close. */
const PIPE_DRAIN_MS = 1_000;

/** Spawns the task; `exited` is called once with its exit code (127 when it never started). */
export async function spawnPiped(
  p: TaskProcess,
  clock: Clock,
  exited: (p: TaskProcess, code: number) => void,
  hook?: SpawnHook,
): Promise<void> {
  const cmd = p.argv[0]!;
  const [exe, ...args] = hook ? hook.wrap(p.argv) : p.argv;
  const child = spawn(exe!, args, {
    cwd: p.cwd,
    env: p.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: hook ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  p.child = child;
  p.pid = child.pid; // undefined when the spawn failed
  p.state = 'running';
  capturePipes(p, child, clock);
  child.on('exit', (code, signal) => {
    if (p.pid === undefined) return;
    const exitCode = code ?? signalExitCode(signal);
    // The task ends with its leader, as a container ends with its PID 1: nothing in the group outlives it.
    killGroup(p.pid, 'SIGKILL');
    // Report the exit once the output pipes are drained, so the logs are complete; a pipe held open
    // by a process outside the group must not hold the exit back for long (real time: OS bookkeeping).
    child.once('close', () => exited(p, exitCode));
    setTimeout(() => exited(p, exitCode), PIPE_DRAIN_MS).unref();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await hook?.ready(child);
  } catch (err) {
    exited(p, NOT_STARTED_EXIT_CODE);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new Error(`starting container failed: exec: "${cmd}": executable file not found`, { cause: err });
    throw new Error(`starting container failed: ${errText(err)}`, { cause: err });
  }
}
