// P9 (#13): the wall with 500 nodes and 5,000 tasks while about 10 % of the
// tasks change state each second. Not a test: `npm run bench:wall [-- --write]
// [--minutes=10] [--view=map | --view=map,updates,] [--exit-after=30s] [--update-share=0.05]
// [--settle=60] [--profile=dir] [--trace=dir] [--alloc=dir] [--profile-seconds=30]` prints a
// table and, with --write, refreshes its section of bench/RESULTS.md. Needs `npx next build`.
//
// One manager process (console, Engine API, 500 simulated workers) and one
// Chromium page on /wall at 3840×2160, dark. The churn: every task exits
// `--exit-after` after it starts (the simulated executor's
// SWARMDECK_SIM_EXIT_AFTER) and its restart policy replaces it, and a rolling
// update that never ends replaces slots besides. The churn reported is the one
// measured: tasks created in the window, and the tasks whose state changed each
// second in the stream the wall receives (a socket client in this process). In
// the page, a requestAnimationFrame loop counts frames per second and a
// PerformanceObserver records long tasks; every minute the heap of the page
// and of the wall's engine (its worker: bench/worker-heap.ts) is measured
// after a forced GC (CDP), so "flat" means what survives collection. With
// --profile, a CPU profile (CDP Profiler) of each view's first 30 measured
// seconds (--profile-seconds for longer, e.g. several turns of a rotation) is
// written and its functions with the most self time printed; with
// --trace=dir, a Chromium trace of the same window. Both slow the page, so
// take figures from runs without them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { ChangesFrame } from '../server/api/realtime';
import { consoleLogin } from '../test/manager-http';
import { BENCH_ADMIN, loggedInContext, runBench, startConsoleBench } from './browser';
import { until } from './managers';
import { workerHeapProbe } from './worker-heap';
import { arg, machineLine, pct, sleep, today, writeSection } from './report';

const NODES = Number(arg('nodes', '500'));
const REPLICAS = Number(arg('replicas', '5000'));
const MINUTES = Number(arg('minutes', '10'));
/** `--view=map` pins the wall on one view; `--view=map,ticker,` measures each in turn (empty: rotating). */
const VIEWS = arg('view', '').split(',');
const SETTLE_S = Number(arg('settle', '60'));
/**
 * How long a task runs before it exits and is replaced ('' for tasks that run until updated). With the
 * update below, 30 s makes about 10 % of the tasks change state each second, as the goal says (measured,
 * "tasks changing state"); at 9 s it was 30 %: a replacement is two tasks, each changing over a second or two.
 */
const EXIT_AFTER = arg('exit-after', '30s');
/** The rolling update's parallelism, as a share of the replicas (`--update-share=0.1`: 10 %). */
const UPDATE_SHARE = Number(arg('update-share', '0.05'));
/** `--profile=dir`: a CPU profile of the page's first measured seconds per view (30, or --profile-seconds), and its top functions. */
const PROFILE_DIR = arg('profile', '');
/**
 * `--alloc=dir`: a sampling heap profile of the page over the same window as --profile (everything it allocated,
 * collected or not), and the functions that allocated most: what makes the page's collector run.
 */
const ALLOC_DIR = arg('alloc', '');
/** `--profile-seconds=150`: profile (or trace) longer than the first 30 s, in steps of 30 s (a rotation's turns). */
const PROFILE_HALVES = Math.max(1, Math.round(Number(arg('profile-seconds', '30')) / 30) || 1);
/** `--screenshot=dir`: the page as it stands at the end of each view's measurement. */
const SCREENSHOT_DIR = arg('screenshot', '');
/** `--dump=dir`: the page's raw measurements (frames, long tasks, long frames, views) as JSON, per view. */
const DUMP_DIR = arg('dump', '');
/** `--trace=dir`: a Chromium trace (style, layout, paint per frame) of the same window as --profile. */
const TRACE_DIR = arg('trace', '');
/** `--trace-categories=cc,viz`: trace categories besides the timeline's (or instead of them: `-*,toplevel,v8`). */
const TRACE_CATEGORIES = arg('trace-categories', '');
/** The categories Playwright traces by default (the DevTools timeline's), which --trace-categories adds to. */
const TIMELINE_CATEGORIES = [
  '-*',
  'devtools.timeline',
  'v8.execute',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'blink.console',
  'blink.user_timing',
  'latencyInfo',
  'disabled-by-default-devtools.timeline.stack',
  'disabled-by-default-v8.cpu_profiler',
];
const GOAL_FPS = 50;
const GOAL_LONG_TASK_MS = 50;

