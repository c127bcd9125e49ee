import { DRAINING_MESSAGE } from '../api/network-view';
import type { ContainerStatus, PortConfig, Task, TaskState, TaskStatus } from '../api/types';
import { TASK_STATE_VALUE, stateAfter } from '../api/types';
import { iso, type Clock } from '../util/clock';
import { ExitError, UNHEALTHY_CAUSE, type Executor } from './executor/executor';
import { HealthMonitor } from './health/health-monitor';
import { healthSettings, type HealthStatus } from './health/health-state';
import type { TaskDrain } from './mesh/drain';

/**
 * What the agent does next for a task (swarmkit agent/exec controller rule):
 * - desired ≥ SHUTDOWN: shut down unless already ≥ COMPLETE;
 * - observed > desired: nothing;
 * - the work states (PREPARING, STARTING, RUNNING) are performed as soon as
 *   the task is in them; the bookkeeping steps before them only while
 *   observed < desired, so desired READY parks a task at READY.
 */
export type Step = 'none' | 'shutdown' | 'accept' | 'begin-prepare' | 'prepare' | 'begin-start' | 'start' | 'wait';

export function nextStep(observed: TaskState, desired: TaskState): Step {
  const obs = TASK_STATE_VALUE[observed];
  const want = TASK_STATE_VALUE[desired];
  if (want >= TASK_STATE_VALUE.shutdown) return obs < TASK_STATE_VALUE.complete ? 'shutdown' : 'none';
  if (obs > want) return 'none';
  const below = obs < want;
  switch (observed) {
    case 'assigned':
      return below ? 'accept' : 'none';
    case 'accepted':
      return below ? 'begin-prepare' : 'none';
    case 'preparing':
      return 'prepare';
    case 'ready':
      return below ? 'begin-start' : 'none';
    case 'starting':
      return 'start';
    case 'running':
      return 'wait';
    default:
      return 'none';
  }
}

/** A fatal error before STARTING rejects the task; at or after it, the task failed. */
export function fatalState(observed: TaskState): TaskState {
  return TASK_STATE_VALUE[observed] < TASK_STATE_VALUE.starting ? 'rejected' : 'failed';
}

export type StatusReporter = (taskID: string, status: TaskStatus) => void;

/** Whether the routing mesh may send the task connections: it has ports or is on networks. */
export function isRoutable(task: Task): boolean {
  const e = task.Endpoint;
  return !!(e?.Ports?.length || e?.Spec?.Ports?.length || task.Spec.Networks?.length);
}

/**
 * Drives one task through the executor and reports each observed state once,
 * in order. Steps run one at a time; a new assignment (desired state change)
 * or the task's exit re-evaluates the next step.
 */
export class TaskController {
  private task: Task;
  private observed: TaskState;
  private message: string;
  private container: ContainerStatus = {};
  private startIssued = false;
  private waiting = false;
  private exit?: { code: number } | { err: Error };
  /** The task's health check is being probed (from start, or from wait for an adopted task). */
  private healthStarted = false;
  private health?: HealthMonitor;
  /** The task is being stopped for failing its health check: its exit fails it with that cause. */
  private unhealthy = false;
  /** Set by fail(): the next step stops the task and fails it with this Err. */
  private failCause?: string;
  private pass?: Promise<void>;
  private again = false;
  private closed = false;
  private lastReport?: TaskStatus;
  /** The mesh was told to refuse new connections to the task. */
  private drained = false;

  constructor(
    task: Task,
    private readonly executor: Executor,
    private readonly report: StatusReporter,
    private readonly clock: Clock,
    /** The node's routing mesh drain marks; without one, tasks stop at once. */
    private readonly drain?: TaskDrain,
    /** The task's host-mode published ports, reported with RUNNING as Status.PortStatus. */
    private readonly hostPorts?: (task: Task) => PortConfig[],
  ) {
    this.task = task;
    this.observed = task.Status.State;
    this.message = task.Status.Message;
    if (task.Status.ContainerStatus) this.container = { ...task.Status.ContainerStatus };
  }

  get id(): string {
    return this.task.ID;
  }
  get serviceID(): string {
    return this.task.ServiceID;
  }

  /**
   * Fails the task from outside with `cause` as its Status.Err (a host-mode published port this node
   * cannot bind: Docker's container would not start either). Its process, if any, is stopped first.
   */
  fail(cause: string): void {
    if (this.closed || this.failCause !== undefined || TASK_STATE_VALUE[this.observed] > TASK_STATE_VALUE.running)
      return;
    this.failCause = cause;
    this.kick();
  }
  get state(): TaskState {
    return this.observed;
  }

