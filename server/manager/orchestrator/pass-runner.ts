/**
 * Runs a loop's pass one at a time: `kick()` while a pass is in flight only
 * asks for one more pass afterwards, so events arriving together are
 * coalesced and two passes never overlap. The first pass waits a microtask so
 * the changes of one applied entry are gathered first.
 */
export class PassRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly name: string,
  ) {}

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
        await this.pass();
      } catch (err) {
        // a lost leadership or a closed store ends the pass; the next event retries
        if (!this.stopped) console.warn(`[${this.name}] pass failed:`, err instanceof Error ? err.message : err);
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
    await this.idle();
  }
}
