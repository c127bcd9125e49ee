// The listeners of a real manager process (console, Engine API and cluster
// port). Malformed URLs get a 400 and the process lives on. Slow clients: 2,000
// half-open requests, or 2,000 parked frames, held from a child process and
// four 127.0.0.x addresses, are refused past the per-peer limits and closed by
// the deadlines; meanwhile every listener, the one under attack included,
// keeps answering legitimate clients on 127.0.0.1. From sixteen addresses, the
// listener's total is what refuses: a client with a connection open is still
// served, a new one is told why at once, and all are served again once the
// deadline closed the slow ones.

import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENER_LIMITS } from '../server/net/listener-limits';
import {
  REPO_ROOT,
  dockerCli,
  freePorts,
  spawnUntilReady,
  tempDir,
  waitFor,
  type ReadyProcess,
  type ServerPorts,
} from './integration/harness';
import { clusterPortGet, consoleLogin } from './manager-http';
import type { HolderConfig, HolderTally } from './slow-client-holder';

const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
/** Enough addresses that their per-peer shares add up past a listener's total (16 × 128 > 1024). */
const MANY_ATTACKERS = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`);
const HELD = 2_000;

let ports: ServerPorts;
let manager: ReadyProcess;
let data: ReturnType<typeof tempDir>;
let docker: ReturnType<typeof dockerCli>;
/** The test admin's session: the console answers nothing else. */
let cookie = '';

beforeAll(async () => {
  data = tempDir('slow-clients-');
  ports = await freePorts();
  manager = await spawnUntilReady(
    [
      'server/main.ts',
      '--console-port',
      String(ports.console),
      '--engine-port',
      String(ports.engine),
      '--cluster-port',
      String(ports.cluster),
      '--data-dir',
      data.path,
      '--sim-workers',
      '1',
      '--executor',
      'sim',
    ],
    'swarmdeck ready',
    'manager',
    90_000,
  );
  docker = dockerCli(ports.engine, data.path);
  cookie = await consoleLogin(`http://127.0.0.1:${ports.console}`);
});

afterAll(async () => {
  await manager?.stop();
  data?.remove();
});

/** The holder child and its latest tally. */
function startHolder(cfg: HolderConfig): { tally(): HolderTally; stop(): Promise<void>; proc: ChildProcess } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/slow-client-holder.ts', JSON.stringify(cfg)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last: HolderTally | undefined;
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    if (lines.length) last = JSON.parse(lines.at(-1)!) as HolderTally;
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    tally: () => last ?? ({ opened: 0 } as HolderTally),
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Every listener answers a legitimate client on 127.0.0.1, each within `ms`. */
async function everyListenerAnswers(ms: number): Promise<Record<string, number>> {
  const timed = async (what: string, fn: () => Promise<boolean>): Promise<[string, number]> => {
    const t0 = performance.now();
    const ok = await fn();
    const took = performance.now() - t0;
    expect([what, ok]).toEqual([what, true]);
    expect(took, `${what} took ${took.toFixed(0)} ms`).toBeLessThan(ms);
    return [what, Math.round(took)];
  };
  const fetchOk = async (url: string) =>
    (await fetch(url, { headers: { cookie }, signal: AbortSignal.timeout(ms) })).ok;
  const results = await Promise.all([
    timed('engine /_ping', () => fetchOk(`http://127.0.0.1:${ports.engine}/_ping`)),
    timed('console /api/state', () => fetchOk(`http://127.0.0.1:${ports.console}/api/state`)),
    timed(
      'cluster /healthz',
      async () => (await clusterPortGet(`127.0.0.1:${ports.cluster}`, '/healthz', ms)).status === 200,
    ),
  ]);
  const nodes = await timed('docker node ls', async () => {
    const r = await docker(['node', 'ls'], ms);
    return r.code === 0 && r.stdout.includes('sim-worker-1');
  });
  return Object.fromEntries([...results, nodes]);
}

