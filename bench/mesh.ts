// The routing mesh under load (spec/perf-anchors.md goal 6, issue #10 P6), on
// real processes: a manager and three `swarmdeck agent` processes on
// 127.0.0.2-4, a 6-replica service of the built-in HTTP server (image nginx)
// published through the mesh. A load generator sends requests at a fixed rate
// (each on a new connection, so each is routed anew) to the three nodes'
// addresses while the service rolls to a new image with parallelism 2:
// stop-first and start-first, with and without a health check; a baseline run
// with no update; and a run where one agent is killed with SIGKILL. Then the
// mesh's overhead: requests/s and p99 through the mesh against a direct
// connection to the task, on the task's node and across the tunnel.
// Bounded: fixed rates and durations, a cap on every wait, every process killed.
//
//   npm run bench:mesh -- [--rate=400] [--seconds=14] [--write]

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Agent as HttpAgent, request } from 'node:http';
import type { Node, Task } from '../server/api/types';
import { killTaskProcesses, startAgent, type RunningAgent } from '../test/agents/agent-harness';
import { dockerCli, freePort, freePorts, startServer, tempDir, type RunningServer } from '../test/integration/harness';
import { arg, fmtMs, machineLine, pct, sleep, today, writeSection } from './report';
import { engineGet, pollFor } from './engine-poll';

const ADDRS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const REPLICAS = 6;
const WAIT_CAP_MS = 90_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Requests in flight past this are not sent (counted as skipped): the generator stays bounded. */
const MAX_IN_FLIGHT = 512;
const HEALTH = [
  '--health-cmd',
  `/usr/bin/python3 -c "import os,socket; socket.create_connection(('127.0.0.1', int(os.environ['PORT'])), 1)"`,
  '--health-interval',
  '1s',
  '--health-timeout',
  '2s',
];

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  latencies: number[];
  errors: Map<string, number>;
  /** When each failure happened (ms since the load started). */
  failedAt: number[];
  /** When each failed request was sent (ms since the load started). */
  failedSentAt: number[];
}

