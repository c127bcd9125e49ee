// The /_ping probe, in a process of its own so the fuzzer's load does not
// bend its clock: one GET /_ping at a time on a fresh connection, wall time
// from connect to the last byte. Each ping goes out together with one to a
// control server (a bare node HTTP server in another process): on a machine
// busy with other work both slow down alike, so the manager's own stall is
// its latency beyond the control's. The parent says "stop" over IPC and gets
// every sample back.
//
//   node --import tsx test/fuzz/pinger-child.ts <port> <intervalMs>
//   node --import tsx test/fuzz/pinger-child.ts control

import { fork } from 'node:child_process';
import { createServer, request } from 'node:http';

export interface PingSample {
  /** Wall clock (epoch ms) when the ping was sent. */
  at: number;
  ms: number;
  /** The control server's answer time to the ping sent at the same moment. */
  controlMs: number;
  /** Set when there was no 200: the status, 'timeout' or the socket error. */
  error?: string;
}

const TIMEOUT_MS = 5_000;

function ping(port: number): Promise<{ ms: number; error?: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, ...(error ? { error } : {}) });
    };
    const req = request({ host: '127.0.0.1', port, path: '/_ping', agent: false }, (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode === 200 ? undefined : `status ${res.statusCode}`));
      res.on('error', (e) => finish(e.message));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish('timeout');
    }, TIMEOUT_MS);
    req.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
    req.end();
  });
}

function serveControl(): void {
  const server = createServer((_req, res) => res.end('OK'));
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send!(typeof a === 'object' && a ? a.port : 0);
  });
  process.on('disconnect', () => process.exit(0));
}

async function probe(port: number, intervalMs: number): Promise<void> {
  const control = fork(process.argv[1]!, ['control'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const controlPort = await new Promise<number>((r) => control.once('message', (m) => r(Number(m))));
  const samples: PingSample[] = [];
  let stopping = false;
  process.on('message', (msg: unknown) => {
    if (msg !== 'stop') return;
    stopping = true;
    control.kill();
    process.send!({ samples }, undefined, undefined, () => process.exit(0));
  });
  process.on('disconnect', () => {
    control.kill();
    process.exit(0);
  });
  process.send!('started');
  while (!stopping) {
    const at = Date.now();
    const [m, c] = await Promise.all([ping(port), ping(controlPort)]);
    samples.push({ at, ms: m.ms, controlMs: c.ms, ...(m.error ? { error: m.error } : {}) });
    await new Promise((r) => setTimeout(r, Math.max(1, intervalMs - m.ms)));
  }
}

if (process.argv[2] === 'control') serveControl();
else void probe(Number(process.argv[2]), Number(process.argv[3] ?? 20));
