import type { LogEntry, LogListener } from './log-ring';

/**
 * The optional log capability of an executor: what a task printed, kept on
 * this node, and its new lines as they come. The process and simulated
 * executors keep a bounded LogRing per task; a Docker executor would read the
 * container's logs. The node's log publisher serves `docker service logs`
 * from it.
 */
export interface TaskLogSource {
  /** The task's kept lines, oldest first (`tail`: only the last N); [] for an unknown task. */
  logs(taskID: string, opts?: { tail?: number }): LogEntry[];
  /** Each new line as it is read, until the returned function is called (a no-op for an unknown task). */
  subscribeLogs(taskID: string, listener: LogListener): () => void;
}

/** Whether an executor (or anything) can serve task logs. */
export function isTaskLogSource(x: unknown): x is TaskLogSource {
  const o = x as Partial<TaskLogSource> | undefined;
  return typeof o?.logs === 'function' && typeof o.subscribeLogs === 'function';
}
