import { createHash } from 'node:crypto';
import type { ContainerStatus, Task } from '../../api/types';
import { systemClock, type Clock } from '../../util/clock';
import type { ExecResult, Executor } from './executor';
import { simBehaviour, type SimBehaviour } from './sim-config';
import type { LogEntry, LogListener } from './log-ring';
import type { TaskLogSource } from './log-source';
import { SimLogs, type SimLogOptions } from './sim-logs';
import { seededRandom } from '../../util/random';

export type DelayRange = readonly [min: number, max: number];

export interface SimExecutorOptions {
  clock?: Clock;
  /** Multiplies every step delay; 0 makes steps instant (benchmarks). Default 1. */
  speed?: number;
  prepareMs?: DelayRange;
  startMs?: DelayRange;
  stopMs?: DelayRange;
  /** Randomness for delays and PIDs; or `seed` for a deterministic one. */
  random?: () => number;
  seed?: number;
  /** The made-up output of simulated tasks (sim-logs.ts). */
  logs?: SimLogOptions;
}

interface SimContainer {
  id: string;
  pid?: number;
  state: 'created' | 'running' | 'exited';
  startedAt?: number;
  behaviour: SimBehaviour;
  exit: Promise<number>;
  resolveExit: (code: number) => void;
  cancelExitTimer?: () => void;
}

/** Exit code of a stopped simulated container (SIGTERM honoured). */
const STOPPED_EXIT_CODE = 143;

/** A small deterministic PRNG for reproducible simulations. */
export const mulberry32 = seededRandom;

/**
 * Tasks without containers: each step takes a small random delay, and a task
 * runs until stopped unless its spec asks otherwise (SIM.md).
 */
export class SimExecutor implements Executor, TaskLogSource {
  private readonly clock: Clock;
  private readonly speed: number;
  private readonly random: () => number;
  private readonly prepareMs: DelayRange;
  private readonly startMs: DelayRange;
  private readonly stopMs: DelayRange;
  private containers = new Map<string, SimContainer>();
  private readonly simLogs: SimLogs;

  constructor(opts: SimExecutorOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.speed = opts.speed ?? 1;
    this.random = opts.random ?? (opts.seed !== undefined ? mulberry32(opts.seed) : Math.random);
    this.prepareMs = opts.prepareMs ?? [100, 400];
    this.startMs = opts.startMs ?? [50, 200];
    this.stopMs = opts.stopMs ?? [20, 100];
    this.simLogs = new SimLogs(this.clock, opts.logs);
  }

  /** Number of simulated containers currently running (for tests and the console). */
  get runningCount(): number {
    let n = 0;
    for (const c of this.containers.values()) if (c.state === 'running') n++;
    return n;
  }

  async prepare(task: Task): Promise<ContainerStatus> {
    await this.delay(this.prepareMs);
    const behaviour = simBehaviour(task);
    if (behaviour.fail === 'prepare') throw new Error('sim: injected prepare failure');
    const c = this.container(task, behaviour);
    return { ContainerID: c.id };
  }

  async start(task: Task): Promise<ContainerStatus> {
    await this.delay(this.startMs);
    const c = this.container(task, simBehaviour(task));
    if (c.behaviour.fail === 'start') throw new Error('sim: injected start failure');
    if (c.state === 'created') this.runLogged(task, c);
    return { ContainerID: c.id, PID: c.pid, ExitCode: 0 };
  }

  wait(task: Task): Promise<number> {
    const c = this.container(task, simBehaviour(task));
    // A running task this executor never started (the process restarted) is adopted as running.
    if (c.state === 'created') this.runLogged(task, c);
    return c.exit;
  }

  async shutdown(task: Task): Promise<void> {
    const c = this.containers.get(task.ID);
    if (!c || c.state === 'exited') return;
    if (c.state === 'running') await this.delay(this.stopMs);
    this.exit(c, STOPPED_EXIT_CODE);
  }

  /** Health probes pass, unless the spec says the task is unhealthy (SIM.md). */
  async exec(task: Task, _argv: string[], _opts: { timeoutMs: number }): Promise<ExecResult> {
    const c = this.containers.get(task.ID);
    if (!c || c.state !== 'running') throw new Error(`sim: task ${task.ID} is not running`);
    const after = c.behaviour.unhealthyAfterMs;
    if (after !== undefined && this.clock.now() - (c.startedAt ?? 0) >= after)
      return { exitCode: 1, output: 'sim: injected unhealthy' };
    return { exitCode: 0, output: '' };
  }

  async remove(task: Task): Promise<void> {
    const c = this.containers.get(task.ID);
    if (!c) return;
    this.exit(c, STOPPED_EXIT_CODE);
    this.containers.delete(task.ID);
    this.simLogs.removed(task.ID);
  }

  /** The task's made-up output, oldest first (`tail`: the last N); [] for an unknown task. */
  logs(taskID: string, opts: { tail?: number } = {}): LogEntry[] {
    return this.simLogs.logs(taskID, opts);
  }

  /** Each new made-up line while subscribed. */
  subscribeLogs(taskID: string, listener: LogListener): () => void {
    return this.simLogs.subscribeLogs(taskID, listener);
  }

  private runLogged(task: Task, c: SimContainer): void {
    this.run(c);
    this.simLogs.started(task);
    void c.exit.then((code) => this.simLogs.exited(task.ID, code));
  }

  private container(task: Task, behaviour: SimBehaviour): SimContainer {
    let c = this.containers.get(task.ID);
    if (c) return c;
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((r) => (resolveExit = r));
    // Stable 64-hex ID per task, like a container ID.
    const id = createHash('sha256').update(task.ID).digest('hex');
    c = { id, state: 'created', behaviour, exit, resolveExit };
    this.containers.set(task.ID, c);
    return c;
  }

  private run(c: SimContainer): void {
    c.state = 'running';
    c.startedAt = this.clock.now();
    c.pid = 1000 + Math.floor(this.random() * 64_000);
    const { exitCode, exitAfterMs } = c.behaviour;
    if (exitCode === undefined && exitAfterMs === undefined) return;
    const code = exitCode ?? 0;
    c.cancelExitTimer = this.clock.setTimeout(() => this.exit(c, code), exitAfterMs ?? 0);
  }

  private exit(c: SimContainer, code: number): void {
    if (c.state === 'exited') return;
    c.cancelExitTimer?.();
    c.state = 'exited';
    c.resolveExit(code);
  }

  private delay([min, max]: DelayRange): Promise<void> {
    const ms = this.speed * (min + this.random() * (max - min));
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((r) => this.clock.setTimeout(r, ms));
  }
}
