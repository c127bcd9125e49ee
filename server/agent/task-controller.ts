import type { ContainerStatus, Task, TaskState, TaskStatus } from '../api/types';
import { TASK_STATE_VALUE, stateAfter } from '../api/types';
import { iso, type Clock } from '../util/clock';
import { ExitError, type Executor } from './executor/executor';

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
  private pass?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    task: Task,
    private readonly executor: Executor,
    private readonly report: StatusReporter,
    private readonly clock: Clock,
  ) {
    this.task = task;
    this.observed = task.Status.State;
    this.message = task.Status.Message;
    if (task.Status.ContainerStatus) this.container = { ...task.Status.ContainerStatus };
  }

  get id(): string {
    return this.task.ID;
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
  async close(opts: { remove: boolean }): Promise<void> {
    this.closed = true;
    await this.pass;
    try {
      await this.executor.shutdown(this.task);
      if (opts.remove) await this.executor.remove(this.task);
    } catch (err) {
      console.error(`agent: cleaning up task ${this.task.ID} failed`, err);
    }
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
    switch (nextStep(this.observed, task.DesiredState)) {
      case 'none':
        return false;
      case 'shutdown':
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
        if (this.startIssued) return false;
        this.startIssued = true;
        try {
          this.merge(await this.executor.start(task));
        } catch (err) {
          return this.fatal(err);
        }
        return this.transition('running', 'started');
      case 'wait':
        return this.awaitExit(task);
    }
  }

  private awaitExit(task: Task): boolean {
    const exit = this.exit;
    if (!exit) {
      if (!this.waiting) {
        this.waiting = true;
        this.executor
          .wait(task)
          .then(
            (code) => (this.exit = { code }),
            (err: unknown) => (this.exit = { err: err instanceof Error ? err : new Error(String(err)) }),
          )
          .finally(() => this.kick());
      }
      return false;
    }
    if ('err' in exit) return this.fatal(exit.err);
    if (exit.code === 0) {
      this.container = { ...this.container, ExitCode: 0 };
      return this.transition('complete', 'finished');
    }
    return this.fatal(new ExitError(exit.code));
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
    this.report(this.task.ID, status);
    return true;
  }
}
