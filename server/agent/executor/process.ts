import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerStatus, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import { nsToMs, systemClock, type Clock } from '../../util/clock';
import { PRIVATE_DIR_MODE } from '../../util/private-files';
import { expandContainerFields, taskTemplateContext, type TemplateNode } from '../../api/templates';
import { type DependencyGetter, type ExecResult, type Executor, ExitError } from './executor';
import { mergeDirs, planTaskFiles, readOnlyPaths, type TaskFile } from './task-files';
import {
  removeLeftoverTaskFiles,
  removeTaskFiles,
  taskFilesDir,
  taskFilesEnv,
  taskFilesRoot,
  taskFilesTree,
  writeTaskFiles,
} from './task-files-dir';
import { statSync } from 'node:fs';
import { parseCatalog, resolveImage, type CatalogEntry } from './image-catalog';
import { LogRing, type LogEntry, type LogLimits, type LogListener } from './log-ring';
import { ADOPTED_STOP_POLL_MS, DurableTasks } from './process-durable';
import { execInTask } from './process-exec';
import { closeLogFiles } from './process-logs';
import { spawnPiped } from './process-spawn';
import { removeTaskDir, taskDir } from './process-state';
import { killTask, stopTask } from './process-stop';
import { DEFAULT_INHERIT, taskEnvironment, taskWorkDir } from './task-env';
import {
  DEFAULT_STOP_GRACE_MS,
  NOT_STARTED_EXIT_CODE,
  errText,
  exitLatch,
  type SpawnHook,
  type TaskProcess,
} from './task-process';
import { PortClaims } from './port-claims';
import { PortAllocator, targetPorts, type AssignedPort, type PortPolicy } from './task-ports';
import type { TaskDialer } from './task-dial';
import type { NetnsRouter } from './netns/router-client';
import {
  inTaskArgv,
  netnsArgv,
  planTaskNet,
  setUpTaskNet,
  writeTaskNetFiles,
  type TaskFilesMount,
  type TaskNet,
} from './netns/task-net';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { udpDuplex } from './datagram-stream';
import { TASK_DNS_ENV, type TaskDnsListeners } from './task-dns';

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
  /**
   * Host-wide port claims (port-claims.ts), shared by every executor of this user on the host.
   * Default: a PortClaims in `<tmpdir>/swarmdeck-ports-<uid>`; `false` for none.
   */
  portClaims?: PortClaims | false;
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
  /**
   * Netns mode (PROCESS.md, "Netns mode"): tasks with network attachments run
   * in their own net+mount namespaces behind this router. Without it (host
   * mode) every task shares the host's network.
   */
  netns?: NetnsRouter;
  /**
   * Host mode's DNS: a task on a network (and not in its own namespace) gets a
   * listener of its own, exported as SWARMDECK_DNS=127.0.0.1:<port>.
   */
  taskDns?: TaskDnsListeners;
  /**
   * Where tasks' secret and config files are staged (task-files-dir.ts). Default: a private
   * directory in /dev/shm named for the user and the state directory.
   */
  filesRoot?: string;
}

const HTTP_SERVER_SCRIPT = fileURLToPath(new URL('./builtin/http-server.mjs', import.meta.url));

/**
 * Runs each task as a real OS process leading its own process group
 * (PROCESS.md): the image picks the command (image-catalog.ts), the spec's
 * Env (templated), Dir and ports shape its environment (task-env.ts), its
 * output is kept in a bounded per-task log ring (process-logs.ts), and
 * stopping it signals the whole group (process-stop.ts). With a state
 * directory its record, output and exit status are on disk and outlive this
 * process (process-durable.ts).
 */
export class ProcessExecutor implements Executor, TaskDialer {
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
  private readonly durable?: DurableTasks;
  private recovering?: Promise<void>;
  private detached = false;
  /** The node's secrets and configs (the agent's store). */
  private deps?: DependencyGetter;
  private readonly filesRoot: string;
  /** Each task's planned files, in memory only (never in its durable record). */
  private readonly files = new Map<string, TaskFile[]>();