interface LongFrame {
  start: number;
  duration: number;
  blocking: number;
  /** ms from rendering's start (rAF callbacks, style, layout, paint) to the frame's end */
  render: number;
  /** ms from style and layout's start to the frame's end */
  layout: number;
  scripts: { invoker: string; fn: string; url: string; duration: number; forced: number }[];
}

/** Each long task with the long frame around it: what ran, and how long rendering took (stderr, for a miss). */
function explainLongTasks(stats: PageStats, from: number, marks: readonly [number, number, string][]): string[] {
  const out: string[] = [];
  for (let i = from; i < stats.longStarts.length; i++) {
    const s = stats.longStarts[i]!;
    const d = stats.longTasks[i]!;
    const f = stats.frames50.find((x) => s >= x.start - 1 && s <= x.start + x.duration);
    const near = marks.filter(([a, b]) => s + d >= a && s <= b + 500).map(([, , what]) => what);
    const scripts = f?.scripts
      .filter((x) => x.duration >= 5)
      .map(
        (x) =>
          `${x.invoker}${x.fn ? ' ' + x.fn : ''} ${x.duration.toFixed(0)}${x.forced ? ` (forced layout ${x.forced.toFixed(0)})` : ''}`,
      )
      .join('; ');
    out.push(
      `long task @${(s / 1000).toFixed(1)}s ${d.toFixed(0)} ms on ${stats.longViews[i] || '?'}` +
        (f
          ? `: frame ${f.duration.toFixed(0)} ms, rendering ${f.render.toFixed(0)} (style+layout ${f.layout.toFixed(0)}), scripts: ${scripts || 'none over 5 ms'}`
          : ': no long frame around it') +
        (near.length ? ` [during ${near.join(', ')}]` : ''),
    );
  }
  return out;
}

interface PageStats {
  frames: number[];
  longTasks: number[];
  /** When each long task started (page clock, ms; same order as longTasks). */
  longStarts: number[];
  /** The view on screen when each long task ended (same order as longTasks). */
  longViews: string[];
  /** Frames over 50 ms (Long Animation Frames API), for the long tasks' attribution on stderr. */
  frames50: LongFrame[];
  /** Each second: the view on screen and how many rollouts it drew (the updates view is empty between two). */
  views: { t: number; view: string; rollouts: number }[];
  /** When the stale curtain came up and went (page clock, ms; [t, up]). */
  stale: [number, boolean][];
}

/**
 * Runs in the page before its scripts: frame timestamps and long tasks. A string, not a
 * function: tsx's transform wraps inner functions in a helper the page does not have.
 */
