import type { ContainerStatus, Task } from '../../api/types';

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
}

/** An exit code that is not 0, with the text swarmkit's executor reports. */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`task: non-zero exit (${exitCode})`);
    this.name = 'ExitError';
  }
}