  constructor(private readonly opts: ProcessExecutorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.node = opts.node;
    this.portAllocator = new PortAllocator(
      opts.ports ?? 'prefer-target',
      opts.portClaims === false ? undefined : (opts.portClaims ?? new PortClaims()),
    );
    this.defaultStopGraceMs = opts.defaultStopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    this.workRoot = opts.workRoot ?? join(tmpdir(), 'swarmdeck-tasks');
    this.logLimits = opts.logLimits ?? {};
    this.httpServerScript = opts.httpServerScript ?? HTTP_SERVER_SCRIPT;
    this.inheritEnv = opts.inheritEnv ?? DEFAULT_INHERIT;
    this.extraCatalog = opts.catalog ?? [];
    this.stateDir = opts.stateDir;
    this.filesRoot = opts.filesRoot ?? taskFilesRoot(opts.stateDir);
    if (opts.stateDir)
      this.durable = new DurableTasks(
        {
          clock: this.clock,
          tasks: this.tasks,
          logLimits: this.logLimits,
          defaultStopGraceMs: this.defaultStopGraceMs,
          logFileCapBytes: opts.logFileCapBytes,
          isDetached: () => this.detached,
          exited: (p, code) => this.exited(p, code),
          holdPorts: (ports) => this.portAllocator.hold(ports),
        },
        opts.stateDir,
      );
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
    // a secret or config the node does not hold, or a target that cannot be made, rejects the task
    const files = planTaskFiles(task, this.deps, ctx);
    const containerID = createHash('sha256').update(`process:${task.ID}`).digest('hex');

    const netns = this.opts.netns;
    const net = netns ? planTaskNet(task, this.netFilesDir(netns, task.ID)) : undefined;
    if (net && files.length) filesMerges(files);
    const { cwd, scratch } = await taskWorkDir({
      dir: spec.Dir,
      taskID: task.ID,
      containerID,
      stateDir: this.stateDir,
      workRoot: this.workRoot,
    });

    let ports: AssignedPort[];
    try {
      // in its own namespace a task has every port to itself
      ports = net ? targetPorts(task) : await this.portAllocator.assign(task);
    } catch (err) {
      if (this.stateDir) await removeTaskDir(taskDir(this.stateDir, task.ID));
      else if (scratch) await rm(scratch, { recursive: true, force: true });
      throw err;
    }

    const hostname = fields.Hostname || containerID.slice(0, 12);
    const env = taskEnvironment({ task, ctx, specEnv: fields.Env, hostname, inherit: this.inheritEnv, ports });
    // host mode: the task finds its files through these (netns mode: at their targets)
    if (!net && files.length) Object.assign(env, taskFilesEnv(taskFilesDir(this.filesRoot, task.ID), files));
    if (!net && this.opts.taskDns && onOverlay(task)) env[TASK_DNS_ENV] = await this.opts.taskDns.open(task.ID);
    if (net) await writeTaskNetFiles(net, hostname);
    const argv = run.kind === 'builtin' ? [process.execPath, this.httpServerScript] : run.argv;
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
      ...exitLatch(),
      net,
    };
    this.tasks.set(task.ID, p);
    if (files.length) this.files.set(task.ID, files);
    if (this.durable) {
      p.dir = taskDir(this.durable.stateDir, task.ID);
      // Its record holds the task's environment: readable by the agent's user only.
      await mkdir(p.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await this.durable.persist(p);
    }
    return { ContainerID: containerID };
  }

  async start(task: Task): Promise<ContainerStatus> {
    if (!this.tasks.has(task.ID)) await this.prepare(task);
    const p = this.tasks.get(task.ID)!;
    // its first lookup must find the DNS knowing it (the view may trail the assignment)
    if (p.state === 'prepared' && this.opts.taskDns && (p.net || p.env[TASK_DNS_ENV]))
      await this.opts.taskDns.known(task.ID);
    if (p.state !== 'prepared') {
      if (p.state === 'running') return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
      // Durable mode: it did run (perhaps while no agent was watching); wait() tells how it ended.
      if (p.dir && p.spawned) return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
      throw new Error(p.exitNote ?? `task ${task.ID} has already exited`);
    }
    if (p.starting) return p.starting;
    // Never two spawns for one task, even for overlapping calls.
    p.starting = this.startPrepared(task, p);
    return p.starting;
  }

