// Scheduling benchmarks (perf-anchors P2 and a 10k-task run). Not a test:
// `npm run bench [-- --write]` prints a table and, with --write, refreshes
// its section of bench/RESULTS.md. Bounded: fixed run counts and a 5-minute cap per run.
import { startBenchCluster } from './cluster';
import { machineLine, today, writeSection } from './report';

interface Scenario {
  name: string;
  nodes: number;
  replicas: number;
  runs: number;
  /** The anchor this run is compared with (spec/perf-anchors.md), on all-running time. */
  ref: { label: string; ms: number; stat: 'p50' | 'p99' };
}

const SCENARIOS: Scenario[] = [
  {
    name: 'P2: 10 replicas on 100 sim nodes',
    nodes: 100,
    replicas: 10,
    runs: 30,
    ref: { label: 'goal: all running p99 ≤ 500 ms', ms: 500, stat: 'p99' },
  },
  {
    name: '10,000 tasks on 1,000 sim nodes',
    nodes: 1000,
    replicas: 10_000,
    runs: 5,
    ref: { label: 'swarmkit 2016: 1.8 s to schedule in memory', ms: 1800, stat: 'p50' },
  },
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function main() {
  const write = process.argv.includes('--write');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const rows: string[] = [];
  for (const sc of SCENARIOS.filter((s) => !only || s.name.startsWith(only))) {
    const cluster = await startBenchCluster(sc.nodes, { speed: 0 });
    const assigned: number[] = [];
    const running: number[] = [];
    for (let i = 0; i < sc.runs; i++) {
      const r = await cluster.run(
        {
          Name: `bench-${i}`,
          Labels: {},
          TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, ForceUpdate: 0 },
          Mode: { Replicated: { Replicas: sc.replicas } },
        },
        sc.replicas,
      );
      assigned.push(r.assignedMs);
      running.push(r.runningMs);
      process.stderr.write(
        `${sc.name} run ${i + 1}/${sc.runs}: assigned ${fmt(r.assignedMs)}, running ${fmt(r.runningMs)}\n`,
      );
    }
    const rss = process.memoryUsage().rss / 1024 ** 2;
    await cluster.stop();
    const tput = (sc.replicas / (pct(running, 50) / 1000)).toFixed(0);
    const ratio = (pct(running, sc.ref.stat === 'p50' ? 50 : 99) / sc.ref.ms).toFixed(2);
    rows.push(
      `| ${sc.name} | ${sc.runs} | ${fmt(pct(assigned, 50))} | ${fmt(pct(assigned, 99))} | ${fmt(pct(running, 50))} | ${fmt(pct(running, 99))} | ${tput} tasks/s | ${rss.toFixed(0)} MiB | ${ratio}× (${sc.ref.label}) |`,
    );
  }
  const header =
    '| scenario | runs | all assigned p50 | all assigned p99 | all running p50 | all running p99 | throughput (p50) | RSS after | running time ÷ reference |\n|---|---|---|---|---|---|---|---|---|';
  const table = `${header}\n${rows.join('\n')}`;
  console.log(table);
  if (write) {
    writeSection(
      'scheduling',
      `## Scheduling (one in-process manager)\n\nMachine: ${machineLine()}. Date: ${today()}.\n` +
        'Command: `npm run bench -- --write`.\n\n' +
        'Each run creates one replicated service through the control API on an in-process manager (real store,\n' +
        'log on SQLite with synchronous=FULL, real control loops, dispatcher and agents) whose simulated executor\n' +
        'has zero step delays, so the times are the control plane: orchestrate → allocate → schedule → dispatch →\n' +
        'agent reports → status applied. The clock starts before the create call and stops when every task of the\n' +
        'service is observed RUNNING in the store. The service is removed between runs.\n\n' +
        table +
        '\n\nReferences (spec/perf-anchors.md): the P2 goal is all-assigned p99 ≤ 100 ms and all-running p99 ≤ 500 ms.\n' +
        'swarmkit scheduled 10k tasks on 1k nodes in 1.8 s in memory, without persisting or running them (2016 laptop);\n' +
        'the kube-scheduler CI floor is 680–810 pods/s. With few runs, p99 is the slowest run.\n',
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
