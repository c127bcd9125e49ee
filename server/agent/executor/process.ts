import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerStatus, PortConfig, Task } from '../../api/types';
import { iso, nsToMs, systemClock, type Clock } from '../../util/clock';
import type { Executor } from './executor';
import { parseCatalog, resolveImage, type CatalogEntry, type ImageRun } from './image-catalog';
import { LineSplitter, LogRing, type LogEntry, type LogLimits, type LogListener, type LogStream } from './log-ring';
import { expandContainerFields, taskName, taskTemplateContext, type TemplateNode } from './templates';

export type PortPolicy = 'prefer-target' | 'ephemeral';

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
}

/** A port a task listens on: the target it was asked for and the host port it really got. */
export interface AssignedPort {
  Protocol: 'tcp' | 'udp' | 'sctp';
  TargetPort: number;
  /** The port the process listens on (= SWARMDECK_PORT_<target>_<PROTO>). */
  HostPort: number;
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
}

const DEFAULT_STOP_GRACE_MS = 10_000;
const DEFAULT_INHERIT = ['PATH', 'HOME', 'LANG', 'TZ'];
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const HTTP_SERVER_SCRIPT = fileURLToPath(new URL('./builtin/http-server.mjs', import.meta.url));
/** What a start that never ran a process reports, like a shell's "command not found". */
const NOT_STARTED_EXIT_CODE = 127;
/** How long an exit waits for the output pipes to close. */
const PIPE_DRAIN_MS = 1_000;

/** 128 + signal number, as a shell and Docker report a signalled process. */
function signalExitCode(signal: NodeJS.Signals | null): number {
  const n = signal ? osConstants.signals[signal] : undefined;
  return n === undefined ? 255 : 128 + n;
}

/** Signals the whole process group; false when it is already gone. */
function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Live (non-zombie) members of a process group. Linux reads /proc, because
 * orphans reparented to an init that does not reap stay as zombies that
 * `kill(-pgid, 0)` still finds; elsewhere that probe is the best there is.
 */
