// Raft benchmarks on real manager processes (spec/perf-anchors.md goals 1, 3
// and 4). Not a test: `npm run bench:raft [-- --only=failover|throughput|latency]
// [--write]` prints each table and, with --write, refreshes that benchmark's
// own section of bench/RESULTS.md. Bounded: fixed counts, a cap per run, and
// every manager process group is killed on the way out, even on failure.
import { runApiLatency } from './api-latency';
import { runFailover } from './failover';
import { killAllGroups } from './managers';
import { arg, writeSection } from './report';
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
} as const;

async function main() {
  const write = process.argv.includes('--write');
  const only = arg('only', '');
  const names = (only ? only.split(',') : Object.keys(SCENARIOS)) as (keyof typeof SCENARIOS)[];
  for (const name of names) {
    const run = SCENARIOS[name];
    if (!run) throw new Error(`unknown scenario ${name} (failover, throughput, latency)`);
    const { table, section } = await run();
    console.log(`\n${name}\n${table}`);
    if (write) writeSection(`raft-${name}`, section);
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
