import { PortAllocator, type AssignedPort, type PortPolicy } from './task-ports';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerStatus, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import { iso, nsToMs, systemClock, type Clock } from '../../util/clock';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../util/private-files';
import { ExitError, type ExecResult, type Executor } from './executor';
import { parseCatalog, resolveImage, type CatalogEntry, type ImageRun } from './image-catalog';
import { LineSplitter, LogRing, type LogEntry, type LogLimits, type LogListener, type LogStream } from './log-ring';
import { DEFAULT_LOG_FILE_CAP, DEFAULT_LOG_POLL_MS, LogTail } from './log-tail';
import {
  awaitGroupGone,
  findExecutable,
  findGroupLeadersWithEnv,
  findGroupMembersWithEnv,
  killGroup,
  processAlive,
  processStartTime,
} from './proc';
import {
  listTaskDirs,
  readExitFile,
  readTaskState,
  removeTaskDir,
  taskDir,
  taskFiles,
  wrapArgv,
  writeTaskState,
  type TaskStateRecord,
} from './process-state';
import { execInTask } from './process-exec';
import { expandContainerFields, taskName, taskTemplateContext, type TemplateNode } from '../../api/templates';

export type { AssignedPort, PortPolicy };

export interface ProcessExecutorOptions {
  /** This worker, for task templates and the identity env vars. */
  node: TemplateNode;
  clock?: Clock;
  /** Extra image mappings, searched before the built-in catalog. */
  catalog?: CatalogEntry[];
  /** A JSON catalog file (see image-catalog.ts `parseCatalog`), read once; its entries come after `catalog`. */
  catalogFile?: string;
  /**
   * `prefer-target` (default): a task listens on its target port when that port
   * is free on this host, else on a free ephemeral port. `ephemeral`: always an
   * ephemeral port (tests; many replicas of one service on one host).
   */
  ports?: PortPolicy;
  /** Used when the spec has no StopGracePeriod. Default 10 s, like swarm. */
  defaultStopGraceMs?: number;
  /** Where per-task scratch working directories go. Default `<tmpdir>/swarmdeck-tasks`. */
  workRoot?: string;
  logLimits?: LogLimits;
  /** The built-in HTTP server script (default: builtin/http-server.mjs beside this file). */
  httpServerScript?: string;
  /** Host environment variables a task inherits before its own Env. Default PATH, HOME, LANG, TZ. */
  inheritEnv?: string[];
  /**
   * Durable mode (PROCESS.md, "Durable task state"): each task's state, output
   * and exit status are kept under `<stateDir>/<taskID>/`, its output goes to
   * files rather than pipes, and `recover()` adopts the tasks an earlier agent
   * process left running. Without it tasks live and die with this executor.
   */
  stateDir?: string;
  /** Durable mode: a log file read past this size is emptied. Default 8 MiB. */
  logFileCapBytes?: number;
}

interface TaskProcess {
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
}

const DEFAULT_STOP_GRACE_MS = 10_000;
const DEFAULT_INHERIT = ['PATH', 'HOME', 'LANG', 'TZ'];
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const HTTP_SERVER_SCRIPT = fileURLToPath(new URL('./builtin/http-server.mjs', import.meta.url));
/** What a start that never ran a process reports, like a shell's "command not found". */
const NOT_STARTED_EXIT_CODE = 127;
/** How long an exit waits for the output pipes to close. */
const PIPE_DRAIN_MS = 1_000;
/** How often an adopted task's leader is checked (real time). */
const ADOPTED_POLL_MS = 500;
/** …and while it is being stopped, so shutdown returns soon after it ends. */
const ADOPTED_STOP_POLL_MS = 50;
/**
 * An adopted task whose leader is gone without an exit status (SIGKILL, or it
 * ended while no agent was running and the wrapper could not record it) is
 * reported as killed: exit code 137 with this reason.
 */
const LOST_EXIT_CODE = 137;
const LOST_EXIT_REASON = 'the task process ended without recording its exit status (killed while the agent was down?)';
const UNSTARTED_REASON = 'the agent stopped while starting the task; it is not started again';

