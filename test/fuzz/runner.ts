// A whole fuzz run: the main stream against a manager with its console (the
// Engine API, the console API and pages, the socket.io gateway), then the
// Engine API stream against a --no-console manager. Each phase is watched
// by the /_ping probe, ends with the docker CLI's reads (and, for the
// console manager, a canary service), and its 5xx bodies are minimised.
// Everything lands in .tmp/fuzz/<run>/ (see report.ts).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../integration/harness';
import { canary, cliChecks, type CliCheck } from './cli-checks';
import type { Crash } from './crash';
import { minimiseBody, type Minimised } from './minimise';
import { Phase, type PhaseResult, type RouteStats } from './phase';
import { excess, pingStats, startPinger, type PingSample, type PingStats } from './pinger';
import type { Failure } from './records';
import { writeReport } from './report';
import type { StreamName } from './generator';
import type { Category } from './request';

export interface FuzzOptions {
  seed: number;
  /** Requests of the main stream (console manager) and of the Engine API stream (--no-console manager). */
  mainRequests: number;
  engineRequests: number;
  concurrency: number;
  heapMb: number;
  pingLimitMs: number;
  /** No new requests after this long (the run says so); crash pinning and checks come on top. */
  sendBudgetMs: number;
  pinBudgetMs: number;
  minimise: boolean;
  /** Send only these categories of the plan (a diagnosis: is /_ping slow under valid requests alone?). */
  only?: readonly Category[];
  outDir?: string;
  log(line: string): void;
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

export const SHORT_RUN: Omit<FuzzOptions, 'seed' | 'log'> = {
  mainRequests: 8_500,
  engineRequests: 2_000,
  // enough to keep a manager busy, not so many that /_ping waits behind a queue of our own making
  concurrency: 4,
  heapMb: 512,
  pingLimitMs: 100,
  sendBudgetMs: 8 * 60_000,
  pinBudgetMs: 90_000,
  minimise: true,
};

export const LONG_RUN: Omit<FuzzOptions, 'seed' | 'log'> = {
  ...SHORT_RUN,
  mainRequests: 170_000,
  engineRequests: 40_000,
  sendBudgetMs: 90 * 60_000,
  pinBudgetMs: 10 * 60_000,
};

export interface SlowPing extends PingSample {
  /** Requests in flight at the time, longest first. */
  during: string[];
}

export interface PhaseSummary {
  name: string;
  /** Wall time of the requests alone (start to last answer, crash handling included). */
  sendMs: number;
  planned: number;
  sent: number;
  support: number;
  skipped: PhaseResult['skipped'];
  lostToCrash: number;
  deadlineHit: boolean;
  categories: Record<string, number>;
  routes: Record<string, RouteStats>;
  ping: PingStats;
  slowPings: SlowPing[];
  downtime: [number, number][];
  cli: CliCheck[];
  restartedAfterCrash: boolean;
  acceptedBroken: PhaseResult['acceptedBroken'];
}

export interface FuzzResult {
  seed: number;
  outDir: string;
  startedAt: number;
  durationMs: number;
  options: Omit<FuzzOptions, 'log'>;
  phases: PhaseSummary[];
  failures: Failure[];
  crashes: Crash[];
  minimised: ({ failure: number } & Minimised)[];
}

function slowPings(stats: PingStats, journal: PhaseResult['journal']): SlowPing[] {
  // the worst 50 (failed pings first, then by their stall beyond the control), in time order
  const worst = [...stats.bad]
    .sort((a, b) => Number(!!b.error) - Number(!!a.error) || excess(b) - excess(a))
    .slice(0, 50)
    .sort((a, b) => a.at - b.at);
  return worst.map((p) => {
    const end = p.at + p.ms;
    // what started shortly before or during the slow ping (long-hung requests are not what stalls a loop)
    const during = journal
      .filter((e) => e.start <= end && e.start >= p.at - 1_000 && (e.end ?? Infinity) >= p.at)
      .sort((a, b) => b.bodyBytes - a.bodyBytes || (b.end ?? end) - b.start - ((a.end ?? end) - a.start))
      .slice(0, 4)
      .map(
        (e) =>
          `${e.req.method} ${e.target.slice(0, 100)} [${e.req.label.slice(0, 100)}] ${e.bodyBytes} B, ${((e.end ?? end) - e.start).toFixed(0)} ms`,
      );
    return { ...p, during };
  });
}

async function runPhase(
  o: FuzzOptions,
  name: string,
  stream: StreamName,
  count: number,
  withConsole: boolean,
  deadline: number,
  out: { failures: Failure[]; crashes: Crash[]; minimised: FuzzResult['minimised']; ids: { next: number } },
): Promise<PhaseSummary> {
  const phase = new Phase({
    name,
    stream,
    seed: o.seed,
    count,
    console: withConsole,
    heapMb: o.heapMb,
    concurrency: o.concurrency,
    deadline,
    pinBudgetMs: o.pinBudgetMs,
    maxCrashes: 12,
    only: o.only,
    ids: out.ids,
    log: o.log,
  });
  const config = tempDir('swarmdeck-fuzz-docker-');
  const t = await phase.start();
  o.log(
    `fuzz: phase ${name}: ${count} requests against ${withConsole ? 'a manager with its console' : 'a --no-console manager'} (engine :${t.ports.engine}${withConsole ? `, console :${t.ports.console}` : ''})`,
  );
  const pinger = await startPinger(t.ports.engine);
  try {
    const sendStart = Date.now();
    const result = await phase.run();
    const sendMs = Date.now() - sendStart;
    const live = phase.current;
    let cli: CliCheck[];
    if (live.server.alive()) {
      o.log(`fuzz: phase ${name}: docker CLI reads`);
      cli = await cliChecks(live.ports.engine, config.path, result.accepted);
      if (withConsole) cli.push(await canary(live.ports.engine, config.path, `fz-canary`));
    } else cli = [{ command: 'docker CLI reads', ok: false, detail: 'no manager left running to read from' }];
    const samples: PingSample[] = await pinger.stop();
    if (o.minimise && live.server.alive()) {
      const deadlineMin = Date.now() + 30_000;
      const firstOfGroup = new Map<string, Failure>();
      for (const f of result.failures) if (f.kind === '5xx' && !firstOfGroup.has(f.group)) firstOfGroup.set(f.group, f);
      for (const f of [...firstOfGroup.values()].slice(0, 12)) {
        if (Date.now() > deadlineMin) break;
        const m = await minimiseBody(live, f, { deadline: deadlineMin });
        if (m) out.minimised.push({ failure: f.id, ...m });
      }
    }
    out.failures.push(...result.failures);
    out.crashes.push(...result.crashes);
    const stats = pingStats(samples, o.pingLimitMs, result.downtime);
    return {
      name,
      sendMs,
      planned: count,
      sent: result.sent,
      support: result.support,
      skipped: result.skipped,
      lostToCrash: result.lostToCrash,
      deadlineHit: result.deadlineHit,
      categories: result.categories,
      routes: result.routes,
      ping: stats,
      slowPings: slowPings(stats, result.journal),
      downtime: result.downtime,
      cli,
      restartedAfterCrash: result.crashes.length > 0,
      acceptedBroken: result.acceptedBroken,
    };
  } finally {
    await pinger.stop().catch(() => []);
    await phase.finish();
    config.remove();
  }
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const startedAt = Date.now();
  const outDir =
    o.outDir ??
    join(REPO_ROOT, '.tmp', 'fuzz', `${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}-seed-${o.seed}`);
  mkdirSync(outDir, { recursive: true });
  o.log(`fuzz: seed ${o.seed} (replay with FUZZ_SEED=${o.seed}); report in ${outDir}`);
  const deadline = startedAt + o.sendBudgetMs;
  const out = {
    failures: [] as Failure[],
    crashes: [] as Crash[],
    minimised: [] as FuzzResult['minimised'],
    ids: { next: 0 },
  };
  const phases: PhaseSummary[] = [];
  if (o.mainRequests > 0) phases.push(await runPhase(o, 'console', 'main', o.mainRequests, true, deadline, out));
  if (o.engineRequests > 0) phases.push(await runPhase(o, 'engine', 'engine', o.engineRequests, false, deadline, out));
  const { log: _log, ...options } = o;
  const { ids: _ids, ...found } = out;
  const result: FuzzResult = {
    seed: o.seed,
    outDir,
    startedAt,
    durationMs: Date.now() - startedAt,
    options,
    phases,
    ...found,
  };
  writeReport(result);
  return result;
}
