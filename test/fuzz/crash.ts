// When the manager under fuzz dies: does it come back on the same data (or
// crash-loop on what was committed)? And which request did it? Suspects are
// tried on throwaway managers, the likeliest alone first, then in batches
// that are halved until one request is left. All within a time budget.

import { inspect } from 'node:util';
import type { JournalEntry } from './records';
import type { FuzzRequest } from './request';
import { startTarget, outputTail, type Target } from './target';
import { sendAll } from './trial';

export interface Crash {
  id: number;
  signature: string;
  phase: string;
  at: number;
  exit: string;
  /** The process's last words (a V8 fatal error, an uncaught exception). */
  output: string;
  inFlight: string[];
  restart?: string;
  culprit?: FuzzRequest;
  pinNote: string;
  trials: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a manager on the dead one's data dir: it should come back (a committed entry must not crash-loop it). */
/** The first error line and the first frame in server code: crashes with the same signature have one cause. */
export function crashSignature(output: string): string {
  // the last error printed is the one that ended the process; earlier ones were logged and survived
  const errors = [...output.matchAll(/^(?:FATAL ERROR|\w*Error)\b.*$/gm)];
  const last = errors[errors.length - 1];
  if (!last) return '';
  const frame = /server\/[\w/.-]+\.ts:\d+/.exec(output.slice(last.index))?.[0] ?? '';
  return `${last[0].slice(0, 120)} ${frame}`.trim();
}

/** An uncaught exception ends the process at once; running out of memory takes a while. */
export function deathWait(output: string): number {
  return /heap limit|out of memory|FATAL ERROR|Aborted|SIGABRT/i.test(output) ? 12_000 : 1_500;
}

export async function checkRestart(dataDir: string, heapMb: number, waitMs: number): Promise<string> {
  let t: Target | undefined;
  try {
    t = await startTarget({ console: false, heapMb, dataDir, readyTimeoutMs: 30_000 });
    await Promise.race([t.server.exited, sleep(waitMs)]);
    if (!t.server.alive())
      return `crash-loops: the restarted manager died again (${t.exitText}):\n${outputTail(t, 1_500)}`;
    return 'restarts cleanly on its data dir';
  } catch (err) {
    return `does not restart: ${(err as Error).message.slice(-1_500)}`;
  } finally {
    await t?.stop();
  }
}

function suspicion(e: JournalEntry, inFlight: boolean, diedAt: number): number {
  const r = e.req;
  let s = 0;
  // a request that never got its answer, or lost its connection just before the end, was being handled
  if (inFlight) s += 100;
  if (e.status === undefined && e.end !== undefined && e.end >= diedAt - 1_500) s += 150;
  if (e.status !== undefined && e.status < 300 && r.method !== 'GET' && r.method !== 'HEAD') s += 50;
  if (/replicas|MaxConcurrent|TotalCompletions/i.test(r.label) && /number|wrong-type/.test(r.label)) s += 30;
  if (/deep|wide|oversized|long/.test(r.label)) s += 20;
  // odd framing (URL, method, raw bytes) is handled before any body is read: the usual suspect of an instant death
  if (r.category === 'url' || r.category === 'raw' || r.category === 'method') s += 40;
  return s;
}

/** The suspects of a crash: what was in flight and what ran in the seconds before, likeliest first. */
export function suspects(
  journal: readonly JournalEntry[],
  inFlight: ReadonlySet<JournalEntry>,
  diedAt: number,
  output = '',
  windowMs = 30_000,
): FuzzRequest[] {
  // an uncaught exception often prints the input that caused it (node's URL errors do)
  const named = (e: JournalEntry) => (e.target.length > 1 && output.includes(`input: ${inspect(e.target)}`) ? 300 : 0);
  return journal
    .filter((e) => e.start >= diedAt - windowMs && e.start <= diedAt)
    .map((e) => ({ e, score: suspicion(e, inFlight.has(e), diedAt) + named(e) }))
    .sort((a, b) => b.score - a.score || b.e.start - a.e.start)
    .map((x) => x.e.req);
}

/** Does sending `requests` to a fresh manager kill it (within `waitMs` after the last one)? */
async function kills(requests: FuzzRequest[], seed: number, heapMb: number, waitMs: number): Promise<boolean> {
  const needsConsole = requests.some((r) => r.port === 'console');
  const t = await startTarget({ console: needsConsole, heapMb });
  try {
    await sendAll(t, requests, seed);
    await Promise.race([t.server.exited, sleep(waitMs)]);
    return !t.server.alive();
  } finally {
    await t.dispose();
  }
}

export async function pinCulprit(
  candidates: FuzzRequest[],
  opts: { seed: number; heapMb: number; budgetMs: number; waitMs?: number },
): Promise<{ culprit?: FuzzRequest; trials: number; note: string }> {
  const deadline = Date.now() + opts.budgetMs;
  const waitMs = opts.waitMs ?? 8_000;
  let trials = 0;
  const trial = async (set: FuzzRequest[]) => {
    trials++;
    return kills(set, opts.seed, opts.heapMb, waitMs);
  };
  if (candidates.length === 0) return { trials, note: 'no suspects' };
  // the likeliest few, each alone, side by side
  const first = candidates.slice(0, 3);
  const alone = await Promise.all(first.map((c) => trial([c])));
  const hit = alone.indexOf(true);
  if (hit >= 0) return { culprit: first[hit], trials, note: `one of the ${first.length} likeliest suspects, alone` };
  for (let i = first.length; i < candidates.length && Date.now() < deadline; i += 12) {
    let batch = candidates.slice(i, i + 12);
    if (!(await trial(batch))) continue;
    let verified = true;
    while (batch.length > 1 && Date.now() < deadline) {
      const half = batch.slice(0, Math.ceil(batch.length / 2));
      verified = await trial(half);
      batch = verified ? half : batch.slice(half.length);
    }
    // the other half was inferred, not seen: see it once (it may take two requests together)
    if (batch.length === 1 && !verified && !(await trial(batch)))
      return { trials, note: 'a batch reproduced it, but no single request of it does' };
    if (batch.length === 1) return { culprit: batch[0], trials, note: 'bisected from a batch of suspects' };
    return { trials, note: `budget spent; narrowed to ${batch.length} requests` };
  }
  return {
    trials,
    note:
      Date.now() >= deadline
        ? 'budget spent before a suspect reproduced it'
        : 'no single suspect or batch reproduced it',
  };
}