const INSTRUMENT = `
  const stats = { frames: [], longTasks: [], longStarts: [], longViews: [], views: [], frames50: [], stale: [] };
  window.__wall = stats;
  let staleUp = false;
  setInterval(() => {
    const up = !!document.querySelector('.stale-curtain');
    if (up !== staleUp) stats.stale.push([performance.now(), (staleUp = up)]);
  }, 100);
  setInterval(() => {
    const wall = document.querySelector('[data-testid="wall"]');
    if (wall) stats.views.push({
      t: performance.now(),
      view: wall.getAttribute('data-view'),
      rollouts: document.querySelectorAll('.wall-update').length,
    });
  }, 1000);
  const frame = (t) => {
    stats.frames.push(t);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      stats.longTasks.push(e.duration);
      stats.longStarts.push(e.startTime);
      stats.longViews.push(document.querySelector('[data-testid="wall"]')?.getAttribute('data-view') ?? '');
    }
  }).observe({ type: 'longtask', buffered: true });
  // what a long frame was made of (Long Animation Frames API): its scripts, and when rendering began
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration <= 50) continue;
      stats.frames50.push({
        start: e.startTime,
        duration: e.duration,
        blocking: e.blockingDuration,
        render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
        layout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
        scripts: e.scripts.map((x) => ({
          invoker: x.invoker,
          fn: x.sourceFunctionName,
          url: (x.sourceURL || '').split('/').pop(),
          duration: x.duration,
          forced: x.forcedStyleAndLayoutDuration,
        })),
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
`;

/** The spells the stale curtain was up, [from, to] (one still up ends at `end`). */
function staleSpells(changes: readonly [number, boolean][], end: number): [number, number][] {
  const out: [number, number][] = [];
  let from: number | undefined;
  for (const [t, up] of changes) {
    if (up) from = t;
    else if (from !== undefined) {
      out.push([from, t]);
      from = undefined;
    }
  }
  if (from !== undefined) out.push([from, end]);
  return out;
}

/** Long tasks by the view on screen when each ended. */
function byView(long: readonly number[], views: readonly string[]): Map<string, { n: number; max: number }> {
  const out = new Map<string, { n: number; max: number }>();
  long.forEach((d, i) => {
    const v = views[i] || '?';
    const x = out.get(v) ?? { n: 0, max: 0 };
    out.set(v, { n: x.n + 1, max: Math.max(x.max, d) });
  });
  return out;
}

const mib = (x: number | undefined): string => (x === undefined ? '—' : `${x.toFixed(1)} MiB`);

/** First → last, and the range between: the engine's heap as the table shows it. */
function heapSpan(xs: readonly (number | undefined)[]): string {
  const read = xs.filter((x): x is number => x !== undefined);
  if (!read.length) return '—';
  return `${mib(read[0])} → ${mib(read.at(-1))}; ${Math.min(...read).toFixed(1)}–${Math.max(...read).toFixed(1)} MiB`;
}

/**
 * The page's long tasks after `from`, less those that began while the bench forced a collection (CDP) to
 * measure the heap: that collection runs on the page's thread as a task of its own, 50-120 ms here.
 */
function pageLongTasks(
  stats: PageStats,
  from: number,
  forced: readonly [number, number][],
): Pick<Measured, 'long' | 'longByView' | 'atTurn' | 'forcedGcTasks'> {
  const keep = stats.longStarts.map((s, i) => i >= from && !forced.some(([a, b]) => s >= a && s <= b));
  const pick = <T>(xs: readonly T[]) => xs.filter((_, i) => keep[i]);
  const long = pick(stats.longTasks);
  return {
    long,
    longByView: byView(long, pick(stats.longViews)),
    atTurn: atTurns(pick(stats.longStarts), stats.views),
    forcedGcTasks: stats.longStarts.length - from - long.length,
  };
}

/** How many of these long tasks began as the view turned: between the two samples around a turn, or 1 s after. */
function atTurns(starts: readonly number[], views: PageStats['views']): number {
  const turns: [number, number][] = [];
  for (let i = 1; i < views.length; i++)
    if (views[i]!.view !== views[i - 1]!.view) turns.push([views[i - 1]!.t, views[i]!.t + 1000]);
  return starts.filter((s) => turns.some(([a, b]) => s >= a && s <= b)).length;
}

/** Frames in each whole second between `from` and `to` (page clock, ms). */
function framesPerSecond(frames: number[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s + 1000 <= to; s += 1000) out.push(frames.filter((t) => t >= s && t < s + 1000).length);
  return out;
}

