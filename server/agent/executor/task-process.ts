// What the process executor knows of one task (its record in memory), and the
// small constants and helpers its parts share.
import type { ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { ContainerStatus } from '../../api/types';
import type { ImageRun } from './image-catalog';
import type { LogRing } from './log-ring';
import type { LogTail } from './log-tail';
import type { TaskNet } from './netns/task-net';
import type { AssignedPort } from './task-ports';

export interface TaskProcess {
  taskID: string;
  containerID: string;
  run: ImageRun;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** A scratch directory this executor created and removes. */
  scratch?: string;
  ports: AssignedPort[];
  logs: LogRing;
  state: 'prepared' | 'running' | 'exited';
  child?: ChildProcess;
  pid?: number;
  exitCode?: number;
  exit: Promise<number>;
  resolveExit: (code: number) => void;
  stopping?: Promise<void>;
  /** Durable mode: the task's state directory. */
  dir?: string;
  /** Durable mode: the start in progress (state file `starting` until the PID is known). */
  starting?: Promise<ContainerStatus>;
  /** A process was spawned for it (durable mode: possibly by an earlier agent). */
  spawned?: boolean;
  /** The stop grace period it was prepared with (a recovered task that is no longer assigned uses it). */
  graceMs: number;
  /** /proc start time of `pid`, against PID reuse. */
  startTime?: string;
  /** Durable mode: the followed stdout/stderr files. */
  tails?: LogTail[];
  /** Recovered from the state directory: this executor is not the process's parent and polls it. */
  adopted?: boolean;
  cancelPoll?: () => void;
  /** This executor sent SIGKILL (an adopted task's missing exit status is then no mystery). */
  killed?: boolean;
  /** Why the exit code is not the task's own (it ended unobserved); wait() rejects with it. */
  exitNote?: string;
  /** Serialises state-file writes. */
  saving?: Promise<void>;
  removed?: boolean;
  /** Netns mode: the task's own network identity (absent: host mode). */
  net?: TaskNet;
}

/** How a task is started in its namespaces (netns mode); plain host-mode spawns have none. */
export interface SpawnHook {
  /** The argv that runs the task's argv inside its namespaces. */
  wrap(argv: string[]): string[];
  /** After the spawn (fd 3 is a pipe to the set-up shell): makes its network and lets it run. */
  ready(child: ChildProcess): Promise<void>;
}

export const DEFAULT_STOP_GRACE_MS = 10_000;
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What a start that never ran a process reports, like a shell's "command not found". */
export const NOT_STARTED_EXIT_CODE = 127;

/** A promise of the exit code and its resolver. */
export function exitLatch(): Pick<TaskProcess, 'exit' | 'resolveExit'> {
  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((r) => (resolveExit = r));
  return { exit, resolveExit };
}

/** 128 + signal number, as a shell and Docker report a signalled process. */
export function signalExitCode(signal: NodeJS.Signals | null): number {
  const n = signal ? osConstants.signals[signal] : undefined;
  return n === undefined ? 255 : 128 + n;
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