/** One GET on a new connection; resolves with its latency or rejects with why. */
function once(host: string, port: number, agent: HttpAgent | false = false): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Open loop: `rate` requests/s spread over `addrs`, until `stop()` says so (and at least `minMs`). */
async function load(addrs: string[], port: number, rate: number, minMs: number, stop: () => boolean) {
  const r: LoadResult = {
    sent: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    latencies: [],
    errors: new Map(),
    failedAt: [],
    failedSentAt: [],
  };
  const start = performance.now();
  const pending = new Set<Promise<void>>();
  const tickMs = 10;
  let due = 0;
  for (let tick = 0; ; tick++) {
    const elapsed = performance.now() - start;
    if (elapsed >= minMs && stop()) break;
    if (elapsed >= WAIT_CAP_MS * 2) break;
    due += (rate * tickMs) / 1000;
    while (due >= 1) {
      due--;
      if (pending.size >= MAX_IN_FLIGHT) {
        r.skipped++;
        continue;
      }
      const addr = addrs[r.sent % addrs.length]!;
      r.sent++;
      const sentAt = performance.now() - start;
      const p = once(addr, port).then(
        (ms) => {
          r.ok++;
          r.latencies.push(ms);
        },
        (err: Error & { code?: string }) => {
          r.failed++;
          r.failedAt.push(performance.now() - start);
          r.failedSentAt.push(sentAt);
          const why = `${addr}: ${err.code ?? err.message}`;
          r.errors.set(why, (r.errors.get(why) ?? 0) + 1);
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    const next = start + (tick + 1) * tickMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  await Promise.all(pending);
  return r;
}

interface Cluster {
  server: RunningServer;
  engine: string;
  docker: ReturnType<typeof dockerCli>;
  agents: RunningAgent[];
  /** The current run's service name and published port (each run has its own). */
  name: string;
  port: number;
  runs: number;
  dataPort: number;
  cluster: number;
  token: string;
  dataDir: string;
}

const get = engineGet;

const until = <T>(what: string, fn: () => Promise<T | undefined>, everyMs = 100): Promise<T> =>
  pollFor(what, fn, WAIT_CAP_MS, everyMs);

const tasksOf = (c: Cluster, name: string) =>
  get<Task[]>(c.engine, `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [name] }))}`);
const running = (ts: Task[]) => ts.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');

async function docker(c: Cluster, args: string[]): Promise<void> {
  const r = await c.docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
}

async function createWeb(c: Cluster, extra: string[]): Promise<void> {
  c.runs++;
  c.name = `web${c.runs}`;
  c.port = await freePort();
  await docker(c, [
    'service',
    'create',
    '-d',
    '--name',
    c.name,
    '--replicas',
    String(REPLICAS),
    '--constraint',
    'node.role==worker',
    '--update-parallelism',
    '2',
    // a replacement that fails to start (see the report) must not pause the update: the mesh is measured
    '--update-failure-action',
    'continue',
    '-p',
    `${c.port}:80`,
    ...extra,
    'nginx:v0',
  ]);
  await until('6 web tasks running', async () =>
    running(await tasksOf(c, c.name)).length === REPLICAS ? true : undefined,
  );
  // every node's listener has the full backend set before the run starts
  await sleep(1_500);
}

async function removeWeb(c: Cluster): Promise<void> {
  const ids = new Set((await tasksOf(c, c.name)).map((t) => t.ID));
  await docker(c, ['service', 'rm', c.name]);
  // its task processes end before the next run starts (the next run's CPU is its own)
  await until('the old tasks stopped', async () => {
    const left = (await get<Task[]>(c.engine, '/tasks')).filter((t) => ids.has(t.ID) && t.Status.State === 'running');
    return left.length === 0 ? true : undefined;
  });
}

interface Row {
  scenario: string;
  r: LoadResult;
  durationMs: number;
  updateMs?: number;
  note?: string;
}

async function updateRun(c: Cluster, scenario: string, rate: number, minMs: number, order: string, health: boolean) {
  await createWeb(c, health ? HEALTH : []);
  const before = new Set((await tasksOf(c, c.name)).map((t) => t.ID));
  let done = false;
  const t0 = performance.now();
  const loadP = load(ADDRS, c.port, rate, minMs, () => done);
  await sleep(2_000);
  const u0 = performance.now();
  await docker(c, ['service', 'update', '-d', '--update-order', order, '--image', 'nginx:v1', c.name]);
  await until(
    'every web task replaced',
    async () => {
      const now = running(await tasksOf(c, c.name));
      return now.length === REPLICAS && now.every((t) => !before.has(t.ID)) ? true : undefined;
    },
    50,
  );
  const updateMs = performance.now() - u0;
  await sleep(1_000);
  done = true;
  const r = await loadP;
  await removeWeb(c);
  return { scenario, r, durationMs: performance.now() - t0, updateMs };
}

async function baselineRun(c: Cluster, rate: number, minMs: number): Promise<Row> {
  await createWeb(c, []);
  const t0 = performance.now();
  const r = await load(ADDRS, c.port, rate, minMs, () => true);
  await removeWeb(c);
  return { scenario: 'no update (baseline)', r, durationMs: performance.now() - t0 };
}

/** Kill -9 the agent holding the most replicas while the load goes to the other two nodes' addresses. */
async function killRun(c: Cluster, rate: number, minMs: number): Promise<Row & { victimTasks: number }> {
  await createWeb(c, []);
  const ts = running(await tasksOf(c, c.name));
  const count = (a: RunningAgent) => ts.filter((t) => t.NodeID === a.nodeID()).length;
  const victim = [...c.agents].sort((a, b) => count(b) - count(a))[0]!;
  const victimTasks = count(victim);
  const addrs = ADDRS.filter((a) => a !== victim.opts.advertiseAddr);
  let done = false;
  const t0 = performance.now();
  const loadP = load(addrs, c.port, rate, minMs, () => done);
  await sleep(3_000);
  victim.kill('SIGKILL');
  await victim.exited();
  const killedAt = performance.now() - t0;
  await until(
    'replicas running on the survivors',
    async () => {
      const now = running(await tasksOf(c, c.name)).filter((t) => t.NodeID !== victim.nodeID());
      return now.length === REPLICAS ? true : undefined;
    },
    50,
  );
  const rescheduledMs = performance.now() - t0 - killedAt;
  await sleep(1_000);
  done = true;
  const r = await loadP;
  // the killed agent's task processes outlive it (adopted on restart); restart it for the next runs
  const i = c.agents.indexOf(victim);
  killTaskProcesses([victim.nodeID()]);
  c.agents[i] = await startAgent(victim.opts);
  await until('three workers ready', async () =>
    (await get<Node[]>(c.engine, '/nodes')).filter((n) => n.Spec.Role === 'worker' && n.Status.State === 'ready')
      .length === 3
      ? true
      : undefined,
  );
  await removeWeb(c);
  // sent before the kill and cut by it (spliced through the killed agent's tunnel end) vs sent after it
  const inFlight = r.failedSentAt.filter((t) => t < killedAt).length;
  const after = r.failedSentAt.filter((t) => t >= killedAt).length;
  return {
    scenario: 'kill -9 of one agent (no update)',
    r,
    durationMs: performance.now() - t0,
    victimTasks,
    note: `killed at ${fmtMs(killedAt)}, replicas running elsewhere ${fmtMs(rescheduledMs)} later; failed requests that were in flight at the kill: ${inFlight}, sent after the kill: ${after}`,
  };
}

// ---------- mesh overhead ----------

interface Overhead {
  path: string;
  conn: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

/** Closed loop: `workers` clients one request at a time for `ms`. */
async function closedLoop(host: string, port: number, workers: number, ms: number, keepAlive: boolean) {
  const agent = keepAlive ? new HttpAgent({ keepAlive: true, maxSockets: workers }) : false;
  const lat: number[] = [];
  let failed = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        try {
          lat.push(await once(host, port, agent));
        } catch {
          failed++;
        }
      }
    }),
  );
  if (agent) agent.destroy();
  return { rps: lat.length / (ms / 1000), p50: pct(lat, 50), p99: pct(lat, 99), failed };
}

/**
 * One task on w1, measured three ways. A host-mode task (the service label
 * com.swarmdeck.network.mode=host) listens on a host port, so it can be reached
 * directly too; a netns task (the default on a node that supports it) has only
 * its own address in the router's namespace, reached through the mesh alone.
 */
async function overhead(c: Cluster, seconds: number, clients = 16): Promise<Overhead[]> {
  const rows: Overhead[] = [];
  for (const mode of ['host', 'netns'] as const) {
    const name = `solo-${mode}`;
    const port = await freePort();
    await docker(c, [
      'service',
      'create',
      '-d',
      '--name',
      name,
      '--constraint',
      `node.id==${c.agents[0]!.nodeID()}`,
      ...(mode === 'host' ? ['--label', 'com.swarmdeck.network.mode=host'] : []),
      '-p',
      `${port}:80`,
      'nginx',
    ]);
    const task = await until(`${name} running`, async () => running(await tasksOf(c, name))[0]);
    await until('mesh answering', () => once(ADDRS[1]!, port).then(() => true));
    const paths: [string, string, number][] = [];
    if (mode === 'host') {
      const pid = task.Status.ContainerStatus?.PID;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const hostPort = Number(env.find((e) => e.startsWith('PORT='))?.slice(5));
      paths.push(['host-mode task: direct to its host port', '127.0.0.1', hostPort]);
    }
    const label = mode === 'host' ? 'host-mode task' : 'netns task';
    paths.push(
      [`${label}: mesh, same node`, ADDRS[0]!, port],
      [`${label}: mesh, another node (tunnel)`, ADDRS[1]!, port],
    );
    for (const keepAlive of [false, true]) {
      for (const [path, host, p] of paths) {
        await closedLoop(host, p, 8, 500, keepAlive); // warm-up
        const m = await closedLoop(host, p, clients, seconds * 1000, keepAlive);
        rows.push({ path, conn: keepAlive ? 'keep-alive' : 'new connection per request', ...m });
      }
    }
    await docker(c, ['service', 'rm', name]);
  }
  return rows;
}

// ---------- main ----------

async function main() {
  const rate = Number(arg('rate', '400'));
  const seconds = Number(arg('seconds', '14'));
  const overheadSeconds = Number(arg('overhead-seconds', '5'));
  const only = arg('only', '');
  const minMs = seconds * 1000;
  const loadAtStart = loadavg()[0]!;
  const data = tempDir('swarmdeck-bench-mesh-');
  const agents: RunningAgent[] = [];
  let server: RunningServer | undefined;
  const rows: Row[] = [];
  let killRow: (Row & { victimTasks: number }) | undefined;
  let over: Overhead[] = [];
  try {
    const ports = await freePorts();
    server = await startServer({
      dataDir: `${data.path}/manager`,
      ports,
      simWorkers: 0,
      extraArgs: ['--dispatcher-heartbeat', '1s', '--data-path-port', '0'],
    });
    const engine = `http://127.0.0.1:${ports.engine}`;
    const token = (await get<{ JoinTokens: { Worker: string } }>(engine, '/swarm')).JoinTokens.Worker;
    const dataPort = await freePort();
    for (const [i, addr] of ADDRS.entries()) {
      agents.push(
        await startAgent({
          join: `127.0.0.1:${ports.cluster}`,
          token,
          dataDir: `${data.path}/w${i + 1}`,
          hostname: `w${i + 1}`,
          advertiseAddr: addr,
          extraArgs: ['--data-path-port', String(dataPort)],
        }),
      );
    }
    const c: Cluster = {
      server,
      engine,
      docker: dockerCli(ports.engine, `${data.path}/docker-config`),
      agents,
      name: '',
      port: 0,
      runs: 0,
      dataPort,
      cluster: ports.cluster,
      token,
      dataDir: data.path,
    };
    const say = (row: Row) =>
      console.log(
        `${row.scenario}: sent ${row.r.sent}, failed ${row.r.failed}, skipped ${row.r.skipped}, p99 ${fmtMs(pct(row.r.latencies, 99))}` +
          (row.updateMs ? `, update ${fmtMs(row.updateMs)}` : '') +
          (row.r.errors.size ? ` errors ${JSON.stringify([...row.r.errors])}` : '') +
          (row.note ? ` (${row.note})` : ''),
      );
    if (!only || only === 'p6') {
      const runs: (() => Promise<Row>)[] = [
        () => baselineRun(c, rate, minMs),
        () => updateRun(c, 'stop-first, no health check', rate, minMs, 'stop-first', false),
        () => updateRun(c, 'start-first, no health check', rate, minMs, 'start-first', false),
        () => updateRun(c, 'stop-first, health check', rate, minMs, 'stop-first', true),
        () => updateRun(c, 'start-first, health check', rate, minMs, 'start-first', true),
      ];
      for (const run of runs) {
        const row = await run();
        rows.push(row);
        say(row);
      }
      killRow = await killRun(c, rate, minMs);
      say(killRow);
    }
    if (!only || only === 'overhead') {
      over = await overhead(c, overheadSeconds, Number(arg('overhead-clients', '16')));
      for (const o of over)
        console.log(
          `${o.path} / ${o.conn}: ${o.rps.toFixed(0)} req/s p50 ${fmtMs(o.p50)} p99 ${fmtMs(o.p99)} failed ${o.failed}`,
        );
    }
  } finally {
    const ids = agents.map((a) => a.nodeID());
    await Promise.all(agents.map((a) => a.stop(3_000)));
    killTaskProcesses(ids);
    await server?.stop();
    data.remove();
  }
  const loadAtEnd = loadavg()[0]!;
  console.log(`load average (1 min): ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end`);
  if (!process.argv.includes('--write')) return;
  const base = rows[0];
  const p99 = (r: LoadResult) => fmtMs(pct(r.latencies, 99));
  const table = [
    '| run | requests | failed | not sent (generator cap) | p50 | p99 | p99 ÷ baseline | update took |',
    '|---|---|---|---|---|---|---|---|',
    ...[...rows, ...(killRow ? [killRow] : [])].map(
      (row) =>
        `| ${row.scenario} | ${row.r.sent} | **${row.r.failed}** | ${row.r.skipped} | ${fmtMs(pct(row.r.latencies, 50))} | ${p99(row.r)} | ${
          base ? `${(pct(row.r.latencies, 99) / pct(base.r.latencies, 99)).toFixed(2)}×` : '—'
        } | ${row.updateMs ? fmtMs(row.updateMs) : '—'} |`,
    ),
  ].join('\n');
  const overTable = [
    '| path | connections | requests/s | p50 | p99 | failed |',
    '|---|---|---|---|---|---|',
    ...over.map(
      (o) => `| ${o.path} | ${o.conn} | ${o.rps.toFixed(0)} | ${fmtMs(o.p50)} | ${fmtMs(o.p99)} | ${o.failed} |`,
    ),
  ].join('\n');
  const killErrors = killRow ? [...killRow.r.errors].map(([k, v]) => `${k} ×${v}`).join(', ') : '';
  writeSection(
    'mesh',
    `## Routing mesh: rolling updates under load (P6) and overhead (manager + 3 agent processes)

Machine: ${machineLine()}. Date: ${today()}.
Command: \`npm run bench:mesh -- --rate=${rate} --seconds=${seconds} --write\`.
Load average (1 min) ${loadAtStart.toFixed(1)} at the start and ${loadAtEnd.toFixed(1)} at the end: the 2 cores were
shared with other work the whole time, so absolute latencies are those of a busy machine.
The agents run in netns mode (every task of a service published through ingress has its own
network namespace; the mesh's last hop relays through the node's netns router).

A manager (\`--executor sim --sim-workers 0 --dispatcher-heartbeat 1s\`, no tasks of its own) and three
\`swarmdeck agent\` processes on 127.0.0.2/3/4 (mesh tunnel on one data path port, default 1 s drain delay);
a service of ${REPLICAS} replicas of the built-in HTTP server (image \`nginx:v0\`) constrained to the workers,
\`--update-parallelism 2\`, published through the mesh. The load generator (in the bench process) sends
${rate} requests/s open loop, each a GET on a new TCP connection (so each is routed anew), in turn to the
three nodes' published ports, for at least ${seconds} s and until 1 s after the update converged; a request
fails on any error, a non-200 or no answer in 10 s. Each update run starts 2 s into the load with
\`docker service update --update-order … --image nginx:v1\` and ends when all ${REPLICAS} replicas are new
and RUNNING. "Health check" runs \`python3\` connecting to the task's port every 1 s (a task is a backend
only once healthy). The service is created anew for every run.

${table}

Goal (issue #10, perf-anchors goal 6): zero failed requests in every rolling-update run, p99 ≤ 2× the baseline.
The rate: two thirds of the requests cross the tunnel, and each pays a full mutual-TLS handshake (no
multiplexing yet). At 400 requests/s on this machine while it was busy (load 9-12), that exceeded the
tunnel's capacity in every run, the baseline included (39 failed: resets once the first hop's 5 s retry
budget ran out, and 3,060 not sent at the in-flight cap): overload, not the update. Not yet explained by
a measurement: the higher p99 of the stop-first and health-check runs; a connection that meets a
draining task on another node pays a second handshake for its retry, which fits that order of size.
${killRow ? `\nThe kill run: the load goes to the two surviving nodes' addresses (a client of a dead node's address cannot be served by anyone); ${killRow.victimTasks} replicas were on the killed agent; ${killRow.note}. Errors: ${killErrors || 'none'}.` : ''}

### Mesh overhead (one task on w1; ${overheadSeconds} s per row, 16 clients in a closed loop)

${overTable}

"Direct" connects to a host-mode task's own host port (only a host-mode task has one; a netns task's
address lives in the router's namespace); "same node" goes through w1's published-port listener to
its local task (host mode: a TCP connection to the host port; netns mode: the router's relay over a
Unix socket into the task's namespace); "another node" enters at w2, whose first hop opens a mutually
authenticated TLS stream to w1's tunnel per proxied connection (no multiplexing yet), so a new
connection per request pays a TLS handshake.`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