interface ServiceBody {
  ID: string;
  Version: { Index: number };
  Spec: { TaskTemplate: { ForceUpdate?: number } & Record<string, unknown> } & Record<string, unknown>;
  UpdateStatus?: { State: string };
}

/** A view's measured window, as the table shows it. */
interface Measured {
  label: string;
  fps: number[];
  long: number[];
  /** Long tasks by the view on screen: how many, and the longest. */
  longByView: Map<string, { n: number; max: number }>;
  /** Of the long tasks, those that began as the view turned (between the samples around a turn, or 1 s after). */
  atTurn: number;
  /** Long tasks left out: they began during the bench's own forced collections (the heap measurements). */
  forcedGcTasks: number;
  heaps: { mib: number; nodes: number }[];
  /** the wall engine's heap (its worker) after GC, at the same moments (undefined: no worker answered) */
  engineHeaps: (number | undefined)[];
  churnPct: number;
  /** tasks whose state changed, per second, ÷ replicas (from the gateway's own stream) */
  changingPct: number;
  /** Of the seconds the updates view was up, the share with a rollout on it (undefined: it never was). */
  rolloutShownPct?: number;
}

/** A profile's function, as its summaries name it: `name file:line`. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
const frameKey = (f: CallFrame): string =>
  `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;

/** Each function's share of `by` (its summed amount, per frameKey), the largest `n`, each line said by `line`. */
function ranked(by: Map<string, number>, n: number, line: (share: string, amount: number) => string): string[] {
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, amount]) => `${line(((amount / total) * 100).toFixed(1).padStart(5), amount)}  ${k}`);
}

const addTo = <K>(by: Map<K, number>, key: K, amount: number) => by.set(key, (by.get(key) ?? 0) + amount);

/** The functions with the most self time in a CPU profile (CDP Profiler), for a first look at a miss. */
function topSelf(profile: CpuProfile, n: number): string[] {
  const dt = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) addTo(dt, profile.samples[i]!, profile.timeDeltas[i] ?? 0);
  const self = new Map<string, number>();
  for (const node of profile.nodes) addTo(self, frameKey(node.callFrame), dt.get(node.id) ?? 0);
  return ranked(self, n, (share, us) => `${share} %  ${(us / 1000).toFixed(0).padStart(6)} ms`);
}

