// The embedded DNS server's throughput and latency over UDP on loopback: the server in this
// process with a 1,000-service × 10-task view, a load generator in a child process keeping a
// fixed number of queries in flight (`web` → VIP and `tasks.web` → 10 addresses, alternating).
// Three runs; the table shows the median run.
//
//   npm run bench:dns -- [--queries=50000] [--window=64] [--write]

import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { loadavg } from 'node:os';
import { network, service, task } from '../server/dns/dns-fixtures';
import { queryBytes } from '../server/dns/fake-upstream';
import { DnsServer } from '../server/dns/server';
import { arg, fmtMs, machineLine, pct, today, writeSection } from './report';

const QUERIES = Number(arg('queries', '50000'));
const WINDOW = Number(arg('window', '64'));
const SERVICES = 1_000;
const TASKS_PER_SERVICE = 10;

interface RunResult {
  qps: number;
  p50: number;
  p99: number;
  lost: number;
}

/** The child: sends QUERIES queries, WINDOW in flight, and prints its measurements as JSON. */
async function loadGenerator(addr: string, asker: string): Promise<void> {
  const [host, port] = addr.split(':') as [string, string];
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, asker, () => r()));
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let sent = 0;
  let lost = 0;
  const names = ['svc7', 'tasks.svc7'];
  const t0 = performance.now();
  await new Promise<void>((done) => {
    const sendOne = () => {
      if (sent >= QUERIES) {
        if (sentAt.size === 0) {
          clearInterval(sweep);
          done();
        }
        return;
      }
      const q = queryBytes(names[sent % 2]!);
      sentAt.set(q.readUInt16BE(0), performance.now());
      sent++;
      socket.send(q, Number(port), host);
    };
    socket.on('message', (msg) => {
      const at = sentAt.get(msg.readUInt16BE(0));
      if (at === undefined) return;
      sentAt.delete(msg.readUInt16BE(0));
      latencies.push(performance.now() - at);
      sendOne();
    });
    // a datagram lost on a loaded machine must not stall the window
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [id, at] of sentAt)
        if (now - at > 1_000) {
          sentAt.delete(id);
          lost++;
          sendOne();
        }
    }, 250);
    for (let i = 0; i < WINDOW; i++) sendOne();
  });
  const seconds = (performance.now() - t0) / 1000;
  socket.close();
  const result: RunResult = { qps: latencies.length / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), lost };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(addr: string, asker: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/dns.ts',
        `--client=${addr}`,
        `--asker=${asker}`,
        `--queries=${QUERIES}`,
        `--window=${WINDOW}`,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as RunResult) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const client = arg('client', '');
  if (client) return loadGenerator(client, arg('asker', '127.0.0.1'));

  const nets = [network('n-app', 'appnet')];
  const services = Array.from({ length: SERVICES }, (_, s) =>
    service(`s${s}`, `svc${s}`, { vips: { 'n-app': `10.${s >> 8}.${s & 255}.2/8` } }),
  );
  const tasks = services.flatMap((svc, s) =>
    Array.from({ length: TASKS_PER_SERVICE }, (_, i) =>
      task(`t${s}-${i}`, svc, { slot: i + 1, nets: { 'n-app': `10.${s >> 8}.${s & 255}.${i + 10}/8` } }),
    ),
  );
  // the asker: a task on appnet whose address is the load generator's source
  const asker = task('asker', services[0]!, { slot: 99, nets: { 'n-app': '127.0.0.31/8' } });
  const dns = new DnsServer();
  dns.update({ networks: nets, services, tasks: [...tasks, asker] });
  const listener = await dns.listen('127.0.0.11', 0);
  const runs: RunResult[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runChild(`127.0.0.11:${listener.port}`, '127.0.0.31');
    console.log(
      `run ${i + 1}: ${r.qps.toFixed(0)} queries/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}, lost ${r.lost}`,
    );
    runs.push(r);
  }
  await dns.close();
  const median = [...runs].sort((a, b) => a.qps - b.qps)[1]!;
  const load = loadavg()[0]!.toFixed(1);
  const body = `## Embedded DNS over UDP (loopback)

Machine: ${machineLine()}. Date: ${today()}. Load average while it ran: ${load}.
Command: \`npm run bench:dns -- --queries=${QUERIES} --window=${WINDOW} --write\`.

One \`DnsServer\` (server/dns) on 127.0.0.11 holding ${SERVICES.toLocaleString('en')} services × ${TASKS_PER_SERVICE} tasks on one
network; a load generator in its own process, bound to an address a task of the view holds (so every
question is scoped by source address), keeps ${WINDOW} queries in flight until ${QUERIES.toLocaleString('en')} are answered,
alternating \`svcN\` (one VIP) and \`tasks.svcN\` (${TASKS_PER_SERVICE} shuffled addresses). Latency is from send to reply in
the generator. Three runs; the row is the median run by queries/s (all runs: ${runs.map((r) => r.qps.toFixed(0)).join(', ')}).

| scenario | queries | in flight | queries/s | p50 | p99 | lost |
|---|---|---|---|---|---|---|
| UDP, answered from the view | ${QUERIES.toLocaleString('en')} | ${WINDOW} | ${median.qps.toFixed(0)} | ${fmtMs(median.p50)} | ${fmtMs(median.p99)} | ${median.lost} |

libnetwork's resolver answers the same names from its in-memory tables; its docs give no throughput
figure to compare with. The machine is shared by other work (see the load average), so the numbers
are a floor.`;
  console.log(body);
  if (process.argv.includes('--write')) writeSection('dns-udp', body);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
