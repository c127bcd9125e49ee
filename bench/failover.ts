// Failover: kill -9 of the leader of three manager processes on loopback, and
// the time until the first write sent after the kill is acknowledged (2xx)
// by a surviving manager's Engine API. A steady probe writer sends a tiny
// service create (0 replicas) every PROBE_EVERY_MS, alternating between the
// survivors; the killed manager is restarted between trials so each trial
// starts from three healthy managers.
import { startThreeManagers, type BenchManager } from './managers';
import { fmtMs, machineLine, pct, ratio, sleep, today } from './report';

const PROBE_EVERY_MS = 20;
const PROBE_TIMEOUT_MS = 10_000;
/** Give up on a trial this long after the kill. */
const TRIAL_CAP_MS = 30_000;
const GOAL_MS = 2_000;

interface Trial {
  failoverMs: number;
  /** Kill → a survivor logs that it leads (its leader loops start). */
  electedMs: number;
  /** Non-2xx answers or errors to probes sent after the kill, before the first 2xx. */
  refusedBefore: number;
}

const probeSpec = (name: string) => ({
  Name: name,
  Labels: { 'swarmdeck.bench': 'failover' },
  TaskTemplate: { ContainerSpec: { Image: 'busybox:latest' } },
  Mode: { Replicated: { Replicas: 0 } },
});

async function trial(n: number, old: BenchManager, survivors: BenchManager[]): Promise<Trial> {
  let killAt = Number.POSITIVE_INFINITY;
  let firstOk = Number.POSITIVE_INFINITY;
  let okBefore = 0;
  let refusedBefore = 0;
  let elected = Number.POSITIVE_INFINITY;
  const offs = survivors.map((m) =>
    m.onLine((line) => {
      if (/^raft: \w+ is the leader/.test(line) && performance.now() > killAt)
        elected = Math.min(elected, performance.now());
    }),
  );

  // the probe writer: one request every PROBE_EVERY_MS, not waiting for earlier ones (so a hung
  // request to the dead leader does not hide when writes start working again)
  let stop = false;
  const inflight: Promise<void>[] = [];
  let seq = 0;
  const writer = (async () => {
    for (let i = 0; !stop && i < (TRIAL_CAP_MS + 5_000) / PROBE_EVERY_MS; i++) {
      const m = survivors[i % survivors.length]!;
      const sentAt = performance.now();
      inflight.push(
        m
          .api('POST', '/services/create', probeSpec(`probe-${n}-${++seq}`), PROBE_TIMEOUT_MS)
          .then((r) => r.status >= 200 && r.status < 300)
          .catch(() => false)
          .then((ok) => {
            const at = performance.now();
            if (sentAt < killAt) {
              if (ok) okBefore++;
              return;
            }
            if (ok) firstOk = Math.min(firstOk, at);
            else if (at < firstOk) refusedBefore++;
          }),
      );
      await sleep(PROBE_EVERY_MS);
    }
  })();

  try {
    await sleep(600); // the writer in steady state first
    killAt = performance.now();
    await old.kill9();
    const deadline = killAt + TRIAL_CAP_MS;
    while (firstOk === Number.POSITIVE_INFINITY && performance.now() < deadline) await sleep(5);
  } finally {
    stop = true;
    await writer;
    await Promise.all(inflight);
    for (const off of offs) off();
  }
  if (okBefore === 0) throw new Error(`trial ${n}: no probe write succeeded before the kill`);
  if (firstOk === Number.POSITIVE_INFINITY)
    throw new Error(`trial ${n}: no write accepted ${TRIAL_CAP_MS} ms after the kill`);
  return { failoverMs: firstOk - killAt, electedMs: elected - killAt, refusedBefore };
}

export async function runFailover(opts: { trials: number }): Promise<{ table: string; section: string }> {
  const cluster = await startThreeManagers();
  const trials: Trial[] = [];
  try {
    for (let n = 1; n <= opts.trials; n++) {
      const old = await cluster.healthy(90_000);
      const survivors = cluster.managers.filter((m) => m !== old);
      const t = await trial(n, old, survivors);
      trials.push(t);
      process.stderr.write(
        `failover trial ${n}/${opts.trials}: killed ${old.name}; leader logged at ${fmtMs(t.electedMs)}, first write acknowledged at ${fmtMs(t.failoverMs)} (${t.refusedBefore} probes refused before)\n`,
      );
      const next = await cluster.leader();
      if (next === old) throw new Error('the killed manager is still the leader');
      await old.start(); // same data dir and ports: it rejoins as a follower
    }
  } finally {
    await cluster.destroy();
  }
  const f = trials.map((t) => t.failoverMs);
  const e = trials.map((t) => t.electedMs).filter(Number.isFinite);
  const row = (name: string, xs: number[]) =>
    `| ${name} | ${xs.length} | ${fmtMs(pct(xs, 50))} | ${fmtMs(pct(xs, 90))} | ${fmtMs(pct(xs, 99))} | ${fmtMs(Math.min(...xs))} | ${fmtMs(Math.max(...xs))} |`;
  const table = [
    '| kill -9 leader → | trials | p50 | p90 | p99 | min | max |',
    '|---|---|---|---|---|---|---|',
    row('new leader logs it leads', e),
    row('**first write acknowledged (2xx)**', f),
  ].join('\n');
  const refused = trials.reduce((s, t) => s + t.refusedBefore, 0);
  const p99 = pct(f, 99);
  const section = `## Leader failover (3 manager processes)

Machine: ${machineLine()}. Date: ${today()}.
Command: \`npm run bench:raft -- --only=failover --trials=${opts.trials} --write\`.

Three \`node --import tsx server/main.ts --no-console\` processes on 127.0.0.1 (own process groups, data dirs
on the local disk, SQLite synchronous=FULL), raft tick 75 ms, heartbeat 1 tick, election 10 ticks
(a follower campaigns 0.75–1.5 s after the last heartbeat). Each trial starts from three healthy managers
(three voters, all following the leader, every manager reachable from every member); a probe writer
sends \`POST /services/create\` (a 0-replica service) every ${PROBE_EVERY_MS} ms, alternating between the two
managers that will survive, without waiting for earlier probes. After 600 ms of steady writes the leader's
process group gets SIGKILL; the time is from the kill to the first 2xx of a probe sent after the kill.
"New leader logs it leads" is when a survivor prints that its leader loops started. The killed manager is
restarted on its data dir between trials, so the leadership rotates. ${refused} probes were refused or
failed (503 / lost connection) in all trials before their trial's first acknowledged write.

${table}

Goal (spec/perf-anchors.md, suggested goal 4): first acknowledged write ≤ 2 s p99 → **p99 ${fmtMs(p99)} = ${ratio(p99, GOAL_MS)} the goal**
(${p99 <= GOAL_MS ? 'met' : 'not met'}). References: swarmkit's defaults (1 s tick, election 10 ticks) give about 20 s in the worst
case; etcd's defaults (100 ms heartbeat, 1 s election) about 1–2 s. With ${trials.length} trials, p99 is the slowest trial.
`;
  return { table, section };
}