  /** Makes the task's files, then spawns it; netns mode drops the staged files once they are in its namespace. */
  private async startPrepared(task: Task, p: TaskProcess): Promise<ContainerStatus> {
    let mount: TaskFilesMount | undefined;
    const dir = taskFilesDir(this.filesRoot, task.ID);
    try {
      // a prepared task recovered from an earlier agent run has its plan made again
      const files = this.files.get(task.ID) ?? planTaskFiles(task, this.deps, taskTemplateContext(task, this.node));
      this.files.delete(task.ID);
      if (files.length) {
        await writeTaskFiles(this.filesRoot, dir, files);
        if (p.net) {
          await mkdir(join(dir, 'mnt'), { mode: PRIVATE_DIR_MODE });
          mount = {
            tree: taskFilesTree(dir),
            mnt: join(dir, 'mnt'),
            merges: filesMerges(files),
            readOnly: readOnlyPaths(files),
          };
        }
      }
    } catch (err) {
      await removeTaskFiles(dir);
      this.exited(p, NOT_STARTED_EXIT_CODE);
      throw new Error(`starting container failed: secrets and configs: ${errText(err)}`, { cause: err });
    }
    const hook = this.spawnHook(p, mount);
    try {
      if (this.durable) return await this.durable.start(p, hook);
      await spawnPiped(p, this.clock, (q, code) => this.exited(q, code), hook);
      return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
    } finally {
      // in its own namespace the task holds its copy; a failed start leaves nothing behind either
      if (mount || p.state !== 'running') await removeTaskFiles(dir);
    }
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
    if (p.state === 'running') await killTask(p);
    else if (p.state === 'prepared') this.exited(p, 0);
    this.tasks.delete(task.ID);
    this.files.delete(task.ID);
    await removeTaskFiles(taskFilesDir(this.filesRoot, task.ID));
    this.durable?.recoveredIDs.delete(task.ID);
    await this.opts.taskDns?.close(task.ID);
    p.logs.clearListeners();
    if (p.dir) {
      // The state directory holds the logs, the exit status and the scratch directory.
      p.removed = true;
      p.cancelPoll?.();
      await closeLogFiles(p);
      await p.saving;
      await removeTaskDir(p.dir);
    } else if (p.scratch) await rm(p.scratch, { recursive: true, force: true });
    if (p.net && this.opts.netns && !p.dir)
      await rm(this.netFilesDir(this.opts.netns, p.taskID), { recursive: true, force: true });
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
    if (!this.durable) return Promise.resolve();
    this.recovering ??= this.durable
      .recover()
      // files a task left that no longer runs (it ended while no agent watched) are removed
      .then(() => removeLeftoverTaskFiles(this.filesRoot, (id) => this.tasks.get(id)?.state === 'running'))
      .then(() => this.reopenTaskDns());
    return this.recovering;
  }

  /**
   * With the first complete set of assignments after recover(): a recovered
   * task that is no longer assigned is stopped (its grace period) and removed;
   * one the manager already considers finished is stopped. Runs once.
   */
  async reconcile(assigned: readonly Task[]): Promise<void> {
    await this.recover();
    if (!this.durable) return;
    const byID = new Map(assigned.map((t) => [t.ID, t]));
    const ids = [...this.durable.recoveredIDs];
    this.durable.recoveredIDs.clear();
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
    await Promise.all(all.map((p) => closeLogFiles(p)));
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
    // netns mode: the probe runs in the task's namespaces (its localhost, its resolv.conf)
    const tools = this.opts.netns?.tools;
    const full = p.net && tools && p.pid !== undefined ? inTaskArgv(tools, p.pid, argv, p.cwd) : argv;
    return execInTask({ argv: full, env: p.env, cwd: p.cwd, timeoutMs: opts.timeoutMs, clock: this.clock });
  }

  /** The task's network identity in netns mode; undefined in host mode or for an unknown task. */
  network(taskID: string): TaskNet | undefined {
    return this.tasks.get(taskID)?.net;
  }

