// Draining: the owning agent stops handing new mesh connections to a task before
// it is sent SIGTERM (brief §3.6). The task controller marks it; the mesh's last
// hop reads it and answers `draining`, so the first hop tries another backend.

export interface TaskDrain {
  /** New mesh connections to the task are refused from now on. */
  drain(taskID: string): void;
  /** The task is gone from this node: forget its mark. */
  forget(taskID: string): void;
  /** How long a stopping task stays draining before SIGTERM, so peers stop choosing it. */
  readonly delayMs: number;
}

/** How long a stopping task drains before SIGTERM by default (Docker waits a fixed 2 s for gossip). */
export const DEFAULT_DRAIN_DELAY_MS = 1_000;

export class DrainSet implements TaskDrain {
  private readonly draining = new Set<string>();

  constructor(readonly delayMs: number = DEFAULT_DRAIN_DELAY_MS) {}

  drain(taskID: string): void {
    this.draining.add(taskID);
  }

  forget(taskID: string): void {
    this.draining.delete(taskID);
  }

  isDraining(taskID: string): boolean {
    return this.draining.has(taskID);
  }
}
