import type { Clock } from '../../util/clock';
import type { ExecResult } from '../executor/executor';
import {
  applyProbe,
  initialHealth,
  nextProbeDelay,
  type HealthSettings,
  type HealthState,
  type HealthStatus,
} from './health-state';

/** Runs one probe; must give up (exit code -1) after timeoutMs. A rejection counts as a failed probe. */
export type HealthProbe = (argv: string[], timeoutMs: number) => Promise<ExecResult>;

/**
 * Probes one task on the injected clock (health-state.ts decides): the first
 * probe one interval after start, the next one interval after each probe
 * ends, one at a time. Reports every change of status until stopped.
 */
export class HealthMonitor {
  private current: HealthState;
  private cancelTimer?: () => void;
  private stopped = false;
  private running = false;
  /** The last probe's output, for diagnostics. */
  lastOutput = '';

  constructor(
    private readonly settings: HealthSettings,
    private readonly probe: HealthProbe,
    private readonly clock: Clock,
    private readonly onStatus: (status: HealthStatus, state: HealthState) => void,
  ) {
    this.current = initialHealth(clock.now());
  }

  get state(): HealthState {
    return this.current;
  }

  start(): void {
    if (this.stopped || this.running || this.cancelTimer) return;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    const delay = nextProbeDelay(this.settings, this.current, this.clock.now());
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.runProbe();
    }, delay);
  }

  private async runProbe(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    const start = this.clock.now();
    let result: ExecResult;
    try {
      result = await this.probe(this.settings.argv, this.settings.timeoutMs);
    } catch (err) {
      result = { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
    }
    this.running = false;
    if (this.stopped) return;
    this.lastOutput = result.output;
    const prev = this.current.status;
    this.current = applyProbe(this.settings, this.current, { start, exitCode: result.exitCode });
    if (this.current.status !== prev) this.onStatus(this.current.status, this.current);
    this.arm();
  }
}
