// Engine API latency on a 3-manager cluster under a steady 100 mutations/s:
// open-loop (each request leaves on schedule, whatever earlier ones are
// doing), so a slow answer cannot hide the ones queued behind it. Phase 1
// sends the writes to the leader, phase 2 to a follower that forwards them;
// reads run at the same time, alternating between the leader and a follower.
import { startThreeManagers, type BenchManager } from './managers';
import { fmtMs, machineLine, pct, ratio, sleep, today } from './report';

const WRITE_GOAL_MS = 50;
const READ_GOAL_MS = 10;
const REQUEST_TIMEOUT_MS = 10_000;

interface Sample {
  ms: number;
  ok: boolean;
}

/** Fire `fire(i)` at `rate` per second for `seconds`; resolves when every request has finished. */
async function openLoop(rate: number, seconds: number, fire: (i: number) => Promise<void>): Promise<number> {
  const every = 1000 / rate;
  const n = Math.round(rate * seconds);
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  let maxLag = 0;
  for (let i = 0; i < n; i++) {
    const due = t0 + i * every;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxLag = Math.max(maxLag, performance.now() - due);
    inflight.push(fire(i));
  }
  await Promise.all(inflight);
  return maxLag;
}

async function timed(
  m: BenchManager,
  method: string,
  path: string,
  body?: unknown,
): Promise<Sample & { json: unknown }> {
  const t = performance.now();
  try {
    const r = await m.api(method, path, body, REQUEST_TIMEOUT_MS);
    return { ms: performance.now() - t, ok: r.status >= 200 && r.status < 300, json: r.json };
  } catch {
    return { ms: performance.now() - t, ok: false, json: undefined };
  }
}

const spec = (name: string) => ({
  Name: name,
  Labels: { 'swarmdeck.bench': 'api-latency' },
  TaskTemplate: { ContainerSpec: { Image: 'busybox:latest' } },
  Mode: { Replicated: { Replicas: 0 } },
});

/**
 * One phase: `rate` mutations/s to `writeTo` (alternately create a 0-replica service and remove the oldest
 * one this phase created, so the store stays small) and `rate` reads/s alternating between `readFrom` members
 * (`GET /services/<id>` and `GET /nodes`).
 */
async function phase(
  tag: string,
  writeTo: BenchManager,
  readFrom: [BenchManager, BenchManager],
  rate: number,
  seconds: number,
  stableServiceID: string,
) {
  const writes: Sample[] = [];
  const reads: [Sample[], Sample[]] = [[], []];
  const created: string[] = [];
  let seq = 0;
  const write = async (i: number) => {
    const id = i % 2 === 1 ? created.shift() : undefined;
    if (id) {
      writes.push(await timed(writeTo, 'DELETE', `/services/${id}`));
      return;
    }
    const r = await timed(writeTo, 'POST', '/services/create', spec(`lat-${tag}-${++seq}`));
    writes.push(r);
    if (r.ok) created.push((r.json as { ID: string }).ID);
  };
  const read = async (i: number) => {
    const side = i % 2;
    const path = Math.floor(i / 2) % 2 === 0 ? `/services/${stableServiceID}` : '/nodes';
    reads[side as 0 | 1].push(await timed(readFrom[side]!, 'GET', path));
  };
  const [writeLag, readLag] = await Promise.all([openLoop(rate, seconds, write), openLoop(rate, seconds, read)]);
  return { writes, reads, lag: Math.max(writeLag, readLag) };
}

export async function runApiLatency(opts: {
  rate: number;
  seconds: number;
}): Promise<{ table: string; section: string }> {
  const cluster = await startThreeManagers({ firstArgs: ['--sim-workers', '3'] });
  try {
    const leader = await cluster.healthy(90_000);
    const [f1, f2] = cluster.managers.filter((m) => m !== leader) as [BenchManager, BenchManager];
    const stable = await leader.api('POST', '/services/create', spec('lat-stable'));
    const stableID = (stable.json as { ID: string }).ID;
    // warm-up (JIT, connections), not measured
    await phase('warm', leader, [leader, f1], opts.rate, 3, stableID);
    await phase('warm2', f2, [leader, f1], opts.rate, 2, stableID);
    const viaLeader = await phase('leader', leader, [leader, f1], opts.rate, opts.seconds, stableID);
    const viaFollower = await phase('follower', f2, [leader, f1], opts.rate, opts.seconds, stableID);
    if ((await cluster.leader()) !== leader)
      throw new Error('leadership changed during the run; numbers are not comparable');

    const row = (name: string, xs: Sample[], goal: number) => {
      const ms = xs.filter((s) => s.ok).map((s) => s.ms);
      const errors = xs.length - ms.length;
      return `| ${name} | ${xs.length} | ${errors} | ${fmtMs(pct(ms, 50))} | ${fmtMs(pct(ms, 90))} | ${fmtMs(pct(ms, 99))} | ${fmtMs(Math.max(...ms))} | ${ratio(pct(ms, 99), goal)} (goal p99 ≤ ${goal} ms) |`;
    };
    const table = [
      '| requests | count | errors | p50 | p90 | p99 | max | p99 ÷ goal |',
      '|---|---|---|---|---|---|---|---|',
      row('writes → leader', viaLeader.writes, WRITE_GOAL_MS),
      row('writes → follower (forwarded to the leader)', viaFollower.writes, WRITE_GOAL_MS),
      row('reads ← leader', [...viaLeader.reads[0], ...viaFollower.reads[0]], READ_GOAL_MS),
      row('reads ← follower', [...viaLeader.reads[1], ...viaFollower.reads[1]], READ_GOAL_MS),
    ].join('\n');
    const lag = Math.max(viaLeader.lag, viaFollower.lag);
    const section = `## Engine API latency under 100 mutations/s (3 manager processes)

Machine: ${machineLine()}. Date: ${today()}.
Command: \`npm run bench:raft -- --only=latency --rate=${opts.rate} --seconds=${opts.seconds} --write\`.

Three manager processes on 127.0.0.1 as in the failover run (m1 with 3 simulated workers), SQLite synchronous=FULL.
The load generator (one Node process with keep-alive \`fetch\`, on the same 2 cores) is open-loop: a request leaves
on schedule whether or not earlier ones have answered; latency is from sending to the end of the response body.
Mutations at ${opts.rate}/s alternate \`POST /services/create\` (a 0-replica service) and \`DELETE /services/<id>\` of the
oldest one created, each a raft entry committed by a quorum (fsync on two of three) before the answer.
Phase 1 sends them to the leader, phase 2 to a follower, which forwards them to the leader over the cluster
transport; ${opts.seconds} s each after 5 s of unmeasured warm-up. During both phases reads run at ${opts.rate}/s too, alternating
between the leader and a follower and between \`GET /services/<id>\` and \`GET /nodes\` (served from the local
replica). The schedule never slipped by more than ${fmtMs(lag)}.

${table}

Goals (spec/perf-anchors.md, suggested goal 3): mutating calls p99 ≤ 50 ms, reads p99 ≤ 10 ms, at a sustained
100 mutations/s. Reference: the Kubernetes SLO is 1 s p99 for both; etcd on 2-vCPU machines wrote at 60/s with one client (p90 21 ms).
`;
    return { table, section };
  } finally {
    await cluster.destroy();
  }
}
