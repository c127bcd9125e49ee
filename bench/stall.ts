// Event-loop stalls on the leader while one service at the replica limit is
// created, scaled to 0 and removed, then created again and removed at full
// size, on three manager processes with simulated nodes. Each manager runs
// with SWARMDECK_LOOP_REPORT_MS, so it prints the worst event-loop delay of
// every window (perf_hooks.monitorEventLoopDelay); a phase's stall is the
// worst window that overlaps it. A stall past the election timeout would cost
// leadership: the term is checked on every manager before and after.
import { execSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { startThreeManagers, until, type BenchManager } from './managers';
import { fmtMs, machineLine, pct, sleep, today } from './report';

const WINDOW_MS = 100;
const POLL_MS = 250;
/** A phase is over once its condition holds and the leader's commit index stood still this long. */
const QUIET_MS = 1_500;
const HEAP_MB = 4096;
const LINE = /^event loop: max delay ([\d.]+) ms over (\d+) ms/;

interface Window {
  /** performance.now() when the line arrived: the window is [at - WINDOW_MS, at]. */
  at: number;
  maxMs: number;
}

type PhaseName = 'create' | 'scale to 0' | 'remove (at 0)' | 'create again' | 'remove (at full size)';
const PHASES: PhaseName[] = ['create', 'scale to 0', 'remove (at 0)', 'create again', 'remove (at full size)'];

interface PhaseResult {
  name: PhaseName;
  ms: number;
  leaderStallMs: number;
  followerStallMs: number;
}

interface Trial {
  phases: PhaseResult[];
  termBefore: number;
  termAfter: number;
  leaderChanged: boolean;
}

const spec = (name: string, replicas: number) => ({
  Name: name,
  Labels: { 'swarmdeck.bench': 'stall' },
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
  Mode: { Replicated: { Replicas: replicas } },
});

function collect(m: BenchManager): { windows: Window[]; stop: () => void } {
  const windows: Window[] = [];
  const stop = m.onLine((line) => {
    const x = LINE.exec(line);
    if (x) windows.push({ at: performance.now(), maxMs: Number(x[1]) });
  });
  return { windows, stop };
}

const worst = (ws: Window[], from: number, to: number) =>
  Math.max(0, ...ws.filter((w) => w.at >= from && w.at - WINDOW_MS <= to).map((w) => w.maxMs));

/** Running and desired tasks of one service as `m` sees them, or undefined when it is gone. */
async function counts(m: BenchManager, name: string) {
  const r = await m.api('GET', '/services?status=true', undefined, 10_000);
  const s = (
    r.json as { Spec: { Name: string }; ServiceStatus: { RunningTasks: number; DesiredTasks: number } }[]
  ).find((x) => x.Spec.Name === name);
  return s?.ServiceStatus;
}

/** Until `done` holds on `reader` and the leader's commit index has stood still for QUIET_MS. */
async function settle(what: string, leader: BenchManager, done: () => Promise<boolean>, capMs: number) {
  let lastCommit = -1;
  let quietSince = performance.now();
  await until(
    what,
    async () => {
      const h = await leader.health(5_000);
      if (!h) return false;
      if (h.commit !== lastCommit) {
        lastCommit = h.commit;
        quietSince = performance.now();
      }
      if (!(await done())) {
        quietSince = performance.now();
        return false;
      }
      return performance.now() - quietSince >= QUIET_MS;
    },
    capMs,
    POLL_MS,
  );
}

async function oneTrial(
  n: number,
  replicas: number,
  leader: BenchManager,
  follower: BenchManager,
  all: BenchManager[],
  capMs: number,
): Promise<Trial> {
  const leaderWs = collect(leader);
  const followerWs = all.filter((m) => m !== leader).map(collect);
  const terms = async () => Promise.all(all.map(async (m) => (await m.health(5_000))?.term ?? NaN));
  const before = await terms();
  const phases: PhaseResult[] = [];
  const name = `stall-${n}`;
  const phase = async (p: PhaseName, act: () => Promise<void>, done: () => Promise<boolean>) => {
    const t0 = performance.now();
    await act();
    await settle(`${p} of ${replicas} replicas`, leader, done, capMs);
    const t1 = performance.now();
    phases.push({
      name: p,
      ms: t1 - t0 - QUIET_MS,
      leaderStallMs: worst(leaderWs.windows, t0, t1),
      followerStallMs: Math.max(...followerWs.map((f) => worst(f.windows, t0, t1))),
    });
  };
  const expectStatus = (r: { status: number; json: unknown }, want: number, what: string) => {
    if (r.status !== want) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
  };
  const create = async (svc: string) =>
    expectStatus(await leader.api('POST', '/services/create', spec(svc, replicas), 60_000), 201, 'create');
  const remove = async (svc: string) =>
    expectStatus(await leader.api('DELETE', `/services/${svc}`, undefined, 60_000), 200, 'remove');
  const running = (svc: string, want: number) => async () => {
    const c = await counts(follower, svc).catch(() => undefined);
    return c?.RunningTasks === want && c.DesiredTasks === want;
  };
  const gone = (svc: string) => async () => {
    const r = await follower.api('GET', '/services', undefined, 10_000).catch(() => undefined);
    return !!r && !(r.json as { Spec: { Name: string } }[]).some((s) => s.Spec.Name === svc);
  };
  try {
    await phase('create', () => create(name), running(name, replicas));
    await phase(
      'scale to 0',
      async () => {
        const cur = (await leader.api('GET', `/services/${name}`)).json as { Version: { Index: number } };
        const r = await leader.api('POST', `/services/${name}/update?version=${cur.Version.Index}`, spec(name, 0));
        expectStatus(r, 200, 'scale');
      },
      running(name, 0),
    );
    await phase('remove (at 0)', () => remove(name), gone(name));
    await phase('create again', () => create(`${name}b`), running(`${name}b`, replicas));
    await phase('remove (at full size)', () => remove(`${name}b`), gone(`${name}b`));
  } finally {
    leaderWs.stop();
    for (const f of followerWs) f.stop();
  }
  const after = await terms();
  const leaderNow = await leader.health(5_000);
  return {
    phases,
    termBefore: Math.max(...before),
    termAfter: Math.max(...after),
    leaderChanged: leaderNow?.role !== 'leader',
  };
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export async function runStall(opts: {
  replicas: number;
  nodes: number;
  trials: number;
  capMs: number;
  baseline: boolean;
  /** The commit measured (default: git's HEAD). */
  commit?: string;
}): Promise<{ table: string; section: string; id: string }> {
  process.env.SWARMDECK_LOOP_REPORT_MS = String(WINDOW_MS);
  const cluster = await startThreeManagers({
    firstArgs: ['--sim-workers', String(opts.nodes - 3)],
    nodeArgs: [`--max-old-space-size=${HEAP_MB}`],
  });
  const trials: Trial[] = [];
  // the machine's 1-minute load while the trials run: the managers share its cores with whatever else runs
  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(loadavg()[0]!), 5_000);
  try {
    const leader = await cluster.healthy(180_000);
    await until(
      `${opts.nodes} nodes ready`,
      async () => {
        const r = await leader.api('GET', '/nodes', undefined, 10_000);
        return (
          (r.json as { Status: { State: string } }[]).filter((x) => x.Status.State === 'ready').length === opts.nodes
        );
      },
      180_000,
      500,
    );
    await sleep(2_000);
    for (let i = 0; i < opts.trials; i++) {
      // the leader of this trial (an election in an earlier one moves it): its loop is the one measured
      const current = await cluster.healthy(120_000);
      const follower = cluster.managers.find((m) => m !== current)!;
      const t = await oneTrial(i + 1, opts.replicas, current, follower, cluster.managers, opts.capMs);
      trials.push(t);
      process.stderr.write(
        `stall trial ${i + 1}/${opts.trials}: ` +
          t.phases.map((p) => `${p.name} ${fmtMs(p.ms)} (leader stall ${fmtMs(p.leaderStallMs)})`).join(', ') +
          `; term ${t.termBefore} → ${t.termAfter}\n`,
      );
    }
  } finally {
    clearInterval(sampler);
    await cluster.destroy();
  }
  const rows = PHASES.map((name) => {
    const ps = trials.map((t) => t.phases.find((p) => p.name === name)!).filter(Boolean);
    const l = ps.map((p) => p.leaderStallMs);
    const f = ps.map((p) => p.followerStallMs);
    const d = ps.map((p) => p.ms);
    return `| ${name} | ${ps.length} | ${fmtMs(pct(l, 50))} | **${fmtMs(Math.max(...l))}** | ${fmtMs(Math.max(...f))} | ${fmtMs(pct(d, 50))} |`;
  });
  const elections = trials.filter((t) => t.termAfter !== t.termBefore || t.leaderChanged).length;
  const terms = trials.map((t) => `${t.termBefore}→${t.termAfter}`).join(', ');
  const table = [
    '| phase | trials | worst stall on the leader p50 | max | worst stall on a follower (max) | phase time p50 |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const commit = opts.commit || gitCommit();
  const id = opts.baseline ? 'raft-stall-before' : 'raft-stall';
  const title = opts.baseline
    ? `## Event-loop stalls at the replica limit: before bounded passes (commit ${commit})`
    : '## Event-loop stalls at the replica limit (3 manager processes)';
  const section = `${title}

Machine: ${machineLine()}. Date: ${today()}.
Command: \`npm run bench:raft -- --only=stall --replicas=${opts.replicas} --nodes=${opts.nodes} --trials=${opts.trials} --write${opts.baseline ? ' --baseline' : ''}\`.

Three \`node --max-old-space-size=${HEAP_MB} --import tsx server/main.ts --no-console\` processes on 127.0.0.1 as in the
throughput run (m1 leads and hosts ${opts.nodes - 3} simulated nodes with zero-delay executors; ${opts.nodes} nodes in all), each with
\`SWARMDECK_LOOP_REPORT_MS=${WINDOW_MS}\`: the manager prints the worst event-loop delay of every ${WINDOW_MS} ms window
(\`perf_hooks.monitorEventLoopDelay\`). Per trial one service of ${opts.replicas.toLocaleString('en-US')} replicas is created (until
all run), scaled to 0 (until none is left), removed; then another is created and removed at full size. A phase
ends when its condition holds on a follower and the leader's commit index has not moved for ${QUIET_MS / 1000} s (not
counted in its time); its stall is the worst window overlapping it. Raft timing: tick 75 ms, heartbeat 1 tick,
election after 10–20 ticks (0.75–1.5 s).

${table}

Elections during the run: ${elections} (terms before→after per trial: ${terms}). The machine's 1-minute load
average during the trials: ${loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : 'not sampled'} (${cpus().length} cores).`;
  return { table, section, id };
}
