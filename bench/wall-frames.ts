// P9 (#13): the wall with 500 nodes and 5,000 tasks while about 10 % of the
// tasks change state each second. Not a test: `npm run bench:wall [-- --write]
// [--minutes=10] [--view=map]` prints a table and, with --write, refreshes its
// section of bench/RESULTS.md. Needs `npx next build`.
//
// One manager process (console, Engine API, 500 simulated workers) and one
// Chromium page on /wall at 3840×2160, dark. The churn is a rolling update that
// never ends: parallelism 500 with a 0.5 s delay, so about 500 slots (10 %) are
// replaced each second; when one update completes the next is forced. In the
// page, a requestAnimationFrame loop counts frames per second and a
// PerformanceObserver records long tasks; every minute the heap is measured
// after a forced GC (CDP), so "flat" means what survives collection.
import { existsSync } from 'node:fs';
import { loggedInContext, runBench, startConsoleBench } from './browser';
import { until } from './managers';
import { arg, machineLine, pct, sleep, today, writeSection } from './report';

const NODES = Number(arg('nodes', '500'));
const REPLICAS = Number(arg('replicas', '5000'));
const MINUTES = Number(arg('minutes', '10'));
const VIEW = arg('view', '');
const GOAL_FPS = 50;
const GOAL_LONG_TASK_MS = 50;

interface PageStats {
  frames: number[];
  longTasks: number[];
}

/**
 * Runs in the page before its scripts: frame timestamps and long tasks. A string, not a
 * function: tsx's transform wraps inner functions in a helper the page does not have.
 */
const INSTRUMENT = `
  const stats = { frames: [], longTasks: [] };
  window.__wall = stats;
  const frame = (t) => {
    stats.frames.push(t);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) stats.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
`;

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

