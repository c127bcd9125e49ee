import { runAs } from '../store/audit-context';
import type { Clock } from '../util/clock';
import type { PassTimings } from './pass-timings';

/**
 * Runs a control loop's pass one at a time: `kick()` while a pass is in
 * flight only asks for one more pass afterwards, so events arriving together
 * are coalesced and two passes never overlap. The first pass waits a
 * microtask so the changes of one applied entry are gathered first. A pass
 * that throws (a lost version race, a storage error) is retried after
 * `retryMs`, so work never waits for an unrelated event. Restartable: loops
 * stop on losing leadership and start again on winning it.
 */
export class PassRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private cancelRetry?: () => void;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly name: string,
    private readonly retry?: { clock: Clock; ms: number },
    /** Where each pass's time is reported (the /metrics histograms). */
    private readonly timings?: PassTimings,
  ) {}

  start(): void {
    this.stopped = false;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    await Promise.resolve();
    do {
      this.again = false;
      try {
        // every write of the pass is the loop's in the audit log
        const pass = () => runAs({ actor: { kind: 'control-loop', name: this.name } }, this.pass);
        await (this.timings ? this.timings.time(this.name, pass) : pass());
      } catch (err) {
        if (this.stopped) break;
        console.warn(`[${this.name}] pass failed:`, err instanceof Error ? err.message : err);
        if (this.retry && !this.cancelRetry) {
          this.cancelRetry = this.retry.clock.setTimeout(() => {
            this.cancelRetry = undefined;
            this.kick();
          }, this.retry.ms);
        }
      }
    } while (this.again && !this.stopped);
    this.running = undefined;
  }

  /** Resolves once no pass is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    await this.idle();
  }
}
