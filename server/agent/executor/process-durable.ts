// Durable mode of the process executor (PROCESS.md, "Durable task state"):
// the task's record on disk, a spawn whose output goes to files and whose
// exit status the wrapper writes, and recovery of what an earlier agent
// process left running (adopted and polled, since this process is not its parent).
import { spawn, type ChildProcess } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import type { ContainerStatus } from '../../api/types';
import type { Clock } from '../../util/clock';
import { PRIVATE_FILE_MODE } from '../../util/private-files';
import { LogRing, type LogLimits } from './log-ring';
import {
  findExecutable,
  findGroupLeadersWithEnv,
  findGroupMembersWithEnv,
  killGroup,
  processAlive,
  processStartTime,
} from './proc';
import { drainLogFiles, followLogFiles } from './process-logs';
import {
  listTaskDirs,
  readExitFile,
  readTaskState,
  removeTaskDir,
  taskFiles,
  wrapArgv,
  writeTaskState,
  type TaskStateRecord,
} from './process-state';
import {
  DEFAULT_PATH,
  errText,
  exitLatch,
  NOT_STARTED_EXIT_CODE,
  signalExitCode,
  type SpawnHook,
  type TaskProcess,
} from './task-process';
import type { AssignedPort } from './task-ports';

/** How often an adopted task's leader is checked (real time). */
const ADOPTED_POLL_MS = 500;
/** …and while it is being stopped, so shutdown returns soon after it ends. */
export const ADOPTED_STOP_POLL_MS = 50;
/**
 * An adopted task whose leader is gone without an exit status (SIGKILL, or it
 * ended while no agent was running and the wrapper could not record it) is
 * reported as killed: exit code 137 with this reason.
 */
const LOST_EXIT_CODE = 137;
const LOST_EXIT_REASON = 'the task process ended without recording its exit status (killed while the agent was down?)';
const UNSTARTED_REASON = 'the agent stopped while starting the task; it is not started again';

/** What the durable part needs of the executor it serves. */
export interface DurableHost {
  readonly clock: Clock;
  readonly tasks: Map<string, TaskProcess>;
  readonly logLimits: LogLimits;
  readonly defaultStopGraceMs: number;
  readonly logFileCapBytes?: number;
  isDetached(): boolean;
  /** Records the exit (state, ports, the wait() promise) and persists it. */
  exited(p: TaskProcess, code: number): void;
  holdPorts(ports: readonly AssignedPort[]): void;
}

export class DurableTasks {
  /** Tasks recover() found, until reconcile() has sorted them. */
  readonly recoveredIDs = new Set<string>();

  constructor(
    private readonly host: DurableHost,
    readonly stateDir: string,
  ) {}

  /** Writes the task's state file; writes are serialised and each one records the latest state. */
  persist(p: TaskProcess): Promise<void> {
    const dir = p.dir;
    if (!dir) return Promise.resolve();
    const write = (p.saving ?? Promise.resolve()).then(() => (p.removed ? undefined : writeTaskState(dir, record(p))));
    p.saving = write.catch(() => {});
    return write;
  }

  async start(p: TaskProcess, hook?: SpawnHook): Promise<ContainerStatus> {
    const files = taskFiles(p.dir!);
    const cmd = p.argv[0]!;
    // The wrapper shell always starts, so a missing command is caught here, as exec would.
    if (!(await findExecutable(cmd, p.env.PATH ?? DEFAULT_PATH, p.cwd))) {
      this.host.exited(p, NOT_STARTED_EXIT_CODE);
      throw new Error(`starting container failed: exec: "${cmd}": executable file not found`);
    }
    let child: ChildProcess;
    // A task can end before the awaits below are done: its exit is caught from the spawn on and handled after.
    let early: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exitTo: { handle?: (code: number | null, signal: NodeJS.Signals | null) => void } = {};
    try {
      await rm(files.exit, { force: true });
      // Recorded before the spawn: a restart that finds `starting` and no process never spawns again.
      await this.persist(p);
      // Output goes to files the task appends to itself: it does not depend on this process staying alive.
      const out = await open(files.stdout, 'a', PRIVATE_FILE_MODE);
      const err = await open(files.stderr, 'a', PRIVATE_FILE_MODE).catch(async (e: unknown) => {
        await out.close();
        throw e;
      });
      try {
        const wrapped = wrapArgv(p.argv);
        const [shell, ...args] = hook ? hook.wrap(wrapped) : wrapped;
        const env: Record<string, string> = { ...p.env, SWARMDECK_EXIT_FILE: files.exit };
        child = spawn(shell!, args, {
          cwd: p.cwd,
          env: env as NodeJS.ProcessEnv,
          detached: true,
          stdio: hook ? ['ignore', out.fd, err.fd, 'pipe'] : ['ignore', out.fd, err.fd],
        });
        child.once('exit', (code, signal) =>
          exitTo.handle ? exitTo.handle(code, signal) : (early = { code, signal }),
        );
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
        await hook?.ready(child);
      } finally {
        await out.close();
        await err.close();
      }
    } catch (err) {
      this.host.exited(p, NOT_STARTED_EXIT_CODE);
      throw new Error(`starting container failed: ${errText(err)}`, { cause: err });
    }
    const pid = child.pid!;
    p.child = child;
    p.pid = pid;
    p.spawned = true;
    p.state = 'running';
    exitTo.handle = (code, signal) => {
      if (this.host.isDetached()) return;
      // The task ends with its leader, as a container ends with its PID 1: nothing in the group outlives it.
      killGroup(pid, 'SIGKILL');
      void this.finish(p, code ?? signalExitCode(signal));
    };
    this.follow(p);
    if (early) exitTo.handle(early.code, early.signal);
    p.startTime = await processStartTime(pid);
    await this.persist(p).catch((err: unknown) => console.error(`executor: saving task ${p.taskID}`, err));
    return { ContainerID: p.containerID, PID: pid, ExitCode: 0 };
  }

