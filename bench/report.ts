// Shared by the benchmarks: percentiles, formatting, the machine line, and
// bench/RESULTS.md sections. Each benchmark owns one section between marker
// comments, so refreshing one leaves the others as they were.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

/** Nearest-rank percentile: with fewer than 100 samples, p99 is the slowest one. */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const fmtMs = (ms: number): string =>
  !Number.isFinite(ms)
    ? '—'
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : ms >= 10
        ? `${ms.toFixed(0)} ms`
        : `${ms.toFixed(1)} ms`;

export const ratio = (value: number, goal: number): string => `${(value / goal).toFixed(2)}×`;

export function machineLine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
}

export const today = (): string => new Date().toISOString().slice(0, 10);

const start = (id: string) => `<!-- bench:${id} -->`;
const end = (id: string) => `<!-- /bench:${id} -->`;

/** Replace section `id` of RESULTS.md (between its markers), or append it; other sections stay untouched. */
export function writeSection(id: string, body: string, path = RESULTS_PATH): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const block = `${start(id)}\n${body.trim()}\n${end(id)}`;
  const a = text.indexOf(start(id));
  const b = text.indexOf(end(id));
  const next =
    a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end(id).length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}

/** `--name=value` from argv, or the fallback. */
export function arg(name: string, fallback: string): string {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
