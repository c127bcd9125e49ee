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
  /** The likeliest suspects, when none could be pinned. */
  suspects: string[];
  pinNote: string;
  trials: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a manager on the dead one's data dir: it should come back (a committed entry must not crash-loop it). */
/** The first error line and the first frame in server code: crashes with the same signature have one cause. */
export function crashSignature(output: string): string {
  // V8 words the same death several ways (reached heap limit, ineffective mark-compacts…)
  if (/heap out of memory|Reached heap limit/.test(output)) return 'JavaScript heap out of memory';
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
      return `CRASH-LOOPS: the restarted manager died again (${t.exitText}; ${crashSignature(t.server.output())})\n${outputTail(t, 1_500)}`;
    return 'restarts cleanly on its data dir';
  } catch (err) {
    const text = (err as Error).message;
    return `CRASH-LOOPS: the restarted manager dies before it is ready (${crashSignature(text) || 'no error printed'})\n${text.slice(-1_500)}`;
  } finally {
    await t?.stop();
  }
}

function suspicion(e: JournalEntry, inFlight: boolean, diedAt: number, slow: boolean): number {
  const r = e.req;
  const accepted = e.status !== undefined && e.status < 300 && r.method !== 'GET' && r.method !== 'HEAD';
  let s = 0;
  if (slow) {
    // running out of memory builds up: what the store took in (and a loop then chewed on) is the suspect
    if (accepted) s += 100;
    // a write whose answer never came: the manager may have choked on it before it could answer
    if (e.status === undefined && r.method !== 'GET' && r.method !== 'HEAD') s += 80;
    // a broken body the server took anyway is what poisons a store
    if (accepted && r.category !== 'valid') s += 40;
    if (/replicas|MaxConcurrent|TotalCompletions/i.test(r.label) && /number|wrong-type/.test(r.label)) s += 60;
    if (/number|deep|wide|oversized|long/.test(r.label)) s += 20;
    return s;
  }
  // a request that never got its answer, or lost its connection just before the end, was being handled
  if (inFlight) s += 100;
  if (e.status === undefined && e.end !== undefined && e.end >= diedAt - 1_500) s += 150;
  if (accepted) s += 50;
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
): FuzzRequest[] {
  // a slow death (memory) may come long after its cause: the loop stalls in garbage collection first
  const slow = deathWait(output) > 5_000;
  const windowMs = slow ? 120_000 : 30_000;
  // an uncaught exception often prints the input that caused it (node's URL errors do); the last one printed killed it
  const fatal = output.slice(output.lastIndexOf('Error'));
  const named = (e: JournalEntry) =>
    !slow && e.target.length > 1 && fatal.includes(`input: ${inspect(e.target)}`) ? 300 : 0;
  return journal
    .filter((e) => e.start >= diedAt - windowMs && e.start <= diedAt)
    .map((e) => ({ e, score: suspicion(e, inFlight.has(e), diedAt, slow) + named(e) }))
    .sort((a, b) => b.score - a.score || b.e.start - a.e.start)
    .map((x) => x.e.req);
}

export interface PinOptions {
  seed: number;
  heapMb: number;
  budgetMs: number;
  /** Trial managers are set up as the one that died (a console changes what an uncaught exception does). */
  console: boolean;
  /** The dead manager's crash signature: a trial counts only if it dies the same way. */
  signature: string;
  waitMs?: number;
}

/** Does sending `requests` to a fresh manager kill it the same way (within `waitMs` after the last one)? */
async function kills(requests: FuzzRequest[], o: PinOptions, waitMs: number): Promise<boolean> {
  const t = await startTarget({ console: o.console || requests.some((r) => r.port === 'console'), heapMb: o.heapMb });
  try {
    await sendAll(t, requests, o.seed);
    await Promise.race([t.server.exited, sleep(waitMs)]);
    if (t.server.alive()) return false;
    return !o.signature || crashSignature(t.server.output().slice(-20_000)) === o.signature;
  } finally {
    await t.dispose();
  }
}

export async function pinCulprit(
  candidates: FuzzRequest[],
  opts: PinOptions,
): Promise<{ culprit?: FuzzRequest; trials: number; note: string }> {
  const deadline = Date.now() + opts.budgetMs;
  const waitMs = opts.waitMs ?? 8_000;
  let trials = 0;
  const trial = async (set: FuzzRequest[]) => {
    trials++;
    return kills(set, opts, waitMs);
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
