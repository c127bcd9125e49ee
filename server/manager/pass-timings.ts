// How long the leader's control loops take: each pass of a loop (the scheduler's,
// the orchestrators') and each rollout of the updater is reported here, and the
// edges (server/metrics) listen. A callback list rather than a metrics import
// keeps the manager layer free of the layers above it.

/** One finished pass: the loop's name, its wall time, and whether it succeeded. */
export type PassListener = (loop: string, seconds: number, ok: boolean) => void;

export class PassTimings {
  private readonly listeners = new Set<PassListener>();

  listen(listener: PassListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  report(loop: string, seconds: number, ok: boolean): void {
    for (const l of this.listeners) {
      // a listener's failure is not the loop's
      try {
        l(loop, seconds, ok);
      } catch (err) {
        console.warn(`[${loop}] pass listener failed:`, err instanceof Error ? err.message : err);
      }
    }
  }

  /** Runs `fn`, reporting its time and outcome under `loop`. */
  async time<T>(loop: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const r = await fn();
      ok = true;
      return r;
    } finally {
      this.report(loop, (performance.now() - started) / 1000, ok);
    }
  }
}