  /**
   * The mesh's last hop (task-dial.ts): host mode connects to 127.0.0.1 on the
   * host port the task got; netns mode goes through the router to the task's
   * primary address and the target port itself.
   */
  async dialTcp(taskID: string, targetPort: number): Promise<Socket> {
    const p = this.tasks.get(taskID);
    const refused = (why: string) => Object.assign(new Error(`task ${taskID}: ${why}`), { code: 'ECONNREFUSED' });
    if (!p || p.state !== 'running') throw refused('not running on this node');
    if (p.net) {
      if (!this.opts.netns) throw refused('no netns router');
      return this.opts.netns.dial(p.net.addresses[0]!, targetPort);
    }
    const port = p.ports.find((q) => q.Protocol === 'tcp' && q.TargetPort === targetPort);
    if (!port) throw refused(`no tcp port ${targetPort}`);
    return new Promise((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port: port.HostPort, allowHalfOpen: true });
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        resolve(sock);
      });
      sock.once('error', reject);
    });
  }

  /**
   * A UDP flow to the task's target port as a Duplex of datagrams (datagram-stream.ts):
   * host mode sends to 127.0.0.1 on the host port the task got; netns mode has the
   * router hold a socket toward the task's primary address and the target port.
   */
  async dialUdp(taskID: string, targetPort: number): Promise<Duplex> {
    const p = this.tasks.get(taskID);
    const refused = (why: string) => Object.assign(new Error(`task ${taskID}: ${why}`), { code: 'ECONNREFUSED' });
    if (!p || p.state !== 'running') throw refused('not running on this node');
    if (p.net) {
      if (!this.opts.netns) throw refused('no netns router');
      return this.opts.netns.dialUdp(p.net.addresses[0]!, targetPort);
    }
    const port = p.ports.find((q) => q.Protocol === 'udp' && q.TargetPort === targetPort);
    if (!port) throw refused(`no udp port ${targetPort}`);
    return udpDuplex({ host: '127.0.0.1', port: port.HostPort });
  }

  useDependencies(deps: DependencyGetter): void {
    this.deps = deps;
  }

  /** Adopted host-mode tasks keep the DNS address they were started with: the same port again. */
  private async reopenTaskDns(): Promise<void> {
    const dns = this.opts.taskDns;
    if (!dns) return;
    for (const p of this.tasks.values()) {
      const addr = p.env[TASK_DNS_ENV];
      if (!addr || p.state === 'exited') continue;
      const port = Number(addr.split(':')[1]);
      await dns.open(p.taskID, port).catch((err: unknown) => {
        console.error(`executor: task ${p.taskID} keeps no DNS at ${addr}: ${errText(err)}`);
      });
    }
  }

  /** Netns mode: the task's resolv.conf and hosts (durable mode: in its state directory, so remove() takes them). */
  private netFilesDir(netns: NetnsRouter, taskID: string): string {
    return this.stateDir ? taskDir(this.stateDir, taskID) : join(netns.runDir, 'tasks', taskID);
  }

  private spawnHook(p: TaskProcess, files?: TaskFilesMount): SpawnHook | undefined {
    const router = this.opts.netns;
    const net = p.net;
    if (!net || !router) return undefined;
    return {
      wrap: (argv) => netnsArgv(router, net, argv, p.cwd, files),
      ready: (child) => setUpTaskNet(child, router, net),
    };
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

  private stop(p: TaskProcess, graceMs: number): Promise<void> {
    // An adopted task is polled, not awaited as a child: look more often until it is gone.
    return stopTask(p, graceMs, this.clock, (q) => this.durable?.watchAdopted(q, ADOPTED_STOP_POLL_MS));
  }

  private exited(p: TaskProcess, code: number): void {
    if (p.state === 'exited') return;
    p.state = 'exited';
    p.exitCode = code;
    this.portAllocator.release(p.ports);
    p.cancelPoll?.();
    this.files.delete(p.taskID);
    // its secrets and configs go with it (host mode; netns mode's went with its namespace)
    void removeTaskFiles(taskFilesDir(this.filesRoot, p.taskID)).catch((err: unknown) =>
      console.error(`executor: removing the files of task ${p.taskID}: ${errText(err)}`),
    );
    p.resolveExit(code);
    if (p.dir && this.durable)
      void this.durable.persist(p).catch((err: unknown) => console.error(`executor: saving task ${p.taskID}`, err));
  }
}

/** A task attached to a network other than ingress: it has names to look up. */
function onOverlay(task: Task): boolean {
  return (task.NetworksAttachments ?? []).some((a) => !a.Network.Spec.Ingress);
}

/** Netns mode: the directories the task's files are laid over, as they are on this host now. */
function filesMerges(files: readonly TaskFile[]): string[] {
  return mergeDirs(
    files.map((f) => f.path),
    (d) => {
      try {
        return statSync(d).isDirectory();
      } catch {
        return false;
      }
    },
  );
}
