// How long this process's event loop was blocked: a leader that stalls past
// its election timeout loses leadership, so a stall is worth a line in the log.
// With `reportMs` every window's worst delay is printed too (the benchmarks read it).

import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopMonitorOptions {
  /** Print `event loop: max delay N ms over M ms` every this many ms (0: only stalls are logged). */
  reportMs?: number;
  /** A window whose worst delay exceeds this is logged as a stall (read each window: timing can change). */
  warnMs: () => number;
  log: (line: string) => void;
  /** Window length when not reporting (default 1 s). */
  windowMs?: number;
}

/** Start watching; returns the stop function. */
export function monitorEventLoop(o: LoopMonitorOptions): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const windowMs = o.reportMs && o.reportMs > 0 ? o.reportMs : (o.windowMs ?? 1_000);
  const timer = setInterval(() => {
    const maxMs = h.max / 1e6;
    h.reset();
    if (o.reportMs) o.log(`event loop: max delay ${maxMs.toFixed(1)} ms over ${windowMs} ms`);
    const warn = o.warnMs();
    if (maxMs > warn)
      o.log(`event loop: blocked for ${maxMs.toFixed(0)} ms (a stall over ${warn} ms risks leadership)`);
  }, windowMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
