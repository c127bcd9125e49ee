// The parent side of the /_ping probe (pinger-child.ts): start it, stop it,
// summarise what it saw.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../integration/harness';
import type { PingSample } from './pinger-child';

export type { PingSample };

export interface PingStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** The manager's latency beyond the control server's at the same moment (its own stall). */
  excessP99: number;
  excessMax: number;
  /** Pings without a 200, or whose excess over the control was beyond the limit. */
  bad: PingSample[];
  /** Pings over the limit that the control was as slow for (the machine was busy, not the manager). */
  busy: number;
}

export interface Pinger {
  stop(): Promise<PingSample[]>;
}

export async function startPinger(port: number, intervalMs = 20): Promise<Pinger> {
  const child = fork(fileURLToPath(new URL('./pinger-child.ts', import.meta.url)), [String(port), String(intervalMs)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pinger did not start within 20 s')), 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`pinger exited (${code}) before starting`)));
  });
  let stopped: Promise<PingSample[]> | undefined;
  return {
    stop: () =>
      (stopped ??= new Promise<PingSample[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error('pinger did not answer stop within 10 s'));
        }, 10_000);
        child.on('message', (m: unknown) => {
          if (typeof m === 'object' && m && 'samples' in m) {
            clearTimeout(timer);
            resolve((m as { samples: PingSample[] }).samples);
          }
        });
        child.send('stop');
      })),
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const excess = (s: PingSample): number => Math.max(0, s.ms - s.controlMs);

/** Statistics of `samples`, leaving out those sent while no manager was up (`downtime` windows). */
export function pingStats(all: PingSample[], limitMs: number, downtime: readonly [number, number][] = []): PingStats {
  const samples = all.filter((s) => !downtime.some(([a, b]) => s.at + s.ms >= a && s.at <= b));
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const ex = samples.map(excess).sort((a, b) => a - b);
  return {
    count: samples.length,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    max: ms[ms.length - 1] ?? 0,
    excessP99: quantile(ex, 0.99),
    excessMax: ex[ex.length - 1] ?? 0,
    bad: samples.filter((s) => s.error || excess(s) > limitMs),
    busy: samples.filter((s) => !s.error && s.ms > limitMs && excess(s) <= limitMs).length,
  };
}
