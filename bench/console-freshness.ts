// P7 (perf-anchors goal 7): from a raft commit to the DOM of every open console,
// while the cluster converges 10,000 tasks. Not a test: `npm run bench:console
// [-- --write]` prints a table and, with --write, refreshes its section of
// bench/RESULTS.md. Needs `npx next build` (the console is served in production mode).
//
// One manager process (console, Engine API, 200 simulated workers), ten Chromium
// pages on /services. A 10,000-replica service is created and, while it
// converges, a probe service (0 replicas) is created every 250 ms. Each page's
// MutationObserver notes when a probe's name enters its DOM; the latency is that
// moment minus the probe's CreatedAt, which the leader stamps when it builds the
// transaction, before the entry is proposed: so each figure is an upper bound on
// commit → DOM (it also holds the proposal, the fsync and the apply).
import { existsSync } from 'node:fs';
import { io } from 'socket.io-client';
import { REALTIME_PROTOCOL_VERSION, type ChangesFrame } from '../server/api/realtime';
import { consoleLogin } from '../test/manager-http';
import { BENCH_ADMIN, loggedInContext, runBench, startConsoleBench } from './browser';
import { until } from './managers';
import { arg, fmtMs, machineLine, pct, ratio, sleep, today, writeSection } from './report';

const CONSOLES = Number(arg('consoles', '10'));
const REPLICAS = Number(arg('replicas', '10000'));
const NODES = Number(arg('nodes', '200'));
const PROBE_EVERY_MS = 250;
const GOAL_P99_MS = 100;
/** Bounded: the convergence may take at most this long. */
const CONVERGE_LIMIT_MS = 5 * 60_000;

interface ServiceBody {
  ID: string;
  CreatedAt: string;
  Spec: { Name: string };
}

/** Running tasks as /metrics counts them: far cheaper under load than `GET /services?status=true`. */
const RUNNING = /^swarmdeck_tasks\{state="running"\} (\d+)$/m;

/**
 * Runs in each page before its scripts: note when each probe's name first shows in the DOM.
 * A string, not a function: tsx's transform wraps inner functions in a helper the page does not have.
 */
const OBSERVE_PROBES = `
  const seen = {};
  window.__probes = seen;
  const look = (n) => {
    const text = n.textContent;
    if (!text || !text.includes('probe-')) return;
    const at = performance.timeOrigin + performance.now();
    for (const m of text.matchAll(/probe-(\\d+)/g)) if (!(m[0] in seen)) seen[m[0]] = at;
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') look(r.target);
      else r.addedNodes.forEach(look);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
`;

