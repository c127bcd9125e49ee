// Raft benchmarks on real manager processes (spec/perf-anchors.md goals 1, 3
// and 4, and event-loop stalls). Not a test: `npm run bench:raft [-- --only=failover|throughput|latency|stall]
// [--write]` prints each table and, with --write, refreshes that benchmark's
// own section of bench/RESULTS.md. Bounded: fixed counts, a cap per run, and
// every manager process group is killed on the way out, even on failure.
import { runApiLatency } from './api-latency';
import { runFailover } from './failover';
import { killAllGroups } from './managers';
import { arg, writeSection } from './report';
import { runStall } from './stall';
import { parseCases, runThroughput } from './throughput-raft';

const SCENARIOS = {
  failover: () => runFailover({ trials: Number(arg('trials', '20')) }),
  throughput: () =>
    runThroughput({
      // tasks:per-service:in-flight:runs — the single big service shows the entry-size limit (see RESULTS.md)
      cases: parseCases(arg('cases', '10000:10000:1:1,8000:8000:1:3,100000:1000:5:3')),
      nodes: Number(arg('nodes', '1000')),
      capMs: Number(arg('cap-seconds', '300')) * 1000,
    }),
  latency: () => runApiLatency({ rate: Number(arg('rate', '100')), seconds: Number(arg('seconds', '30')) }),
  stall: () =>
    runStall({
      replicas: Number(arg('replicas', '10000')),
      nodes: Number(arg('nodes', '1000')),
      trials: Number(arg('trials', '3')),
      capMs: Number(arg('cap-seconds', '300')) * 1000,
      // --baseline: the numbers before a change, kept in a section of their own
      baseline: process.argv.includes('--baseline'),
      commit: arg('commit', ''),
    }),
} as const;

async function main() {
  const write = process.argv.includes('--write');
  const only = arg('only', '');
  const names = (only ? only.split(',') : Object.keys(SCENARIOS)) as (keyof typeof SCENARIOS)[];
  for (const name of names) {
    const run = SCENARIOS[name];
    if (!run) throw new Error(`unknown scenario ${name} (failover, throughput, latency, stall)`);
    const result: { table: string; section: string; id?: string } = await run();
    console.log(`\n${name}\n${result.table}`);
    if (write) writeSection(result.id ?? `raft-${name}`, result.section);
  }
}

main().then(
  () => {
    killAllGroups();
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    killAllGroups();
    process.exit(1);
  },
);
