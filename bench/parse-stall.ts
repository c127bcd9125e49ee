// The longest the event loop stalls while a listener takes in JSON: the
// biggest and the costliest bodies the Engine/console API admits, the ones it
// refuses (too deep, too many values, 50 MB), and cluster frames at their
// bounds. Bodies arrive over real HTTP from curl (its own process) at the
// listener the APIs use, and the stall is the longest gap of a 1 ms timer in
// this process while the request is in. Frames are fed to the transport's
// decoder as their socket would (64 KiB chunks); the stall is the longest
// single push. A raft election starts after 750 ms–1.5 s without a heartbeat,
// so the goal is tens of ms.
//
//   npm run bench:parse -- [--trials=5] [--write]

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readJSONBody } from '../server/http/json-body';
import { API_JSON_BOUNDS } from '../server/net/bounded-json';
import { createHttpListener } from '../server/net/http-listener';
import { LISTENER_LIMITS } from '../server/net/listener-limits';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from '../server/raft/transport/frames';
import { tempDir } from '../test/integration/harness';
import { arg, fmtMs, machineLine, pct, today, writeSection } from './report';

const TRIALS = Number(arg('trials', '5'));
const MAX = API_JSON_BOUNDS.maxBytes;

/** The longest gap between ticks of a 1 ms timer, since the last reset. */
function stallMeter() {
  let last = performance.now();
  let worst = 0;
  const t = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  return {
    reset() {
      last = performance.now();
      worst = 0;
    },
    worst: () => worst,
    stop: () => clearInterval(t),
  };
}

/** `n` distinct keys `k<off>…`, as one object's members. */
const members = (n: number, off = 0) => Array.from({ length: n }, (_, i) => `"k${off + i}":0`).join(',');
/** As many copies of `unit` (joined by commas, in an array) as stay within `values` values and `bytes` bytes. */
function repeat(unit: string, unitValues: number, values: number, bytes = MAX): string {
  const n = Math.min(Math.floor((values - 2) / unitValues), Math.floor((bytes - 2) / (unit.length + 1)));
  return `[${Array(n).fill(unit).join(',')}]`;
}

interface ApiCase {
  name: string;
  body: string | { bytes: number; chunked: boolean };
}

const V = API_JSON_BOUNDS.maxValues;
const API_CASES: ApiCase[] = [
  { name: 'empty body (baseline)', body: '' },
  {
    name: 'admitted: a 1000 KB config in base64',
    body: JSON.stringify({ Name: 'app.conf', Data: Buffer.alloc(1000 * 1024, 7).toString('base64') }),
  },
  {
    name: 'admitted: a spec with 20,000 env vars',
    body: JSON.stringify({
      Name: 'big',
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx', Env: Array.from({ length: 20_000 }, (_, i) => `V${i}=${'v'.repeat(100)}`) },
      },
    }),
  },
  { name: `admitted: ${V.toLocaleString('en')} values as \`{},\``, body: repeat('{}', 2, V) },
  {
    name: 'admitted: 5,263 objects of 9 distinct keys',
    body: `[${Array.from({ length: 5_263 }, (_, j) => `{${members(9, j * 9)}}`).join(',')}]`,
  },
  {
    name: 'admitted: 100 objects of 490 distinct keys',
    body: `[${Array.from({ length: 100 }, (_, j) => `{${members(490, j * 490)}}`).join(',')}]`,
  },
  { name: 'admitted: one object of 49,999 keys', body: `{${members(49_999)}}` },
  { name: 'admitted: 64 levels deep, repeated', body: repeat('['.repeat(63) + ']'.repeat(63), 64, V) },
  { name: 'refused: 4 MiB of `{},` (too many values)', body: `[${'{},'.repeat(Math.floor((MAX - 4) / 3))}{}]` },
  { name: 'refused: 4 MiB of `[` (too deep)', body: '['.repeat(MAX) },
  { name: 'refused: 50 MB, Content-Length', body: { bytes: 50_000_000, chunked: false } },
  { name: 'refused: 50 MB, chunked', body: { bytes: 50_000_000, chunked: true } },
];

function curl(port: number, file: string, chunked: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Content-Type: application/json'];
    if (chunked) args.push('-H', 'Transfer-Encoding: chunked');
    args.push('--data-binary', `@${file}`, `http://127.0.0.1:${port}/bench`);
    const p = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', () => resolve(Number(out)));
  });
}