async function main(): Promise<void> {
  if (!existsSync('.next/BUILD_ID')) throw new Error('run `npx next build` first: the console is served built');
  const write = process.argv.includes('--write');
  const { m, browser, base, close } = await startConsoleBench('swarmdeck-bench-p7-', NODES);
  try {
    const pages = [];
    for (let i = 0; i < CONSOLES; i++) {
      const ctx = await loggedInContext(browser, base, { width: 1366, height: 768 });
      const page = await ctx.newPage();
      await page.addInitScript(OBSERVE_PROBES);
      await page.goto('/services');
      await page.locator('.conn[data-status="live"]').waitFor({ timeout: 60_000 });
      pages.push(page);
    }
    // a socket client in this process notes when each probe leaves the gateway: the pages' figures less
    // this one are what the browsers add (parse, store, render) on top of commit + apply + frame pacing
    const cookie = await consoleLogin(base, BENCH_ADMIN.name, BENCH_ADMIN.password);
    const gatewayAt = new Map<string, number>();
    // scoped as the /services pages are: no tasks, the services' counts
    const wire = io(base, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie },
      auth: { v: REALTIME_PROTOCOL_VERSION, tasks: { services: [] } },
    });
    let wireBytes = 0;
    let wireFrames = 0;
    let wireTaskChanges = 0;
    wire.on('changes', (f: ChangesFrame) => {
      const at = Date.now();
      wireFrames++;
      wireBytes += JSON.stringify(f).length;
      wireTaskChanges += f.changes.filter((c) => c.kind === 'task').length;
      for (const c of f.changes)
        if (c.kind === 'service' && c.action !== 'delete' && !gatewayAt.has(c.object.Spec.Name))
          gatewayAt.set(c.object.Spec.Name, at);
    });
    await until('the bench socket connected', () => wire.connected, 15_000, 50);
    process.stderr.write(`${CONSOLES} consoles live; creating ${REPLICAS} replicas on ${NODES} nodes\n`);

    const started = Date.now();
    const load = await m.api('POST', '/services/create', {
      Name: 'load',
      TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
      Mode: { Replicated: { Replicas: REPLICAS } },
    });
    if (load.status !== 201) throw new Error(`create load: ${load.status} ${JSON.stringify(load.json)}`);
    const probes: string[] = [];
    let convergedAt = 0;
    while (!convergedAt) {
      if (Date.now() - started > CONVERGE_LIMIT_MS) throw new Error(`not converged in ${CONVERGE_LIMIT_MS} ms`);
      const tick = Date.now();
      const name = `probe-${probes.length}`;
      const r = await m.api('POST', '/services/create', {
        Name: name,
        TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
        Mode: { Replicated: { Replicas: 0 } },
      });
      if (r.status === 201) probes.push((r.json as { ID: string }).ID);
      const running = Number(RUNNING.exec(String((await m.api('GET', '/metrics')).json))?.[1] ?? 0);
      if (running >= REPLICAS) convergedAt = Date.now();
      await sleep(Math.max(0, PROBE_EVERY_MS - (Date.now() - tick)));
    }
    const convergeMs = convergedAt - started;
    process.stderr.write(`converged in ${fmtMs(convergeMs)}; ${probes.length} probes\n`);
    await sleep(2_000);

    const created = new Map<string, number>();
    for (const id of probes) {
      const s = (await m.api('GET', `/services/${id}`)).json as ServiceBody;
      created.set(s.Spec.Name, Date.parse(s.CreatedAt));
    }
    wire.close();
    process.stderr.write(
      `one console's stream: ${wireFrames} frames, ${(wireBytes / 2 ** 20).toFixed(1)} MiB, ${wireTaskChanges} task changes\n`,
    );
    const atGateway: number[] = [];
    for (const [name, at] of created) {
      const g = gatewayAt.get(name);
      if (g !== undefined) atGateway.push(g - at);
    }
    const lat: number[] = [];
    let missing = 0;
    for (const page of pages) {
      const seen = await page.evaluate(() => (window as unknown as { __probes: Record<string, number> }).__probes);
      for (const [name, at] of created) {
        if (seen[name] === undefined) missing++;
        else lat.push(seen[name]! - at);
      }
    }
    const p = (q: number) => pct(lat, q);
    const g = (q: number) => pct(atGateway, q);
    process.stderr.write(
      `at the gateway (CreatedAt → frame in a socket client): p50 ${fmtMs(g(50))}, p99 ${fmtMs(g(99))}, max ${fmtMs(Math.max(...atGateway))}\n`,
    );
    const row =
      `| ${CONSOLES} consoles, ${REPLICAS.toLocaleString('en')} tasks on ${NODES} sim nodes | ${created.size} × ${CONSOLES} ` +
      `| ${fmtMs(p(50))} | ${fmtMs(p(90))} | **${fmtMs(p(99))}** | ${fmtMs(Math.max(...lat))} | ${missing} ` +
      `| ${fmtMs(convergeMs)} | ${ratio(p(99), GOAL_P99_MS)} (goal p99 ≤ ${GOAL_P99_MS} ms) |`;
    const body = [
      '## P7: raft commit → DOM in 10 open consoles, while 10,000 tasks converge',
      '',
      `Machine: ${machineLine()}. Date: ${today()}.`,
      'Command: `npx next build && npm run bench:console -- --write`.',
      '',
      `One manager process (console in production mode, Engine API, ${NODES} simulated workers in process, SQLite`,
      `synchronous=FULL) and ${CONSOLES} Chromium pages (one browser, a context each, 1366×768) on /services, all on`,
      'the same 2 cores. A 10,000-replica service is created; until all its tasks run, a probe service is created',
      `every ${PROBE_EVERY_MS} ms. Each page's MutationObserver notes when a probe's name enters its DOM; a sample is that`,
      "moment minus the probe's CreatedAt (stamped by the leader before it proposes the entry), so it is an upper",
      'bound on commit → DOM. "Missing" counts probes a page never showed.',
      '',
      '| scenario | samples | p50 | p90 | p99 | max | missing | 10k tasks running after | p99 ÷ goal |',
      '|---|---|---|---|---|---|---|---|---|',
      row,
    ].join('\n');
    console.log(body);
    if (write) writeSection('console-freshness', body);
  } finally {
    await close();
  }
}

runBench(main);