  /** Reads the last output, then reports the exit (so the logs are complete when wait() resolves). */
  async finish(p: TaskProcess, code: number, note?: string): Promise<void> {
    if (p.state === 'exited') return;
    p.cancelPoll?.();
    await drainLogFiles(p);
    if (note) p.exitNote = note;
    this.host.exited(p, code);
  }

  /** Loads every task directory an earlier agent process left. */
  async recover(): Promise<void> {
    for (const dir of await listTaskDirs(this.stateDir)) {
      try {
        await this.recoverTask(dir);
      } catch (err) {
        console.error(`executor: recovering ${dir} failed`, err);
      }
    }
  }

  /** Polls an adopted task's leader (real time: this asks the OS) until it is gone. */
  watchAdopted(p: TaskProcess, periodMs: number): void {
    p.cancelPoll?.();
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      clearTimeout(timer);
      if (p.cancelPoll === cancel) p.cancelPoll = undefined;
    };
    const tick = async () => {
      const alive = await processAlive(p.pid!, p.startTime);
      if (cancelled || this.host.isDetached()) return;
      if (alive) return schedule();
      cancel();
      await this.adoptedGone(p);
    };
    const schedule = () => {
      timer = setTimeout(() => void tick(), periodMs);
      timer.unref();
    };
    p.cancelPoll = cancel;
    schedule();
  }

  private follow(p: TaskProcess): void {
    followLogFiles(p, this.host.clock, this.host.logFileCapBytes);
  }

  private async recoverTask(dir: string): Promise<void> {
    const r = await readTaskState(dir);
    // No state file: a prepare that never finished, and nothing was spawned for it.
    if (!r) return removeTaskDir(dir);
    if (this.host.tasks.has(r.taskID)) return;
    const p: TaskProcess = {
      taskID: r.taskID,
      containerID: r.containerID,
      run: r.run,
      argv: r.argv,
      env: r.env,
      cwd: r.cwd,
      scratch: r.scratch,
      ports: r.ports,
      logs: new LogRing(this.host.logLimits),
      state: 'prepared',
      graceMs: r.stopGraceMs ?? this.host.defaultStopGraceMs,
      ...exitLatch(),
      dir,
      pid: r.pid,
      startTime: r.startTime,
      net: r.net,
    };
    this.host.tasks.set(p.taskID, p);
    this.recoveredIDs.add(p.taskID);
    this.host.holdPorts(p.ports);
    switch (r.state) {
      case 'prepared':
        return;
      case 'exited':
        p.spawned = r.spawned ?? r.pid !== undefined;
        this.follow(p);
        return this.finish(p, r.exitCode ?? LOST_EXIT_CODE, r.exitNote);
      case 'starting': {
        // The agent died around the spawn: the process, if there is one, carries the task's ID.
        const [pid] = await findGroupLeadersWithEnv('SWARMDECK_TASK_ID', p.taskID);
        if (pid !== undefined) {
          p.pid = pid;
          p.startTime = await processStartTime(pid);
          return this.adopt(p);
        }
        const recorded = await readExitFile(dir);
        p.spawned = recorded !== undefined;
        this.follow(p);
        return this.finish(p, recorded ?? LOST_EXIT_CODE, recorded === undefined ? UNSTARTED_REASON : undefined);
      }
      case 'running':
        if (p.pid !== undefined && (await processAlive(p.pid, p.startTime))) return this.adopt(p);
        p.spawned = true;
        this.follow(p);
        return this.adoptedGone(p);
    }
  }

  private async adopt(p: TaskProcess): Promise<void> {
    p.adopted = true;
    p.spawned = true;
    p.state = 'running';
    this.follow(p);
    await this.persist(p);
    this.watchAdopted(p, ADOPTED_POLL_MS);
  }

  /** The leader of a task this executor is not the parent of has gone: its status comes from the exit file. */
  private async adoptedGone(p: TaskProcess): Promise<void> {
    const pid = p.pid!;
    // Whatever is left of its group was started by the task (members carry its ID): it ends with the leader.
    if ((await findGroupMembersWithEnv(pid, 'SWARMDECK_TASK_ID', p.taskID)).length > 0) killGroup(pid, 'SIGKILL');
    const recorded = await readExitFile(p.dir!);
    const lost = recorded === undefined && !p.killed;
    await this.finish(p, recorded ?? LOST_EXIT_CODE, lost ? LOST_EXIT_REASON : undefined);
  }
}

/** The task as its state file records it. */
function record(p: TaskProcess): TaskStateRecord {
  return {
    version: 1,
    taskID: p.taskID,
    containerID: p.containerID,
    run: p.run,
    argv: p.argv,
    env: p.env,
    cwd: p.cwd,
    scratch: p.scratch,
    ports: p.ports,
    state: p.state === 'prepared' && p.starting ? 'starting' : p.state,
    pid: p.pid,
    pgid: p.pid,
    startTime: p.startTime,
    spawned: p.spawned,
    stopGraceMs: p.graceMs,
    exitCode: p.exitCode,
    exitNote: p.exitNote,
    net: p.net,
  };
}