/** 128 + signal number, as a shell and Docker report a signalled process. */
function signalExitCode(signal: NodeJS.Signals | null): number {
  const n = signal ? osConstants.signals[signal] : undefined;
  return n === undefined ? 255 : 128 + n;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs each task as a real OS process leading its own process group
 * (PROCESS.md): the image picks the command (image-catalog.ts), the spec's
 * Env (templated), Dir and ports shape its environment, its output is kept
 * in a bounded per-task log ring, and stopping it signals the whole group.
 */
export class ProcessExecutor implements Executor {
  private readonly clock: Clock;
  private readonly node: TemplateNode;
  private readonly defaultStopGraceMs: number;
  private readonly workRoot: string;
  private readonly logLimits: LogLimits;
  private readonly httpServerScript: string;
  private readonly inheritEnv: string[];
  private readonly extraCatalog: CatalogEntry[];
  private fileCatalog?: Promise<CatalogEntry[]>;
  private tasks = new Map<string, TaskProcess>();
  /** Host ports handed out to this executor's tasks, `proto/port`. */
  private readonly portAllocator: PortAllocator;
  private readonly stateDir?: string;
  private recovering?: Promise<void>;
  /** Tasks recover() found, until reconcile() has sorted them. */
  private recoveredIDs = new Set<string>();
  private detached = false;

  constructor(private readonly opts: ProcessExecutorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.node = opts.node;
    this.portAllocator = new PortAllocator(opts.ports ?? 'prefer-target');
    this.defaultStopGraceMs = opts.defaultStopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    this.workRoot = opts.workRoot ?? join(tmpdir(), 'swarmdeck-tasks');
    this.logLimits = opts.logLimits ?? {};
    this.httpServerScript = opts.httpServerScript ?? HTTP_SERVER_SCRIPT;
    this.inheritEnv = opts.inheritEnv ?? DEFAULT_INHERIT;
    this.extraCatalog = opts.catalog ?? [];
    this.stateDir = opts.stateDir;
  }

  async prepare(task: Task): Promise<ContainerStatus> {
    // Durable mode: what an earlier agent left is known before anything is created or spawned.
    if (this.stateDir) await this.recover();
    const existing = this.tasks.get(task.ID);
    if (existing) return { ContainerID: existing.containerID };
    const spec = task.Spec.ContainerSpec;
    const run = resolveImage(spec, await this.catalog());
    const ctx = taskTemplateContext(task, this.node);
    const fields = expandContainerFields(spec, ctx);
    const containerID = createHash('sha256').update(`process:${task.ID}`).digest('hex');

    let cwd: string;
    let scratch: string | undefined;
    if (spec.Dir) {
      const st = await stat(spec.Dir).catch(() => undefined);
      if (!st?.isDirectory()) throw new Error(`working directory "${spec.Dir}" does not exist on this host`);
      cwd = spec.Dir;
    } else if (this.stateDir) {
      // Inside the task's state directory, so that it survives a restart and goes with remove().
      scratch = taskFiles(taskDir(this.stateDir, task.ID)).work;
      await mkdir(scratch, { recursive: true, mode: PRIVATE_DIR_MODE });
      cwd = scratch;
    } else {
      await mkdir(this.workRoot, { recursive: true, mode: PRIVATE_DIR_MODE });
      scratch = await mkdtemp(join(this.workRoot, `${containerID.slice(0, 12)}-`));
      cwd = scratch;
    }

    let ports: AssignedPort[];
    try {
      ports = await this.portAllocator.assign(task);
    } catch (err) {
      if (this.stateDir) await removeTaskDir(taskDir(this.stateDir, task.ID));
      else if (scratch) await rm(scratch, { recursive: true, force: true });
      throw err;
    }

    const hostname = fields.Hostname || containerID.slice(0, 12);
    const env: Record<string, string> = {};
    for (const k of this.inheritEnv) {
      const v = process.env[k];
      if (v !== undefined) env[k] = v;
    }
    env.PATH ??= DEFAULT_PATH;
    env.HOSTNAME = hostname;
    for (const e of fields.Env) {
      const i = e.indexOf('=');
      if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
      else if (i < 0 && process.env[e] !== undefined) env[e] = process.env[e]!; // `--env NAME` passes the host's value
    }
    // The executor's own variables win over the spec's: the routing and the built-in server rely on them.
    Object.assign(env, {
      SWARMDECK_SERVICE_ID: ctx.Service.ID,
      SWARMDECK_SERVICE_NAME: ctx.Service.Name,
      SWARMDECK_TASK_ID: task.ID,
      SWARMDECK_TASK_NAME: taskName(task),
      SWARMDECK_TASK_SLOT: ctx.Task.Slot,
      SWARMDECK_NODE_ID: ctx.Node.ID,
      SWARMDECK_NODE_HOSTNAME: ctx.Node.Hostname,
      SWARMDECK_IMAGE: spec.Image,
    });
    for (const p of ports) env[`SWARMDECK_PORT_${p.TargetPort}_${p.Protocol.toUpperCase()}`] = String(p.HostPort);
    if (ports[0]) env.PORT = String(ports[0].HostPort);

    const argv = run.kind === 'builtin' ? [process.execPath, this.httpServerScript] : run.argv;
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((r) => (resolveExit = r));
    const p: TaskProcess = {
      taskID: task.ID,
      containerID,
      run,
      argv,
      env,
      cwd,
      scratch,
      ports,
      logs: new LogRing(this.logLimits),
      state: 'prepared',
      graceMs: nsToMs(spec.StopGracePeriod, this.defaultStopGraceMs),
      exit,
      resolveExit,
    };
    this.tasks.set(task.ID, p);
    if (this.stateDir) {
      p.dir = taskDir(this.stateDir, task.ID);
      // Its record holds the task's environment: readable by the agent's user only.
      await mkdir(p.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await this.persist(p);
    }
    return { ContainerID: containerID };
  }

  async start(task: Task): Promise<ContainerStatus> {
    if (!this.tasks.has(task.ID)) await this.prepare(task);
    const p = this.tasks.get(task.ID)!;
    if (p.state !== 'prepared') {
      if (p.state === 'running') return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
      // Durable mode: it did run (perhaps while no agent was watching); wait() tells how it ended.
      if (p.dir && p.spawned) return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
      throw new Error(p.exitNote ?? `task ${task.ID} has already exited`);
    }
    // Never two spawns for one task, even for overlapping calls.
    if (this.stateDir) return (p.starting ??= this.startDurable(p));
    const [cmd, ...args] = p.argv;
    const child = spawn(cmd!, args, {
      cwd: p.cwd,
      env: p.env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.child = child;
    p.pid = child.pid; // undefined when the spawn failed
    p.state = 'running';
    this.capture(p, child);
    child.on('exit', (code, signal) => {
      if (p.pid === undefined) return;
      const exitCode = code ?? signalExitCode(signal);
      // The task ends with its leader, as a container ends with its PID 1: nothing in the group outlives it.
      killGroup(p.pid, 'SIGKILL');
      // Report the exit once the output pipes are drained, so the logs are complete; a pipe held open
      // by a process outside the group must not hold the exit back for long (real time: OS bookkeeping).
      child.once('close', () => this.exited(p, exitCode));
      setTimeout(() => this.exited(p, exitCode), PIPE_DRAIN_MS).unref();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (err) {
      this.exited(p, NOT_STARTED_EXIT_CODE);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new Error(`starting container failed: exec: "${cmd}": executable file not found`, {
          cause: err,
        });
      throw new Error(`starting container failed: ${errText(err)}`, { cause: err });
    }
    return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
  }

  async wait(task: Task): Promise<number> {
    if (this.stateDir) await this.recover();
    const p = this.tasks.get(task.ID);
    // Without a state directory processes do not survive in our bookkeeping across an agent restart.
    if (!p) throw new Error(`process executor: no process for task ${task.ID}`);
    const code = await p.exit;
    if (p.exitNote) throw new ExitError(code, p.exitNote);
    return code;
  }

  async shutdown(task: Task): Promise<void> {
    const p = this.tasks.get(task.ID);
    await p?.starting?.catch(() => {});
    if (!p || p.state === 'exited') return;
    if (p.state === 'prepared') {
      this.exited(p, 0);
      return;
    }
    const graceMs = nsToMs(task.Spec.ContainerSpec.StopGracePeriod, this.defaultStopGraceMs);
    p.stopping ??= this.stop(p, graceMs);
    await p.stopping;
  }

  async remove(task: Task): Promise<void> {
    const p = this.tasks.get(task.ID);
    await p?.starting?.catch(() => {});
    if (!p || this.tasks.get(task.ID) !== p) return;
    // Like `docker rm -f`: no grace period left to give.
    if (p.state === 'running') {
      if (p.pid !== undefined) {
        p.killed = true;
        killGroup(p.pid, 'SIGKILL');
      }
      await p.exit;
      if (p.pid !== undefined) await awaitGroupGone(p.pid);
    } else if (p.state === 'prepared') this.exited(p, 0);
    this.tasks.delete(task.ID);
    this.recoveredIDs.delete(task.ID);
    p.logs.clearListeners();
    if (p.dir) {
      // The state directory holds the logs, the exit status and the scratch directory.
      p.removed = true;
      p.cancelPoll?.();
      await Promise.all((p.tails ?? []).map((t) => t.close({ flush: false })));
      await p.saving;
      await removeTaskDir(p.dir);
    } else if (p.scratch) await rm(p.scratch, { recursive: true, force: true });
  }

  /**
   * Stops every running task (the manager's in-process node shutting down). A
   * detached executor no longer follows its tasks and leaves them alone.
   */
  async shutdownAll(graceMs = this.defaultStopGraceMs): Promise<void> {
    if (this.detached) return;
    await Promise.all(
      [...this.tasks.values()].map((p) => {
        if (p.state !== 'running') return undefined;
        p.stopping ??= this.stop(p, graceMs);
        return p.stopping;
      }),
    );
  }

  /**
   * Durable mode: loads every task an earlier agent process left in the state
   * directory. Live processes are adopted (RUNNING: wait, logs and shutdown
   * work as for a child), dead ones become exited with their recorded exit
   * status, prepared ones can still be started. Call once at agent start,
   * before the first session; later calls (and prepare/start/wait) share the
   * same pass. Without a state directory it does nothing.
   */
  recover(): Promise<void> {
    if (!this.stateDir) return Promise.resolve();
    this.recovering ??= this.loadStateDir(this.stateDir);
    return this.recovering;
  }

  /**
   * With the first complete set of assignments after recover(): a recovered
   * task that is no longer assigned is stopped (its grace period) and removed;
   * one the manager already considers finished is stopped. Runs once.
   */
  async reconcile(assigned: readonly Task[]): Promise<void> {
    await this.recover();
    const byID = new Map(assigned.map((t) => [t.ID, t]));
    const ids = [...this.recoveredIDs];
    this.recoveredIDs.clear();
    await Promise.all(
      ids.map(async (id) => {
        const p = this.tasks.get(id);
        if (!p) return;
        const task = byID.get(id);
        if (task && !isTerminal(task.Status.State)) return;
        if (p.state === 'running') {
          p.stopping ??= this.stop(p, task ? nsToMs(task.Spec.ContainerSpec.StopGracePeriod, p.graceMs) : p.graceMs);
          await p.stopping;
        } else if (p.state === 'prepared') this.exited(p, 0);
        if (!task) await this.remove({ ID: id } as Task);
      }),
    );
  }

  /**
   * Stops following the tasks and leaves their processes running (an agent
   * process exiting; the next one adopts them with recover()). Nothing is
   * reported afterwards: wait() on a running task never resolves here.
   */
  async detach(): Promise<void> {
    this.detached = true;
    const all = [...this.tasks.values()];
    for (const p of all) {
      p.cancelPoll?.();
      p.child?.unref();
    }
    await Promise.all(all.flatMap((p) => (p.tails ?? []).map((t) => t.close({ flush: false }))));
    await Promise.all(all.map((p) => p.saving));
  }

  /** The task's captured output, oldest first (`tail`: only the last N lines); [] for an unknown task. */
  logs(taskID: string, opts: { tail?: number } = {}): LogEntry[] {
    return this.tasks.get(taskID)?.logs.list(opts.tail) ?? [];
  }

  /** Follow mode: each new line as it is read, until the returned function is called or the task is removed. */
  subscribeLogs(taskID: string, listener: LogListener): () => void {
    return this.tasks.get(taskID)?.logs.subscribe(listener) ?? (() => {});
  }

  /** The host ports the task listens on (for the routing mesh); [] for an unknown task. */
  ports(taskID: string): AssignedPort[] {
    return [...(this.tasks.get(taskID)?.ports ?? [])];
  }

  status(taskID: string): ContainerStatus | undefined {
    const p = this.tasks.get(taskID);
    if (!p) return undefined;
    return { ContainerID: p.containerID, PID: p.pid, ExitCode: p.exitCode };
  }

  /** A health probe in the task's environment and directory (process-exec.ts). */
  exec(task: Task, argv: string[], opts: { timeoutMs: number }): Promise<ExecResult> {
    const p = this.tasks.get(task.ID);
    if (!p || p.state !== 'running') return Promise.reject(new Error(`task ${task.ID} is not running`));
    return execInTask({ argv, env: p.env, cwd: p.cwd, timeoutMs: opts.timeoutMs, clock: this.clock });
  }

  private catalog(): Promise<CatalogEntry[]> {
    const file = this.opts.catalogFile;
    if (!file) return Promise.resolve(this.extraCatalog);
    this.fileCatalog ??= readFile(file, 'utf8').then(
      (text) => parseCatalog(JSON.parse(text) as unknown, `image catalog ${file}`),
      (err: unknown) => {
        throw new Error(`image catalog ${file}: ${errText(err)}`);
      },
    );
    // A bad file fails each prepare with its reason rather than being cached as empty.
    const pending = this.fileCatalog;
    pending.catch(() => {
      if (this.fileCatalog === pending) this.fileCatalog = undefined;
    });
    return pending.then((entries) => [...this.extraCatalog, ...entries]);
  }

  private async stop(p: TaskProcess, graceMs: number): Promise<void> {
    const pid = p.pid;
    if (pid === undefined) return;
    killGroup(pid, 'SIGTERM');
    // An adopted task is polled, not awaited as a child: look more often until it is gone.
    if (p.adopted && p.state === 'running') this.watchAdopted(p, ADOPTED_STOP_POLL_MS);
    const cancel = this.clock.setTimeout(() => {
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

  private exited(p: TaskProcess, code: number): void {
    if (p.state === 'exited') return;
    p.state = 'exited';
    p.exitCode = code;
    this.portAllocator.release(p.ports);
    p.cancelPoll?.();
    p.resolveExit(code);
    if (p.dir) void this.persist(p).catch((err: unknown) => console.error(`executor: saving task ${p.taskID}`, err));
  }

  // ---------- durable mode ----------

  private async startDurable(p: TaskProcess): Promise<ContainerStatus> {
    const files = taskFiles(p.dir!);
    const cmd = p.argv[0]!;
    // The wrapper shell always starts, so a missing command is caught here, as exec would.
    if (!(await findExecutable(cmd, p.env.PATH ?? DEFAULT_PATH, p.cwd))) {
      this.exited(p, NOT_STARTED_EXIT_CODE);
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
        const [shell, ...args] = wrapArgv(p.argv);
        const env: Record<string, string> = { ...p.env, SWARMDECK_EXIT_FILE: files.exit };
        child = spawn(shell!, args, {
          cwd: p.cwd,
          env: env as NodeJS.ProcessEnv,
          detached: true,
          stdio: ['ignore', out.fd, err.fd],
        });
        child.once('exit', (code, signal) =>
          exitTo.handle ? exitTo.handle(code, signal) : (early = { code, signal }),
        );
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
      } finally {
        await out.close();
        await err.close();
      }
    } catch (err) {
      this.exited(p, NOT_STARTED_EXIT_CODE);
      throw new Error(`starting container failed: ${errText(err)}`, { cause: err });
    }
    const pid = child.pid!;
    p.child = child;
    p.pid = pid;
    p.spawned = true;
    p.state = 'running';
    exitTo.handle = (code, signal) => {
      if (this.detached) return;
      // The task ends with its leader, as a container ends with its PID 1: nothing in the group outlives it.
      killGroup(pid, 'SIGKILL');
      void this.finishDurable(p, code ?? signalExitCode(signal));
    };
    this.follow(p);
    if (early) exitTo.handle(early.code, early.signal);
    p.startTime = await processStartTime(pid);
    await this.persist(p).catch((err: unknown) => console.error(`executor: saving task ${p.taskID}`, err));
    return { ContainerID: p.containerID, PID: pid, ExitCode: 0 };
  }

  /** Reads the last output, then reports the exit (so the logs are complete when wait() resolves). */
  private async finishDurable(p: TaskProcess, code: number, note?: string): Promise<void> {
    if (p.state === 'exited') return;
    p.cancelPoll?.();
    const tails = p.tails ?? [];
    await Promise.all(tails.map((t) => t.drain()));
    await Promise.all(tails.map((t) => t.close({ flush: true })));
    if (note) p.exitNote = note;
    this.exited(p, code);
  }

  /** Follows the task's log files into its ring; lines are stamped when read. */
  private follow(p: TaskProcess): void {
    const files = taskFiles(p.dir!);
    const opts = { capBytes: this.opts.logFileCapBytes ?? DEFAULT_LOG_FILE_CAP, pollMs: DEFAULT_LOG_POLL_MS };
    const emit = (stream: LogStream, line: string) => p.logs.push({ stream, time: iso(this.clock.now()), line });
    p.tails = [new LogTail(files.stdout, 'stdout', emit, opts), new LogTail(files.stderr, 'stderr', emit, opts)];
    for (const t of p.tails) t.start();
  }

  /** Writes the task's state file; writes are serialised and each one records the latest state. */
  private persist(p: TaskProcess): Promise<void> {
    const dir = p.dir;
    if (!dir) return Promise.resolve();
    const write = (p.saving ?? Promise.resolve()).then(() =>
      p.removed ? undefined : writeTaskState(dir, this.record(p)),
    );
    p.saving = write.catch(() => {});
    return write;
  }

  private record(p: TaskProcess): TaskStateRecord {
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
    };
  }

  private async loadStateDir(stateDir: string): Promise<void> {
    for (const dir of await listTaskDirs(stateDir)) {
      try {
        await this.recoverTask(dir);
      } catch (err) {
        console.error(`executor: recovering ${dir} failed`, err);
      }
    }
  }

  private async recoverTask(dir: string): Promise<void> {
    const r = await readTaskState(dir);
    // No state file: a prepare that never finished, and nothing was spawned for it.
    if (!r) return removeTaskDir(dir);
    if (this.tasks.has(r.taskID)) return;
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((res) => (resolveExit = res));
    const p: TaskProcess = {
      taskID: r.taskID,
      containerID: r.containerID,
      run: r.run,
      argv: r.argv,
      env: r.env,
      cwd: r.cwd,
      scratch: r.scratch,
      ports: r.ports,
      logs: new LogRing(this.logLimits),
      state: 'prepared',
      graceMs: r.stopGraceMs ?? this.defaultStopGraceMs,
      exit,
      resolveExit,
      dir,
      pid: r.pid,
      startTime: r.startTime,
    };
    this.tasks.set(p.taskID, p);
    this.recoveredIDs.add(p.taskID);
    this.portAllocator.hold(p.ports);
    switch (r.state) {
      case 'prepared':
        return;
      case 'exited':
        p.spawned = r.spawned ?? r.pid !== undefined;
        this.follow(p);
        return this.finishDurable(p, r.exitCode ?? LOST_EXIT_CODE, r.exitNote);
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
        return this.finishDurable(p, recorded ?? LOST_EXIT_CODE, recorded === undefined ? UNSTARTED_REASON : undefined);
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

  /** Polls an adopted task's leader (real time: this asks the OS) until it is gone. */
  private watchAdopted(p: TaskProcess, periodMs: number): void {
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
      if (cancelled || this.detached) return;
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

  /** The leader of a task this executor is not the parent of has gone: its status comes from the exit file. */
  private async adoptedGone(p: TaskProcess): Promise<void> {
    const pid = p.pid!;
    // Whatever is left of its group was started by the task (members carry its ID): it ends with the leader.
    if ((await findGroupMembersWithEnv(pid, 'SWARMDECK_TASK_ID', p.taskID)).length > 0) killGroup(pid, 'SIGKILL');
    const recorded = await readExitFile(p.dir!);
    const lost = recorded === undefined && !p.killed;
    await this.finishDurable(p, recorded ?? LOST_EXIT_CODE, lost ? LOST_EXIT_REASON : undefined);
  }

  private capture(p: TaskProcess, child: ChildProcess): void {
    const attach = (stream: LogStream, src: NodeJS.ReadableStream | null) => {
      if (!src) return;
      src.setEncoding('utf8');
      const splitter = new LineSplitter((line) => p.logs.push({ stream, time: iso(this.clock.now()), line }));
      src.on('data', (chunk: string) => splitter.write(chunk));
      src.on('end', () => splitter.end());
      src.on('error', () => splitter.end());
    };
    attach('stdout', child.stdout);
    attach('stderr', child.stderr);
  }
}