async function main(): Promise<void> {
  if (!existsSync('.next/BUILD_ID')) throw new Error('run `npx next build` first: the console is served built');
  const write = process.argv.includes('--write');
  const { m, browser, base, close } = await startConsoleBench('swarmdeck-bench-p9-', NODES);
  let churning = true;
  try {
    const created = await m.api('POST', '/services/create', {
      Name: 'churn',
      TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, ForceUpdate: 0 },
      Mode: { Replicated: { Replicas: REPLICAS } },
      // a slot takes about 0.5 s to replace in the simulator (stop, prepare, start), plus the delay
      UpdateConfig: {
        Parallelism: Math.round(REPLICAS / 10),
        Delay: 5e8,
        FailureAction: 'continue',
        Order: 'stop-first',
      },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.json)}`);
    const id = (created.json as { ID: string }).ID;
    await until(
      `${REPLICAS} tasks running`,
      async () => {
        const list = (await m.api('GET', '/services?status=true')).json as {
          ID: string;
          ServiceStatus?: { RunningTasks: number };
        }[];
        return (list.find((s) => s.ID === id)?.ServiceStatus?.RunningTasks ?? 0) >= REPLICAS;
      },
      300_000,
      500,
    );
    process.stderr.write(`${REPLICAS} tasks running on ${NODES} nodes; starting the churn\n`);

    // the churn: force one rolling update after another, for as long as the measurement runs
    const churn = (async () => {
      while (churning) {
        const svc = (await m.api('GET', `/services/${id}`)).json as ServiceBody;
        const state = svc.UpdateStatus?.State;
        if (state === 'updating') {
          await sleep(250);
          continue;
        }
        const spec = structuredClone(svc.Spec);
        spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
        await m.api('POST', `/services/${id}/update?version=${svc.Version.Index}`, spec);
        await sleep(500);
      }
    })();

    const ctx = await loggedInContext(browser, base, { width: 3840, height: 2160 }, 'dark');
    const page = await ctx.newPage();
    await page.addInitScript(INSTRUMENT);
    await page.goto(VIEW ? `/wall?view=${VIEW}` : '/wall');
    await page.locator('.conn[data-status="live"]').waitFor({ timeout: 60_000 });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const heap = async (): Promise<{ mib: number; nodes: number }> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return { mib: usedSize / 2 ** 20, nodes: metrics.find((x) => x.name === 'Nodes')?.value ?? 0 };
    };
    await cdp.send('Performance.enable');

    // a minute to settle (first paints, the socket's first frames), then the measured minutes
    await sleep(60_000);
    const t0 = (await page.evaluate(() => performance.now())) as number;
    const longBefore = (await page.evaluate(
      () => (window as unknown as { __wall: PageStats }).__wall.longTasks.length,
    )) as number;
    const heaps = [await heap()];
    const measuredFrom = Date.now();
    // the churn as it ran: every task created in the window (history keeps 5 per slot; a slot
    // turns over about every 10 s, so a look every 30 s misses none)
    const fresh = new Set<string>();
    const countFresh = async () => {
      const tasks = (await m.api('GET', '/tasks', undefined, 60_000)).json as { ID: string; CreatedAt: string }[];
      for (const t of tasks) if (Date.parse(t.CreatedAt) >= measuredFrom) fresh.add(t.ID);
    };
    for (let i = 0; i < MINUTES; i++) {
      await sleep(30_000);
      await countFresh();
      await sleep(30_000);
      await countFresh();
      heaps.push(await heap());
      process.stderr.write(
        `minute ${i + 1}/${MINUTES}: heap ${heaps.at(-1)!.mib.toFixed(1)} MiB, ${heaps.at(-1)!.nodes} DOM nodes\n`,
      );
    }
    const t1 = (await page.evaluate(() => performance.now())) as number;
    const stats = (await page.evaluate(() => (window as unknown as { __wall: PageStats }).__wall)) as PageStats;
    churning = false;
    await churn;
    const seconds = (Date.now() - measuredFrom) / 1000;

    // a GC pause is part of the page's life: frames are counted across them
    const fps = framesPerSecond(stats.frames, t0, t1);
    const long = stats.longTasks.slice(longBefore);
    const slope = (heaps.at(-1)!.mib - heaps[1]!.mib) / Math.max(1, MINUTES - 1);
    const churnPct = (fresh.size / seconds / REPLICAS) * 100;
    const row =
      `| ${NODES} nodes, ${REPLICAS.toLocaleString('en')} tasks, ${VIEW ? `pinned on ${VIEW}` : 'rotating'} | ${MINUTES} min ` +
      `| ${pct(fps, 50)} | ${pct(fps, 5)} | ${Math.min(...fps)} | ${long.length} | ${long.length ? Math.max(...long).toFixed(0) + ' ms' : '—'} ` +
      `| ${heaps[0]!.mib.toFixed(1)} → ${heaps.at(-1)!.mib.toFixed(1)} MiB (${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MiB/min) ` +
      `| ${Math.round(heaps.at(-1)!.nodes)} | ${churnPct.toFixed(1)} %/s |`;
    const body = [
      '## P9: the wall with 500 nodes and 5,000 tasks under churn',
      '',
      `Machine: ${machineLine()}. Date: ${today()}.`,
      'Command: `npx next build && npm run bench:wall -- --write`.',
      '',
      `One manager process (console in production mode, Engine API, ${NODES} simulated workers in process) and one`,
      'Chromium page (software rendering, no GPU) on /wall at 3840×2160, dark theme, on the same 2 cores. The churn is',
      'a rolling update that never ends (parallelism 10 % of the replicas, 0.5 s delay, stop-first; when one completes the',
      'next is forced), so about a tenth of the tasks is replaced each second, each replacement several state changes.',
      'Frames are counted per second with requestAnimationFrame; long tasks come from the Long Tasks API; the heap is',
      'measured after a forced collection (CDP) when the measurement starts and every minute. A minute of settling comes',
      'first. "Slots replaced" is the churn as it ran: tasks created in the measured window ÷ seconds ÷ replicas.',
      '',
      `| scenario | measured | fps p50 | fps p5 | fps min | long tasks | longest | heap after GC (first → last) | DOM nodes | slots replaced |`,
      '|---|---|---|---|---|---|---|---|---|---|',
      row,
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