/** The functions that allocated most in a sampling heap profile (CDP HeapProfiler), by sampled bytes. */
function topAllocations(profile: HeapProfile, seconds: number, n: number): string[] {
  const self = new Map<string, number>();
  const walk = (node: HeapProfileNode) => {
    addTo(self, frameKey(node.callFrame), node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  const mibPerS = (bytes: number) => (bytes / 2 ** 20 / seconds).toFixed(2);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [
    `allocated: ${mibPerS(total)} MiB/s`,
    ...ranked(self, n, (share, bytes) => `${share} %  ${mibPerS(bytes).padStart(6)} MiB/s`),
  ];
}

interface HeapProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapProfileNode[];
}

interface HeapProfile {
  head: HeapProfileNode;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  if (!existsSync('.next/BUILD_ID')) throw new Error('run `npx next build` first: the console is served built');
  const write = process.argv.includes('--write');
  const { m, browser, base, close } = await startConsoleBench('swarmdeck-bench-p9-', NODES);
  // the manager's snapshots: said as they are taken, and marked beside the long tasks (when each began and ended)
  const snapshots: { end: number; ms: number }[] = [];
  m.onLine((line) => {
    if (!line.includes('raft: snapshot')) return;
    console.error(`  manager: ${line}`);
    const took = /written in (\d+) ms, stored in (\d+) ms/.exec(line);
    if (took) snapshots.push({ end: Date.now(), ms: Number(took[1]) + Number(took[2]) });
  });
  let churning = true;
  try {
    // the churn, two ways at once: every task exits after a while and its restart policy replaces it (a slot
    // turns over about every EXIT_AFTER + 0.5 s), and a rolling update that never ends replaces slots besides
    // (and keeps the wall's updates view on screen)
    const created = await m.api('POST', '/services/create', {
      Name: 'churn',
      TaskTemplate: {
        ContainerSpec: {
          Image: 'nginx:alpine',
          ...(EXIT_AFTER ? { Env: [`SWARMDECK_SIM_EXIT_AFTER=${EXIT_AFTER}`] } : {}),
        },
        RestartPolicy: { Condition: 'any', Delay: 5e8 },
        ForceUpdate: 0,
      },
      Mode: { Replicated: { Replicas: REPLICAS } },
      UpdateConfig: {
        Parallelism: Math.max(1, Math.round(REPLICAS * UPDATE_SHARE)),
        Delay: 5e8,
        FailureAction: 'continue',
        Order: 'stop-first',
      },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.json)}`);
    const id = (created.json as { ID: string }).ID;
    // with tasks that exit, "all running" never holds for long: most of them is enough
    await until(
      `${REPLICAS} tasks running`,
      async () => {
        const list = (await m.api('GET', '/services?status=true')).json as {
          ID: string;
          ServiceStatus?: { RunningTasks: number };
        }[];
        return (list.find((s) => s.ID === id)?.ServiceStatus?.RunningTasks ?? 0) >= REPLICAS * (EXIT_AFTER ? 0.8 : 1);
      },
      300_000,
      500,
    );
    process.stderr.write(`${REPLICAS} tasks on ${NODES} nodes; starting the churn\n`);

    // force one rolling update after another, for as long as the measurement runs
    const churn = (async () => {
      while (churning) {
        // the manager under this churn can be slow to answer: a late answer is a turn missed, not the end
        try {
          const svc = (await m.api('GET', `/services/${id}`, undefined, 60_000)).json as ServiceBody;
          const state = svc.UpdateStatus?.State;
          if (state === 'updating') {
            await sleep(250);
            continue;
          }
          const spec = structuredClone(svc.Spec);
          spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
          await m.api('POST', `/services/${id}/update?version=${svc.Version.Index}`, spec, 60_000);
        } catch (err) {
          process.stderr.write(`churn: ${String(err)}\n`);
        }
        await sleep(500);
      }
    })();

    // what the wall receives, counted from the gateway's stream in this process: each second, the tasks whose
    // state changed (a new task counts once, with whatever state it arrives in)
    const cookie = await consoleLogin(base, BENCH_ADMIN.name, BENCH_ADMIN.password);
    const lastState = new Map<string, string>();
    let changed = new Set<string>();
    /** the tasks created since `createdSince` (epoch ms), as the stream brings them: the churn as it ran */
    let createdSince = Infinity;
    const createdInWindow = new Set<string>();
    const perSecond: { at: number; tasks: number }[] = [];
    const wire = io(base, { transports: ['websocket'], extraHeaders: { cookie } });
    /** each frame the bench's socket got: when (epoch ms), how many changes, and its log index (for --dump) */
    const wireFrames: [number, number, number][] = [];
    wire.on('changes', (f: ChangesFrame) => {
      if (DUMP_DIR) wireFrames.push([Date.now(), f.changes.length, f.to]);
      for (const c of f.changes) {
        if (c.kind !== 'task') continue;
        if (c.action === 'delete') {
          lastState.delete(c.id);
          continue;
        }
        if (!lastState.has(c.id) && Date.parse(c.object.CreatedAt) >= createdSince) createdInWindow.add(c.id);
        if (lastState.get(c.id) !== c.object.Status.State) changed.add(c.id);
        lastState.set(c.id, c.object.Status.State);
      }
    });
    const counter = setInterval(() => {
      perSecond.push({ at: Date.now(), tasks: changed.size });
      changed = new Set();
    }, 1000);
    await until('the bench socket connected', () => wire.connected, 15_000, 50);
    const changingBetween = (from: number, to: number) => {
      const xs = perSecond.filter((x) => x.at > from && x.at <= to).map((x) => x.tasks);
      return xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length / REPLICAS) * 100 : NaN;
    };

    const results: Measured[] = [];
    for (const view of VIEWS) results.push(await measure(view));

    async function measure(view: string): Promise<Measured> {
      const ctx = await loggedInContext(browser, base, { width: 3840, height: 2160 }, 'dark');
      const page = await ctx.newPage();
      await page.addInitScript(INSTRUMENT);
      await page.goto(view ? `/wall?view=${view}` : '/wall');
      await page.locator('.conn[data-status="live"]').waitFor({ timeout: 60_000 });
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('HeapProfiler.enable');
      /** page-clock windows of the bench's own forced collections: a long task there is the bench's, not the page's */
      const forced: [number, number][] = [];
      const pageNow = async () => (await page.evaluate(() => performance.now())) as number;
      const heap = async (): Promise<{ mib: number; nodes: number }> => {
        const from = await pageNow();
        const read = await heapRead();
        forced.push([from, await pageNow()]);
        return read;
      };
      const heapRead = async (): Promise<{ mib: number; nodes: number }> => {
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        const { metrics } = (await cdp.send('Performance.getMetrics')) as {
          metrics: { name: string; value: number }[];
        };
        return { mib: usedSize / 2 ** 20, nodes: metrics.find((x) => x.name === 'Nodes')?.value ?? 0 };
      };
      await cdp.send('Performance.enable');
      const engineHeap = await workerHeapProbe(browser, 'wall-engine');

      // time to settle (first paints, the socket's first frames), then the measured minutes
      await sleep(SETTLE_S * 1000);
      const t0 = (await page.evaluate(() => performance.now())) as number;
      const longBefore = (await page.evaluate(
        () => (window as unknown as { __wall: PageStats }).__wall.longTasks.length,
      )) as number;
      const heaps = [await heap()];
      const engineHeaps = [await engineHeap.read()];
      if (PROFILE_DIR) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await cdp.send('Profiler.start');
      }
      if (ALLOC_DIR)
        await cdp.send('HeapProfiler.startSampling', {
          samplingInterval: 16_384,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      if (TRACE_DIR)
        await browser.startTracing(page, {
          screenshots: false,
          // --trace-categories=cc,viz: more than the timeline's own (e.g. what a commit spends its time on);
          // starting with -* they replace the timeline's (a long trace of few events: -*,toplevel,v8)
          ...(TRACE_CATEGORIES
            ? {
                categories: TRACE_CATEGORIES.startsWith('-*')
                  ? TRACE_CATEGORIES.split(',')
                  : [...TIMELINE_CATEGORIES, ...TRACE_CATEGORIES.split(',')],
              }
            : {}),
        });
      const measuredFrom = Date.now();
      // the churn as it ran: every task created in the window, from the stream this process already reads (a
      // GET /tasks of 25,000 tasks every 30 s loaded the manager and these 2 cores under the page measured)
      createdInWindow.clear();
      createdSince = measuredFrom;
      const halves = Math.max(1, Math.round(MINUTES * 2));
      // a profile or trace longer than the measurement ends with it
      const profileHalves = Math.min(PROFILE_HALVES, halves);
      for (let i = 1; i <= halves; i++) {
        await sleep(30_000);
        if (PROFILE_DIR && i === profileHalves) {
          const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
          const file = join(PROFILE_DIR, `wall-${view || 'rotating'}.cpuprofile`);
          mkdirSync(PROFILE_DIR, { recursive: true });
          writeFileSync(file, JSON.stringify(profile));
          process.stderr.write(`${file} (first ${i * 30} s), most self time:\n${topSelf(profile, 25).join('\n')}\n`);
        }
        if (ALLOC_DIR && i === profileHalves) {
          const { profile } = (await cdp.send('HeapProfiler.stopSampling')) as { profile: HeapProfile };
          const file = join(ALLOC_DIR, `wall-${view || 'rotating'}.heapprofile`);
          mkdirSync(ALLOC_DIR, { recursive: true });
          writeFileSync(file, JSON.stringify(profile));
          process.stderr.write(
            `${file} (first ${i * 30} s), most allocated:\n${topAllocations(profile, i * 30, 25).join('\n')}\n`,
          );
        }
        if (TRACE_DIR && i === profileHalves) {
          mkdirSync(TRACE_DIR, { recursive: true });
          writeFileSync(join(TRACE_DIR, `wall-${view || 'rotating'}.trace.json`), await browser.stopTracing());
        }
        if (i % 2 === 0 || i === halves) {
          heaps.push(await heap());
          engineHeaps.push(await engineHeap.read());
          process.stderr.write(
            `${view || 'rotating'} ${i * 30} s: heap ${heaps.at(-1)!.mib.toFixed(1)} MiB (engine ${mib(engineHeaps.at(-1))}), ` +
              `${heaps.at(-1)!.nodes} DOM nodes\n`,
          );
        }
      }
      const t1 = (await page.evaluate(() => performance.now())) as number;
      const stats = (await page.evaluate(() => (window as unknown as { __wall: PageStats }).__wall)) as PageStats;
      const seconds = (Date.now() - measuredFrom) / 1000;
      if (DUMP_DIR) {
        mkdirSync(DUMP_DIR, { recursive: true });
        const timeOrigin = (await page.evaluate(() => performance.timeOrigin)) as number;
        const frames = wireFrames.map(([at, n, index]) => [at - timeOrigin, n, index]);
        writeFileSync(
          join(DUMP_DIR, `wall-${view || 'rotating'}.json`),
          JSON.stringify({ stats, forced, t0, t1, frames, timeOrigin }),
        );
      }
      const origin = (await page.evaluate(() => performance.timeOrigin)) as number;
      for (const line of explainLongTasks(stats, longBefore, [
        ...snapshots.map(
          ({ end, ms }) => [end - origin - ms, end - origin, "the manager's snapshot"] as [number, number, string],
        ),
        ...forced.map(([a, b]) => [a, b, 'a forced GC'] as [number, number, string]),
        ...staleSpells(stats.stale, t1).map(([a, b]) => [a, b, 'the stale curtain'] as [number, number, string]),
      ]))
        process.stderr.write(`${view || 'rotating'}: ${line}\n`);
      const changingPct = changingBetween(measuredFrom, Date.now());
      if (SCREENSHOT_DIR) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOT_DIR, `wall-${view || 'rotating'}.png`) });
      }
      await engineHeap.close();
      await ctx.close();
      // the updates view draws nothing between two rollouts: say how often it had one to draw
      const onUpdates = stats.views.filter((v) => v.t >= t0 && v.t <= t1 && v.view === 'updates');
      const rolloutShownPct = onUpdates.length
        ? (onUpdates.filter((v) => v.rollouts > 0).length / onUpdates.length) * 100
        : undefined;
      if (rolloutShownPct !== undefined)
        process.stderr.write(
          `${view || 'rotating'}: a rollout on the updates view ${rolloutShownPct.toFixed(0)} % of its seconds\n`,
        );
      // a GC pause is part of the page's life: frames are counted across them
      return {
        rolloutShownPct,
        label: view ? `pinned on ${view}` : 'rotating',
        fps: framesPerSecond(stats.frames, t0, t1),
        ...pageLongTasks(stats, longBefore, forced),
        heaps,
        engineHeaps,
        churnPct: (createdInWindow.size / seconds / REPLICAS) * 100,
        changingPct,
      };
    }
    churning = false;
    await churn;
    clearInterval(counter);
    wire.close();

    const rows = results.map(({ label, fps, long, heaps, engineHeaps, churnPct, changingPct }) => {
      const slope = (heaps.at(-1)!.mib - heaps[Math.min(1, heaps.length - 1)]!.mib) / Math.max(1, MINUTES - 1);
      return (
        `| ${NODES} nodes, ${REPLICAS.toLocaleString('en')} tasks, ${label} | ${MINUTES} min ` +
        `| ${pct(fps, 50)} | ${pct(fps, 5)} | ${Math.min(...fps)} | ${long.length} | ${long.length ? Math.max(...long).toFixed(0) + ' ms' : '—'} ` +
        `| ${heaps[0]!.mib.toFixed(1)} → ${heaps.at(-1)!.mib.toFixed(1)} MiB (${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MiB/min) ` +
        `| ${heapSpan(engineHeaps)} ` +
        `| ${Math.round(heaps.at(-1)!.nodes)} | ${churnPct.toFixed(1)} %/s | ${changingPct.toFixed(1)} %/s |`
      );
    });
    const body = [
      '## P9: the wall with 500 nodes and 5,000 tasks under churn',
      '',
      `Machine: ${machineLine()}. Date: ${today()}.`,
      'Command: `npx next build && npm run bench:wall -- --write`.',
      '',
      `One manager process (console in production mode, Engine API, ${NODES} simulated workers in process) and one`,
      'Chromium page (software rendering, no GPU) on /wall at 3840×2160, dark theme, on the same 2 cores. The churn:',
      `every task exits ${EXIT_AFTER} after it starts and its restart policy (0.5 s delay) replaces it, and a rolling`,
      `update that never ends (parallelism ${Math.round(UPDATE_SHARE * 100)} % of the replicas, 0.5 s delay, stop-first; when one completes the next`,
      'is forced) replaces slots besides; each replacement is several state changes. Set so that about 10 % of the tasks',
      'change state each second, as the goal says ("tasks changing state" below is that share, measured).',
      'Frames are counted per second with requestAnimationFrame; long tasks come from the Long Tasks API; the heap is',
      `measured after a forced collection (CDP) when the measurement starts and every minute, on the page and in the`,
      "wall's engine (the worker that keeps the tasks and works out the map, rollouts and topology; its long tasks",
      "are not the page's, and the Long Tasks API does not see them). A forced collection runs on the page's thread",
      "as a task of its own: long tasks that began during one are the bench's and are left out (counted below).",
      `${SETTLE_S} s of settling come first. The churn as it ran, both counted in the stream the wall receives (a`,
      'socket client in the bench): "slots replaced" is the tasks created in the measured window ÷ seconds ÷',
      'replicas; "tasks changing state" is, each second, the tasks whose state changed ÷ replicas, averaged over',
      'the window.',
      '',
      `| scenario | measured | fps p50 | fps p5 | fps min | long tasks | longest | page heap after GC (first → last) | engine heap after GC (first → last; min–max) | DOM nodes | slots replaced | tasks changing state |`,
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      ...results
        .filter((r) => r.rolloutShownPct !== undefined)
        .map(
          (r) =>
            `${r.label}: while the updates view was up, a rollout was on it ${r.rolloutShownPct!.toFixed(0)} % of the seconds ` +
            '(between one rollout and the next it has none to draw).',
        ),
      '',
      ...results.map(
        (r) =>
          `${r.label}: long tasks by the view on screen: ` +
          ([...r.longByView].map(([v, x]) => `${v} ${x.n} (longest ${x.max.toFixed(0)} ms)`).join(', ') || 'none') +
          (r.long.length ? `; ${r.atTurn} of the ${r.long.length} began as the view turned` : '') +
          `. Left out: ${r.forcedGcTasks} long task${r.forcedGcTasks === 1 ? '' : 's'} during the bench's own forced ` +
          'collections (the heap measurements).',
      ),
      '',
      `Goals: frames ≥ ${GOAL_FPS} fps, no long task over ${GOAL_LONG_TASK_MS} ms, memory flat over 10 minutes.`,
    ].join('\n');
    console.log(body);
    if (write) writeSection('wall-frames', body);
  } finally {
    churning = false;
    await close();
  }
}

runBench(main);