/** One raw request (node's client sends the path as given, unlike fetch). */
function rawGet(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('malformed URLs', () => {
  it('get a 400 JSON answer from the Engine API and the console, and the process lives on', async () => {
    for (const port of [ports.engine, ports.console]) {
      for (const path of ['//x', '/\\x', '/api/services/%zz', '/_ping?x=%', '//']) {
        const r = await rawGet(port, path);
        expect([port, path, r.status]).toEqual([port, path, 400]);
        expect(r.type).toMatch(/^application\/json/);
        expect(JSON.parse(r.body)).toEqual({ message: expect.stringMatching(/^malformed request URL/) });
      }
    }
    expect(manager.alive()).toBe(true);
    await everyListenerAnswers(2_000);
  });
});

describe('slow clients', () => {
  it('2,000 half-open requests on the Engine API: refused past the per-peer limit, the rest closed at the header deadline', async () => {
    const limits = LISTENER_LIMITS.engine;
    const holder = startHolder({ port: ports.engine, count: HELD, from: ATTACKERS, mode: 'half-request' });
    try {
      await waitFor(
        'all connections opened and sorted',
        () => {
          const t = holder.tally();
          return t.opened + t.failed === HELD && t.admitted + (t.closed - t.closedAdmitted) === HELD;
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      const held = holder.tally();
      // each attacking address holds its per-peer share; everything beyond was refused and closed at once
      expect(held.admitted).toBe(ATTACKERS.length * limits.maxPerPeer);
      expect(held.refused).toBeGreaterThan(0);
      expect(held.closedAdmitted).toBe(0);
      await everyListenerAnswers(2_000);

      await waitFor('held connections closed', () => holder.tally().closedAdmitted === held.admitted, {
        timeoutMs: limits.headersTimeoutMs + 10_000,
        intervalMs: 100,
      });
      const done = holder.tally();
      expect(done.maxAdmittedOpenMs).toBeLessThan(limits.headersTimeoutMs + 3_000);
      expect(done.farewells).toEqual([
        expect.stringMatching(/^HTTP\/1\.1 408 Request Timeout\r\n[^]*\{"message":"request timed out/),
      ]);
      await everyListenerAnswers(2_000);
    } finally {
      await holder.stop();
    }
  }, 60_000);

  it('2,000 parked frames on the cluster port (TLS) from worker-token holders: refused before the handshake ends past the per-peer limit, the rest closed by the idle and frame deadlines', async () => {
    const token = (await docker(['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
    expect(token).toMatch(/^SWMTKN-1-/);
    const limits = LISTENER_LIMITS.cluster;
    // a frame a token holder may send (under 64 KiB), promised and never finished
    const holder = startHolder({
      port: ports.cluster,
      count: HELD,
      from: ATTACKERS,
      mode: 'parked-frame',
      token,
      frameBytes: 60_000,
    });
    try {
      await waitFor(
        'all connections opened and sorted',
        () => {
          const t = holder.tally();
          return t.opened + t.failed === HELD && t.admitted + (t.closed - t.closedAdmitted) === HELD;
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      const held = holder.tally();
      // TLS handshakes make opening 2,000 take a while: the first admitted may already be closed by the
      // idle deadline, freeing places, so the bound is on how many are open at once
      expect(held.maxOpenAdmitted).toBeLessThanOrEqual(ATTACKERS.length * limits.maxPerPeer);
      expect(held.maxOpenAdmitted).toBeGreaterThan(limits.maxPerPeer);
      await everyListenerAnswers(2_000);

      // whether the 2,000 went past the per-peer limit depends on how fast a loaded machine does their
      // handshakes (the idle deadline frees places meanwhile), so the limit itself is shown with
      // connections that cost the listener nothing: silent TCP from one more address, held until the
      // 10 s handshake deadline; those past maxPerPeer are closed as soon as they are accepted
      const quiet = startHolder({
        port: ports.cluster,
        count: limits.maxPerPeer + 20,
        from: ['127.0.0.9'],
        mode: 'silent',
      });
      try {
        await waitFor(
          'the 20 past the per-peer limit closed',
          () => quiet.tally().closed >= 20 && quiet.tally().opened === limits.maxPerPeer + 20,
          {
            timeoutMs: 8_000,
            intervalMs: 100,
          },
        );
        expect(quiet.tally().closed).toBe(20);
      } finally {
        await quiet.stop();
      }

      // silent: closed once nothing arrived for deadAfterMs (3 s in server/main.ts)
      await waitFor('parked frames closed', () => holder.tally().closedAdmitted === held.admitted, {
        timeoutMs: 15_000,
        intervalMs: 100,
      });
      const done = holder.tally();
      expect(done.maxAdmittedOpenMs).toBeLessThan(3_000 + 4_000);
      expect(done.farewells.length).toBeGreaterThan(0);
      for (const f of done.farewells) expect(f).toMatch(/"t":"error","e":"nothing received for \d+ ms"/);
      await everyListenerAnswers(2_000);

      // trickling a byte a second keeps the connection busy, but the frame must still complete within 10 s
      const trickle = startHolder({
        port: ports.cluster,
        count: 20,
        from: ATTACKERS,
        mode: 'parked-frame',
        token,
        frameBytes: 60_000,
        trickleMs: 1_000,
      });
      try {
        await waitFor('trickled frames closed', () => trickle.tally().closedAdmitted === 20, {
          timeoutMs: 20_000,
          intervalMs: 100,
        });
        expect(trickle.tally().maxAdmittedOpenMs).toBeLessThan(10_000 + 4_000);
        expect(trickle.tally().farewells.join('\n')).toContain('frame not completed within 10000 ms');
      } finally {
        await trickle.stop();
      }

      // a near-8 MiB frame from a token holder is refused at its header
      const big = startHolder({
        port: ports.cluster,
        count: 4,
        from: ATTACKERS,
        mode: 'parked-frame',
        token,
        frameBytes: 8_000_000,
      });
      try {
        await waitFor('refused at the header', () => big.tally().closedAdmitted === 4, {
          timeoutMs: 5_000,
          intervalMs: 50,
        });
        expect(big.tally().maxAdmittedOpenMs).toBeLessThan(2_000);
        expect(big.tally().farewells.join('\n')).toContain('frame of 8000000 bytes exceeds the 65536-byte limit');
      } finally {
        await big.stop();
      }
    } finally {
      await holder.stop();
    }
  }, 60_000);

  it('2,000 half-open requests from 16 addresses on the Engine API: the total cap holds; a connected client is still served at it', async () => {
    const limits = LISTENER_LIMITS.engine;
    expect(MANY_ATTACKERS.length * limits.maxPerPeer).toBeGreaterThan(limits.maxConnections);
    // a well-behaved client with a keep-alive connection opened before the flood
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ping = () =>
      new Promise<{ status: number; reused: boolean; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: ports.engine, path: '/_ping', agent }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, body }));
        });
        req.setTimeout(2_000, () => req.destroy(new Error('no answer within 2 s')));
        req.on('error', reject);
        req.end();
      });
    expect((await ping()).status).toBe(200);
    const holder = startHolder({ port: ports.engine, count: HELD, from: MANY_ATTACKERS, mode: 'half-request' });
    try {
      await waitFor(
        'all connections opened and sorted',
        () => {
          const t = holder.tally();
          return t.opened + t.failed === HELD && t.admitted + (t.closed - t.closedAdmitted) === HELD;
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      const held = holder.tally();
      // the listener's total is what bounds them (per peer, all 2,000 would fit): the well-behaved client's
      // connection and the few kept alive by the tests above take the rest of it
      expect(held.admitted).toBeLessThanOrEqual(limits.maxConnections - 1);
      expect(held.admitted).toBeGreaterThan(limits.maxConnections - 16);
      expect(held.closedAdmitted).toBe(0);
      expect(held.refused).toBeGreaterThan(0);

      // at the cap: the connected client is served on its connection
      const served = await ping();
      expect(served).toMatchObject({ status: 200, reused: true, body: 'OK' });
      // a new connection is told why at once (not left waiting), from any address
      const refused = await rawGet(ports.engine, '/_ping');
      expect(refused.status).toBe(503);
      expect(refused.type).toBe('application/json');
      expect(JSON.parse(refused.body)).toEqual({
        message: `too many connections (${limits.maxConnections}); try again later`,
      });
      // the other listeners have their own caps
      expect((await fetch(`http://127.0.0.1:${ports.console}/api/state`, { headers: { cookie } })).ok).toBe(true);
      expect((await clusterPortGet(`127.0.0.1:${ports.cluster}`, '/healthz', 2_000)).status).toBe(200);

      // the header deadline frees the places
      await waitFor('held connections closed', () => holder.tally().closedAdmitted === held.admitted, {
        timeoutMs: limits.headersTimeoutMs + 10_000,
        intervalMs: 100,
      });
      await everyListenerAnswers(2_000);
    } finally {
      agent.destroy();
      await holder.stop();
    }
  }, 60_000);
});