interface Row {
  name: string;
  bytes: number;
  answer: string;
  max: number;
  p50: number;
  /** CPU time this process spent on the input (median), which other load on the machine does not inflate. */
  cpu: number;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function apiRows(): Promise<Row[]> {
  const dir = tempDir('swarmdeck-bench-parse-');
  const { server } = createHttpListener('bench', LISTENER_LIMITS.engine, (req, res) => {
    readJSONBody(req, API_JSON_BOUNDS).then(
      () => res.writeHead(200).end(),
      (err: { status?: number }) => {
        res.writeHead(err.status ?? 500, { Connection: 'close' });
        res.end();
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const meter = stallMeter();
  const rows: Row[] = [];
  try {
    for (const c of API_CASES) {
      const file = join(dir.path, 'body');
      const chunked = typeof c.body === 'object' && c.body.chunked;
      const data = typeof c.body === 'string' ? Buffer.from(c.body) : Buffer.alloc(c.body.bytes, 0x20);
      writeFileSync(file, data);
      const stalls: number[] = [];
      const cpus: number[] = [];
      const answers = new Set<number>();
      for (let t = 0; t < TRIALS; t++) {
        await new Promise((r) => setTimeout(r, 50));
        meter.reset();
        const c0 = process.cpuUsage();
        answers.add(await curl(port, file, chunked));
        cpus.push(cpuMs(c0));
        stalls.push(meter.worst());
      }
      rows.push({
        cpu: pct(cpus, 50),
        name: c.name,
        bytes: data.length,
        answer: [...answers].join('/'),
        max: Math.max(...stalls),
        p50: pct(stalls, 50),
      });
      console.log(`${c.name}: ${[...answers].join('/')} stall max ${fmtMs(Math.max(...stalls))}`);
    }
  } finally {
    meter.stop();
    server.closeAllConnections();
    server.close();
    dir.remove();
  }
  return rows;
}

function frameOf(text: string): Buffer {
  const body = Buffer.from(text);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(body.length, 0);
  return Buffer.concat([h, body]);
}

/** A raft append of ~1 KiB entries whose data are JSON strings, as raft sends them. */
function raftFrame(bytes: number): string {
  const entry = (i: number) => ({
    index: i,
    term: 3,
    type: 'normal',
    data: JSON.stringify({ t: 'task', pad: 'p'.repeat(900) }),
  });
  const entries = [];
  let size = 0;
  for (let i = 1; size < bytes - 2_000; i++) {
    const e = entry(i);
    entries.push(e);
    size += JSON.stringify(e).length + 1;
  }
  return JSON.stringify({ t: 'msg', m: { type: 'app', from: 'a', to: 'b', term: 3, entries } });
}

/** A page of task assignments as the leader sends it: real task objects, the same keys in each. */
function assignmentsFrame(bytes: number): string {
  const task = (i: number) => ({
    ID: `task${String(i).padStart(21, '0')}`,
    Version: { Index: 1000 + i },
    CreatedAt: '2026-01-01T00:00:00.000Z',
    UpdatedAt: '2026-01-01T00:00:00.000Z',
    Labels: {},
    Spec: {
      ContainerSpec: { Image: 'nginx:alpine', Env: ['A=1', 'B=2'], Init: false },
      Resources: { Limits: {}, Reservations: {} },
      RestartPolicy: { Condition: 'any', Delay: 5e9, MaxAttempts: 0 },
      Placement: {},
      ForceUpdate: 0,
    },
    ServiceID: 'svc0000000000000000000001',
    Slot: i,
    NodeID: 'node000000000000000000001',
    Status: { Timestamp: '2026-01-01T00:00:00.000Z', State: 'assigned', Message: 'scheduler assigned task to node' },
    DesiredState: 'running',
  });
  const changes = [];
  let size = 0;
  for (let i = 1; size < bytes - 2_000; i++) {
    const c = { action: 'update', task: task(i) };
    changes.push(c);
    size += JSON.stringify(c).length + 1;
  }
  return JSON.stringify({ t: 'res', id: 1, ok: true, p: { type: 'incremental', changes } });
}

function frameRows(): Row[] {
  const agentValues = API_JSON_BOUNDS.maxValues;
  const cases: { name: string; text: string; maxValues: number }[] = [
    {
      name: 'member frame: an 8 MiB raft append (string entries)',
      text: raftFrame(DEFAULT_MAX_FRAME_BYTES),
      maxValues: Infinity,
    },
    {
      name: 'member frame: a 2 MiB page of task assignments',
      text: assignmentsFrame(2 * 1024 * 1024),
      maxValues: Infinity,
    },
    {
      name: 'agent frame: 5,262 objects of 9 distinct keys',
      text: `{"t":"msg","m":[${Array.from({ length: 5_262 }, (_, j) => `{${members(9, j * 9)}}`).join(',')}]}`,
      maxValues: agentValues,
    },
    {
      name: 'agent frame refused: 8 MiB of `0,` (too many values)',
      text: `{"t":"msg","m":[${'0,'.repeat(4_000_000)}0]}`,
      maxValues: agentValues,
    },
  ];
  const rows: Row[] = [];
  for (const c of cases) {
    const frame = frameOf(c.text);
    const stalls: number[] = [];
    const cpus: number[] = [];
    let answer = 'decoded';
    for (let t = 0; t < TRIALS; t++) {
      const dec = new FrameDecoder(DEFAULT_MAX_FRAME_BYTES, undefined, c.maxValues);
      let worst = 0;
      const c0 = process.cpuUsage();
      for (let i = 0; i < frame.length; i += 64 * 1024) {
        const t0 = performance.now();
        try {
          dec.push(frame.subarray(i, i + 64 * 1024));
        } catch (err) {
          answer = `refused (${(err as Error).message.replace(/^frame of \d+ bytes /, '')})`;
        }
        worst = Math.max(worst, performance.now() - t0);
      }
      cpus.push(cpuMs(c0));
      stalls.push(worst);
    }
    rows.push({
      name: c.name,
      bytes: frame.length,
      answer,
      max: Math.max(...stalls),
      p50: pct(stalls, 50),
      cpu: pct(cpus, 50),
    });
    console.log(`${c.name}: ${answer} stall max ${fmtMs(Math.max(...stalls))}`);
  }
  return rows;
}

/** What the code before these bounds did: JSON.parse whatever came (up to 32 MiB; 8 MiB here spares the memory). */
function beforeRows(): Row[] {
  const text = '['.repeat(4 * 1024 * 1024) + ']'.repeat(4 * 1024 * 1024);
  const parse = (name: string, t: string): Row => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    JSON.parse(t);
    const ms = performance.now() - t0;
    return { name, bytes: t.length, answer: 'parsed', max: ms, p50: ms, cpu: cpuMs(c0) };
  };
  return [
    parse('before: 8 MiB of nested `[`…`]`, JSON.parse', text),
    parse('before: 4 MiB of `{},`, JSON.parse', `[${'{},'.repeat(Math.floor((MAX - 4) / 3))}{}]`),
  ];
}

async function main() {
  const rows = [...(await apiRows()), ...frameRows(), ...beforeRows()];
  const table = [
    '| input | bytes | answer | stall p50 | stall max | CPU p50 |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.bytes.toLocaleString('en')} | ${r.answer} | ${fmtMs(r.p50)} | ${fmtMs(r.max)} | ${fmtMs(r.cpu)} |`,
    ),
  ].join('\n');
  const bounded = rows.filter((r) => !r.name.startsWith('before'));
  const worst = bounded.reduce((a, b) => (b.max > a.max ? b : a));
  const dearest = bounded.reduce((a, b) => (b.cpu > a.cpu ? b : a));
  const load = loadavg()[0]!.toFixed(1);
  const body = `## Parse stall: the longest event-loop block while a listener takes in JSON

Machine: ${machineLine()}. Date: ${today()}. Load average while it ran: ${load}.
Command: \`npm run bench:parse -- --trials=${TRIALS} --write\`.

API bodies go over real HTTP from curl to the listener the Engine and console APIs use (the engine's
limits) and through the same bounded reader (4 MiB, 64 levels, ${V.toLocaleString('en')} values); the stall is the longest
gap of a 1 ms timer in the listening process while the request is in, and CPU is what this process spent
on it (spawning curl included: see the baseline). Cluster frames are fed to the transport's decoder in
64 KiB chunks with the bounds of their sender (a member's frames: 8 MiB; any other caller's: also
${V.toLocaleString('en')} values); the stall is the longest single push. ${TRIALS} trials each. Stalls include any time other
processes held the CPU; on a shared machine the CPU column is the steadier figure.

${table}

Of everything the bounds let through or refuse, the dearest to parse costs **${fmtMs(dearest.cpu)} of CPU**
(${dearest.name}); the longest stall seen was ${fmtMs(worst.max)} (${worst.name}) with the machine's other
load on top. A raft election starts after 750 ms–1.5 s without a heartbeat. Parse time follows the number of values
far more than the size, and distinct object keys are the dearest values (each is a new hidden class), which
is why the bounds count values and weigh members double; a base64 payload costs next to nothing. Members'
frames are bounded by size only: raft entries and snapshot chunks travel as strings. Before these bounds the
Engine API parsed whatever arrived, up to 32 MiB: the "before" rows are that parse on this machine.`;
  console.log(`\n${body}`);
  if (process.argv.includes('--write')) writeSection('parse-stall', body);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
