import type { Config, ContainerStatus, Secret, Task } from '../../api/types';

/** The secrets and configs the node holds for its tasks (swarmkit exec.DependencyGetter). */
export interface DependencyGetter {
  secret(id: string): Secret | undefined;
  config(id: string): Config | undefined;
}

/**
 * What a node does with one task: the agent's task controller drives these
 * steps in order and turns their outcomes into observed states. A simulated,
 * a process and a Docker executor all sit behind this interface.
 *
 * Every method is keyed by the task; an executor keeps its own per-task state.
 */
export interface Executor {
  /** Pull/create (PREPARING → READY). Throwing makes the task REJECTED. */
  prepare(task: Task): Promise<ContainerStatus | void>;
  /** Start (STARTING → RUNNING). Throwing makes the task FAILED. */
  start(task: Task): Promise<ContainerStatus | void>;
  /**
   * Resolves with the exit code once the task's process ends (RUNNING →
   * COMPLETE on 0, FAILED otherwise); rejects if it cannot be waited on.
   */
  wait(task: Task): Promise<number>;
  /** Stop it (desired ≥ SHUTDOWN); a pending wait() then resolves. Idempotent. */
  shutdown(task: Task): Promise<void>;
  /** Forget it and free its resources (the assignment was removed). Idempotent. */
  remove(task: Task): Promise<void>;
  /**
   * Runs a command inside the running task, in its environment and directory
   * (health probes). A command still running after timeoutMs is killed and
   * resolves with exit code -1. Rejects when the task is not running.
   * Optional: without it health checks are not run.
   */
  exec?(task: Task, argv: string[], opts: { timeoutMs: number }): Promise<ExecResult>;
  /**
   * Executors that keep tasks across agent restarts (process executor with a
   * state directory): called once, with the tasks of the first complete
   * assignment set the agent receives. A task found from an earlier run that
   * is not assigned any more is stopped and removed; one the manager already
   * considers finished is stopped. Assigned tasks are left to their controllers,
   * whose start is idempotent and whose wait follows the adopted process.
   */
  reconcile?(assigned: readonly Task[]): Promise<void>;
  /**
   * Where the task's secrets and configs come from (the agent's store, kept up to date from its
   * assignments). Called once, before any task. Optional: an executor without it gives tasks no files.
   */
  useDependencies?(deps: DependencyGetter): void;
  /** Stop following the tasks and leave them running (the agent process exits; its next run adopts them). */
  detach?(): Promise<void>;
}

export interface ExecResult {
  exitCode: number;
  /** Combined stdout and stderr, truncated. */
  output: string;
}

/** Why a task stopped for failing its health check (moby ErrContainerUnhealthy). */
export const UNHEALTHY_CAUSE = 'dockerexec: unhealthy container';

/** An exit code that is not 0, with the text swarmkit's executor reports. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    /** What made it exit, e.g. UNHEALTHY_CAUSE. */
    readonly reason?: string,
  ) {
    super(reason ? `task: non-zero exit (${exitCode}): ${reason}` : `task: non-zero exit (${exitCode})`);
    this.name = 'ExitError';
  }
}