  /** A newer copy of the task from the dispatcher. */
  update(task: Task): void {
    this.task = task;
    // The manager may have moved the task on itself (ORPHANED, REJECTED by the constraint enforcer).
    if (stateAfter(task.Status.State, this.observed)) {
      this.observed = task.Status.State;
      this.message = task.Status.Message;
    }
    this.kick();
  }

  kick(): void {
    if (this.closed) return;
    this.again = true;
    if (!this.pass) this.pass = this.loop();
  }

  /** Stop working on the task: nothing more is reported; its container is stopped (and removed). */
  /**
   * Stops driving the task. `keep` leaves its process running (an agent process
   * exiting: the next one adopts it); otherwise it is shut down, and removed too if asked.
   */
  async close(opts: { remove: boolean; keep?: boolean }): Promise<void> {
    this.closed = true;
    await this.pass;
    this.stopHealth();
    if (opts.keep) return;
    // withdrawn: no peer routes to it any more, so no delay, only no new connections
    this.drain?.drain(this.task.ID);
    try {
      await this.executor.shutdown(this.task);
      if (opts.remove) await this.executor.remove(this.task);
    } catch (err) {
      console.error(`agent: cleaning up task ${this.task.ID} failed`, err);
    }
    this.drain?.forget(this.task.ID);
  }

  private async loop(): Promise<void> {
    try {
      while (this.again && !this.closed) {
        this.again = false;
        while (!this.closed && (await this.step())) {
          /* keep stepping while progress is made */
        }
      }
    } catch (err) {
      console.error(`agent: task ${this.task.ID} controller failed`, err);
    } finally {
      this.pass = undefined;
    }
  }

  /** One step; true when the observed state moved and the next step should be evaluated. */
  private async step(): Promise<boolean> {
    const task = this.task;
    if (this.failCause !== undefined && TASK_STATE_VALUE[this.observed] <= TASK_STATE_VALUE.running) {
      this.stopHealth();
      this.drain?.drain(task.ID);
      await this.executor.shutdown(task).catch(() => {});
      return this.fatal(new Error(this.failCause));
    }
    switch (nextStep(this.observed, task.DesiredState)) {
      case 'none':
        return false;
      case 'shutdown':
        this.stopHealth();
        await this.drainFirst(task);
        try {
          await this.executor.shutdown(task);
        } catch (err) {
          return this.fatal(err);
        }
        return this.transition('shutdown', 'shutdown');
      case 'accept':
        return this.transition('accepted', 'accepted');
      case 'begin-prepare':
        return this.transition('preparing', 'preparing');
      case 'prepare':
        try {
          this.merge(await this.executor.prepare(task));
        } catch (err) {
          return this.fatal(err);
        }
        return this.transition('ready', 'prepared');
      case 'begin-start':
        return this.transition('starting', 'starting');
      case 'start':
        // Never start a task twice, whatever the reports say.
        if (this.startIssued) return this.healthStarted && this.awaitHealthy(task);
        this.startIssued = true;
        try {
          this.merge(await this.executor.start(task));
        } catch (err) {
          return this.fatal(err);
        }
        // With a health check the task stays STARTING until its first healthy probe (§14).
        if (this.startHealth(task)) {
          this.reportHealth();
          return this.awaitHealthy(task);
        }
        return this.transition('running', 'started');
      case 'wait':
        return this.awaitExit(task);
    }
  }