async function groupAlive(pgid: number): Promise<boolean> {
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
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/**
 * After SIGKILL the kernel still has to tear the members down; waits (in real
 * time: this polls the OS, not the task's clock) until they are gone, bounded.
 */
async function awaitGroupGone(pgid: number, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await groupAlive(pgid)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
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
  private readonly portPolicy: PortPolicy;
  private readonly defaultStopGraceMs: number;
  private readonly workRoot: string;
  private readonly logLimits: LogLimits;
  private readonly httpServerScript: string;
  private readonly inheritEnv: string[];
  private readonly extraCatalog: CatalogEntry[];
  private fileCatalog?: Promise<CatalogEntry[]>;
  private tasks = new Map<string, TaskProcess>();
  /** Host ports handed out to this executor's tasks, `proto/port`. */
  private usedPorts = new Set<string>();

  constructor(private readonly opts: ProcessExecutorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.node = opts.node;
    this.portPolicy = opts.ports ?? 'prefer-target';
    this.defaultStopGraceMs = opts.defaultStopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    this.workRoot = opts.workRoot ?? join(tmpdir(), 'swarmdeck-tasks');
    this.logLimits = opts.logLimits ?? {};
    this.httpServerScript = opts.httpServerScript ?? HTTP_SERVER_SCRIPT;
    this.inheritEnv = opts.inheritEnv ?? DEFAULT_INHERIT;
    this.extraCatalog = opts.catalog ?? [];
  }

  async prepare(task: Task): Promise<ContainerStatus> {
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
    } else {
      await mkdir(this.workRoot, { recursive: true });
      scratch = await mkdtemp(join(this.workRoot, `${containerID.slice(0, 12)}-`));
      cwd = scratch;
    }

    let ports: AssignedPort[];
    try {
      ports = await this.assignPorts(task);
    } catch (err) {
      if (scratch) await rm(scratch, { recursive: true, force: true });
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
    this.tasks.set(task.ID, {
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
      exit,
      resolveExit,
    });
    return { ContainerID: containerID };
  }

  async start(task: Task): Promise<ContainerStatus> {
    if (!this.tasks.has(task.ID)) await this.prepare(task);
    const p = this.tasks.get(task.ID)!;
    if (p.state !== 'prepared') {
      if (p.state === 'running') return { ContainerID: p.containerID, PID: p.pid, ExitCode: 0 };
      throw new Error(`task ${task.ID} has already exited`);
    }
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

  wait(task: Task): Promise<number> {
    const p = this.tasks.get(task.ID);
    // Processes do not survive in our bookkeeping across an agent restart: such a task cannot be waited on.
    if (!p) return Promise.reject(new Error(`process executor: no process for task ${task.ID}`));
    return p.exit;
  }

  async shutdown(task: Task): Promise<void> {
    const p = this.tasks.get(task.ID);
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
    if (!p) return;
    // Like `docker rm -f`: no grace period left to give.
    if (p.state === 'running') {
      if (p.pid !== undefined) killGroup(p.pid, 'SIGKILL');
      await p.exit;
      if (p.pid !== undefined) await awaitGroupGone(p.pid);
    } else if (p.state === 'prepared') this.exited(p, 0);
    this.tasks.delete(task.ID);
    p.logs.clearListeners();
    if (p.scratch) await rm(p.scratch, { recursive: true, force: true });
  }

  /** Stops every running task (agent shutdown); processes otherwise outlive the agent. */
  async shutdownAll(graceMs = this.defaultStopGraceMs): Promise<void> {
    await Promise.all(
      [...this.tasks.values()].map((p) => {
        if (p.state !== 'running') return undefined;
        p.stopping ??= this.stop(p, graceMs);
        return p.stopping;
      }),
    );
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
    const cancel = this.clock.setTimeout(() => {
      if (p.state === 'running') killGroup(pid, 'SIGKILL');
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
    for (const port of p.ports) this.usedPorts.delete(`${port.Protocol}/${port.HostPort}`);
    p.resolveExit(code);
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

  private async assignPorts(task: Task): Promise<AssignedPort[]> {
    const configs: PortConfig[] = task.Endpoint?.Spec?.Ports ?? task.Endpoint?.Ports ?? [];
    const out: AssignedPort[] = [];
    const seen = new Set<string>();
    try {
      for (const c of configs) {
        if (!c.TargetPort) continue;
        const proto = c.Protocol ?? 'tcp';
        const key = `${proto}/${c.TargetPort}`;
        if (seen.has(key)) continue; // two published ports on one target share the listener
        seen.add(key);
        const hostPort = await this.pickPort(proto, c.TargetPort);
        this.usedPorts.add(`${proto}/${hostPort}`);
        out.push({ Protocol: proto, TargetPort: c.TargetPort, HostPort: hostPort });
      }
    } catch (err) {
      for (const p of out) this.usedPorts.delete(`${p.Protocol}/${p.HostPort}`);
      throw err;
    }
    return out;
  }

  private async pickPort(proto: AssignedPort['Protocol'], target: number): Promise<number> {
    // SCTP cannot be probed from Node; the target is used as is.
    if (proto === 'sctp') return target;
    if (this.portPolicy === 'prefer-target' && !this.usedPorts.has(`${proto}/${target}`)) {
      const got = await probePort(proto, target).catch(() => undefined);
      if (got === target) return target;
    }
    for (let i = 0; i < 20; i++) {
      const port = await probePort(proto, 0);
      if (!this.usedPorts.has(`${proto}/${port}`)) return port;
    }
    throw new Error(`no free ${proto} port for target port ${target}`);
  }
}

/**
 * Binds the port (0 = any free one) and releases it, returning the port.
 * Another program may take it before the task binds; the task then fails to
 * listen and is restarted by its policy.
 */
function probePort(proto: 'tcp' | 'udp', port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const sock = createSocket('udp4');
      sock.once('error', (err) => {
        sock.close();
        reject(err);
      });
      sock.bind(port, () => {
        const got = sock.address().port;
        sock.close(() => resolve(got));
      });
      return;
    }
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : port;
      srv.close(() => resolve(got));
    });
  });
}