  /**
   * Brief §3.6: a running task the mesh may route to stops taking new connections (its agent answers
   * `draining` at once), says so to the manager (pushed to every node's NetworkView), and gets the
   * drain delay for peers to see it before SIGTERM. Connections already open run on through the grace period.
   */
  private async drainFirst(task: Task): Promise<void> {
    const drain = this.drain;
    if (!drain || this.drained || this.observed !== 'running' || !isRoutable(task)) return;
    this.drained = true;
    drain.drain(task.ID);
    const status: TaskStatus = { Timestamp: iso(this.clock.now()), State: 'running', Message: DRAINING_MESSAGE };
    if (this.container.ContainerID) status.ContainerStatus = { ...this.container };
    this.report(task.ID, this.withPorts(status));
    if (drain.delayMs > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, drain.delayMs));
  }

  private awaitExit(task: Task): boolean {
    // A running task this controller did not start (adopted) is probed from here on.
    this.startHealth(task);
    this.watchExit(task);
    const exit = this.exit;
    if (!exit) return false;
    if ('err' in exit) return this.fatal(exit.err);
    if (exit.code === 0 && !this.unhealthy) {
      this.container = { ...this.container, ExitCode: 0 };
      return this.transition('complete', 'finished');
    }
    return this.fatal(new ExitError(exit.code, this.unhealthy ? UNHEALTHY_CAUSE : undefined));
  }

  /**
   * STARTING with a health check (swarmkit's Start waiting for a health
   * event): RUNNING at the first healthy probe. The process ending first
   * decides instead: exit 0 runs on to COMPLETE, anything else (or an exit
   * after being stopped as unhealthy) fails the task.
   */
  private awaitHealthy(task: Task): boolean {
    this.watchExit(task);
    const exit = this.exit;
    if (exit && ('err' in exit || exit.code !== 0 || this.unhealthy)) return this.awaitExit(task);
    if (exit || this.container.Health === 'healthy') return this.transition('running', 'started');
    return false;
  }

  private watchExit(task: Task): void {
    if (this.waiting) return;
    this.waiting = true;
    this.executor
      .wait(task)
      .then(
        (code) => (this.exit = { code }),
        (err: unknown) => (this.exit = { err: err instanceof Error ? err : new Error(String(err)) }),
      )
      .finally(() => {
        this.stopHealth();
        this.kick();
      });
  }

  /** Starts probing when the spec has a health check and the executor can exec; true if it did. */
  private startHealth(task: Task): boolean {
    if (this.healthStarted || this.closed || this.exit) return false;
    const settings = healthSettings(task.Spec.ContainerSpec.Healthcheck);
    const executor = this.executor;
    if (!settings || !executor.exec) return false;
    this.healthStarted = true;
    this.container = { ...this.container, Health: 'starting' };
    this.health = new HealthMonitor(
      settings,
      (argv, timeoutMs) => executor.exec!(task, argv, { timeoutMs }),
      this.clock,
      (status) => this.onHealth(status),
    );
    this.health.start();
    return true;
  }

  private onHealth(status: HealthStatus): void {
    if (this.closed || this.exit) return;
    this.container = { ...this.container, Health: status };
    if (status === 'unhealthy' && !this.unhealthy) {
      // As Docker's executor does: stop it, and its exit fails the task with the cause.
      // The mesh drops it at once (brief §3.6: unhealthy leaves the backend set).
      this.unhealthy = true;
      this.drain?.drain(this.task.ID);
      this.stopHealth();
      this.executor
        .shutdown(this.task)
        .catch((err: unknown) => console.error(`agent: stopping unhealthy task ${this.task.ID} failed`, err));
    }
    // STARTING → RUNNING carries `healthy` itself; any other change is reported as it happens.
    if (!(status === 'healthy' && this.observed === 'starting')) this.reportHealth();
    this.kick();
  }

  private stopHealth(): void {
    this.health?.stop();
    this.health = undefined;
  }

  /** The current state again with news about health (the dispatcher applies such same-state reports). */
  private reportHealth(): void {
    if (this.closed || !this.container.ContainerID || TASK_STATE_VALUE[this.observed] > TASK_STATE_VALUE.running)
      return;
    this.report(
      this.task.ID,
      this.withPorts({
        Timestamp: iso(this.clock.now()),
        State: this.observed,
        Message: this.message,
        ContainerStatus: { ...this.container },
      }),
    );
  }

  /** A RUNNING report carries the task's host-mode ports (each report replaces the last, so every one does). */
  private withPorts(status: TaskStatus): TaskStatus {
    if (status.State !== 'running' || !this.hostPorts) return status;
    const ports = this.hostPorts(this.task);
    return ports.length ? { ...status, PortStatus: { Ports: ports } } : status;
  }

  private merge(cs: ContainerStatus | void): void {
    if (cs) this.container = { ...this.container, ...cs };
  }

  /** Swarmkit keeps the last message and puts the error in Err. */
  private fatal(err: unknown): boolean {
    if (err instanceof ExitError) this.container = { ...this.container, ExitCode: err.exitCode };
    const text = err instanceof Error ? err.message : String(err);
    return this.transition(fatalState(this.observed), this.message, text);
  }

  private transition(state: TaskState, message: string, err?: string): boolean {
    if (this.closed || !stateAfter(state, this.observed)) return false;
    this.observed = state;
    this.message = message;
    const status: TaskStatus = { Timestamp: iso(this.clock.now()), State: state, Message: message };
    if (err !== undefined) status.Err = err;
    if (this.container.ContainerID) status.ContainerStatus = { ...this.container };
    this.lastReport = this.withPorts(status);
    this.report(this.task.ID, this.lastReport);
    return true;
  }

  /**
   * The last state this controller reported, for a new session to hear again
   * (swarmkit's worker re-reports every task to each session: a report the old
   * leader acknowledged but never committed would otherwise be lost).
   */
  get lastStatus(): TaskStatus | undefined {
    return this.lastReport;
  }
}
