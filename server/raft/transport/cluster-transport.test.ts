import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterTransport, RequestError } from './cluster-transport';
import { INVALID_JOIN_TOKEN } from './handshake';
import {
  CLUSTER_ID,
  FAST,
  MANAGER_TOKEN,
  MEMBER_KEY,
  recordingLogger,
  startClusterServer,
  startMember,
  stopServer,
  testCredentials,
  waitFor,
  type Member,
} from './test-support';

type Msg = { type: string; from: string; n: number };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
async function member(id: string, opts: Parameters<typeof startMember>[1] = {}): Promise<Member<Msg>> {
  const m = await startMember<Msg>(id, opts);
  cleanup.push(() => m.stop());
  return m;
}
function mesh(members: Member<Msg>[]): void {
  for (const a of members) for (const b of members) if (a !== b) a.transport.addPeer(b.id, b.addr);
}
const msg = (from: string, n: number): Msg => ({ type: 'app', from, n });

describe('ClusterTransport messaging', () => {
  it('two members exchange messages in order, both directions', async () => {
    const [a, b] = [await member('a'), await member('b')];
    mesh([a, b]);
    for (let n = 0; n < 300; n++) {
      expect(a.transport.send('b', msg('a', n))).toBe(true);
      b.transport.send('a', msg('b', n));
    }
    await waitFor(() => a.received.length === 300 && b.received.length === 300, 5_000, 'all messages');
    expect(b.received.map((r) => r.message.n)).toEqual([...Array(300).keys()]);
    expect(a.received.map((r) => r.message.n)).toEqual([...Array(300).keys()]);
    expect(new Set(b.received.map((r) => r.from))).toEqual(new Set(['a']));
  });

  it('three members: each receives every other member’s stream in order', async () => {
    const ms = [await member('a'), await member('b'), await member('c')];
    mesh(ms);
    for (let n = 0; n < 100; n++)
      for (const s of ms) for (const d of ms) if (s !== d) s.transport.send(d.id, msg(s.id, n));
    await waitFor(() => ms.every((m) => m.received.length === 200), 5_000, 'all messages');
    for (const m of ms) {
      for (const s of ms.filter((x) => x !== m)) {
        expect(m.received.filter((r) => r.from === s.id).map((r) => r.message.n)).toEqual([...Array(100).keys()]);
      }
    }
  });

  it('drops a message whose `from` does not match the authenticated sender', async () => {
    const [a, b] = [await member('a'), await member('b')];
    mesh([a, b]);
    a.transport.send('b', msg('c', 1));
    a.transport.send('b', msg('a', 2));
    await waitFor(() => b.received.length === 1);
    expect(b.received[0]!.message.n).toBe(2);
  });
});

describe('ClusterTransport admission', () => {
  it('refuses a bad join token with 401 before upgrading, and delivers nothing', async () => {
    const b = await member('b');
    const logger = recordingLogger();
    const intruder = new ClusterTransport<Msg>({
      selfId: 'x',
      selfAddr: '127.0.0.1:1',
      credentials: testCredentials({ joinToken: 'SWMTKN-1-guessed-secret' }),
      logger,
      limits: FAST,
    });
    cleanup.push(() => intruder.close());
    intruder.addPeer('b', b.addr);
    intruder.send('b', msg('x', 1));
    await waitFor(() => (intruder.peerStatus()[0]?.dialFailures ?? 0) >= 1);
    expect(intruder.peerStatus()[0]).toMatchObject({ connected: false, lastError: INVALID_JOIN_TOKEN });

    const err = await intruder.request({ addr: b.addr }, { join: true }, 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).message).toBe(INVALID_JOIN_TOKEN);

    // The raw HTTP answer: 401 with the swarm message, no 101.
    const raw = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: b.port,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'swarmdeck-cluster/1',
          'x-swarmdeck-raft-id': 'x',
          'x-swarmdeck-addr': '127.0.0.1:1',
          authorization: 'Swarm-Join nope',
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('upgrade', () => reject(new Error('upgraded with a bad token')));
      req.on('error', reject);
      req.end();
    });
    expect(raw.status).toBe(401);
    expect(JSON.parse(raw.body)).toEqual({ message: INVALID_JOIN_TOKEN });
    expect(b.received).toEqual([]);
    // Secrets never reach the logs, on either side.
    for (const line of [...logger.lines, ...b.logger.lines]) expect(line).not.toMatch(/guessed-secret|nope|SWMTKN/);
  });

  it('a manager with the join token can make requests (e.g. join) but not inject raft messages', async () => {
    const b = await member('b');
    const seen: unknown[] = [];
    b.transport.onRequest((payload, from) => {
      seen.push({ payload, from });
      return { memberKey: MEMBER_KEY, clusterId: CLUSTER_ID };
    });
    const joiner = new ClusterTransport<Msg>({
      selfId: 'j',
      selfAddr: '127.0.0.1:9',
      credentials: testCredentials({ joinToken: MANAGER_TOKEN }),
      logger: recordingLogger(),
      limits: FAST,
    });
    cleanup.push(() => joiner.close());
    await expect(joiner.request({ addr: b.addr }, { op: 'join' }, 2_000)).resolves.toEqual({
      memberKey: MEMBER_KEY,
      clusterId: CLUSTER_ID,
    });
    expect(seen).toEqual([{ payload: { op: 'join' }, from: { raftId: 'j', addr: '127.0.0.1:9', via: 'join-token' } }]);
    // Same connection, in order: once the request is answered the message before it has been read (and ignored).
    joiner.addPeer('b', b.addr);
    joiner.send('b', msg('j', 1));
    await expect(joiner.request('b', { op: 'status' }, 2_000)).resolves.toMatchObject({ clusterId: CLUSTER_ID });
    expect(seen).toHaveLength(2);
    expect(b.received).toEqual([]);
  });

  it('refuses a member key for a member that was removed', async () => {
    const creds = testCredentials();
    creds.removed.add('a');
    const b = await member('b', { credentials: creds });
    const a = await member('a');
    a.transport.addPeer('b', b.addr);
    a.transport.send('b', msg('a', 1));
    await waitFor(() => (a.transport.peerStatus()[0]?.dialFailures ?? 0) >= 1);
    expect(a.transport.peerStatus()[0]!.lastError).toMatch(/raft member a is not admitted/);
    expect(b.received).toEqual([]);
  });
});

describe('ClusterTransport reconnect and status', () => {
  it('reconnects to a peer that restarts on the same port and traffic resumes', async () => {
    const a = await member('a');
    let b = await member('b');
    mesh([a, b]);
    a.transport.send('b', msg('a', 1));
    await waitFor(() => b.received.length === 1);
    const port = b.port;
    await b.stop();
    await waitFor(() => !a.transport.peerStatus()[0]!.connected, 5_000, 'disconnect seen');
    expect(a.transport.peerStatus()[0]).toMatchObject({ connected: false, active: false });

    b = await member('b', { port });
    for (let n = 2; n <= 5; n++) a.transport.send('b', msg('a', n));
    await waitFor(() => b.received.some((r) => r.message.n === 5), 5_000, 'traffic after restart');
    // Messages queued while the peer was down may be lost (raft retransmits) but order holds.
    const ns = b.received.map((r) => r.message.n);
    expect(ns).toEqual([...ns].sort((x, y) => x - y));
    const st = a.transport.peerStatus()[0]!;
    expect(st.connected).toBe(true);
    expect(st.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('peerStatus reports connection, last contact and the inbound side', async () => {
    const [a, b] = [await member('a'), await member('b')];
    mesh([a, b]);
    expect(a.transport.peerStatus()).toEqual([
      expect.objectContaining({ id: 'b', addr: b.addr, connected: false, active: false, lastContactAt: null }),
    ]);
    a.transport.send('b', msg('a', 1));
    b.transport.send('a', msg('b', 1));
    await waitFor(() => a.received.length === 1 && b.received.length === 1);
    await waitFor(() => a.transport.peerStatus()[0]!.inbound);
    const st = a.transport.peerStatus()[0]!;
    expect(st).toMatchObject({ connected: true, active: true, inbound: true, sendQueueBytes: 0, dropped: 0 });
    expect(st.lastContactMs).toBeGreaterThanOrEqual(0);
    expect(st.lastContactMs).toBeLessThan(5_000);
    // Pings keep last contact fresh on an otherwise idle connection.
    const before = st.lastContactAt!;
    await waitFor(() => a.transport.peerStatus()[0]!.lastContactAt! > before, 3_000, 'pong');

    a.transport.removePeer('b');
    expect(a.transport.peerStatus()).toEqual([]);
    expect(a.transport.send('b', msg('a', 2))).toBe(false);
  });
});

describe('ClusterTransport requests', () => {
  it('answers requests, carries handler errors back, and times out cleanly', async () => {
    const [a, b] = [await member('a'), await member('b')];
    mesh([a, b]);
    b.transport.onRequest(async (p, from) => {
      const req = p as { op: string };
      if (req.op === 'echo') return { echo: req, from: from.raftId, via: from.via };
      if (req.op === 'fail')
        throw Object.assign(new Error('node lost leader status'), { code: 'Unavailable', status: 503 });
      return new Promise(() => {}); // never answers
    });
    await expect(a.transport.request('b', { op: 'echo' }, 2_000)).resolves.toEqual({
      echo: { op: 'echo' },
      from: 'a',
      via: 'member',
    });
    const answers = await Promise.all(
      [...Array(20).keys()].map((i) => a.transport.request('b', { op: 'echo', i }, 2_000)),
    );
    expect(answers.map((x) => (x as { echo: { i: number } }).echo.i)).toEqual([...Array(20).keys()]);

    const failed = await a.transport.request('b', { op: 'fail' }, 2_000).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      kind: 'remote',
      message: 'node lost leader status',
      code: 'Unavailable',
      status: 503,
    });

    const t0 = Date.now();
    const timedOut = await a.transport.request('b', { op: 'hang' }, 150).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ kind: 'timeout', message: 'request to peer b timed out after 150 ms' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await expect(a.transport.request('zz', {}, 100)).rejects.toMatchObject({ kind: 'unknown-peer' });
  });

  it('rejects pending requests when the connection drops, without waiting for the timeout', async () => {
    const [a, b] = [await member('a'), await member('b')];
    mesh([a, b]);
    let started = 0;
    b.transport.onRequest(() => {
      started++;
      return new Promise(() => {});
    });
    const t0 = Date.now();
    const pending = a.transport.request('b', { op: 'hang' }, 15_000).catch((e: unknown) => e);
    await waitFor(() => started === 1);
    await b.stop();
    const err = await pending;
    expect(err).toMatchObject({ kind: 'disconnected' });
    expect((err as Error).message).toMatch(/connection to peer b closed before it answered/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // A peer that stays down fails requests fast as unreachable.
    await expect(a.transport.request('b', { op: 'x' }, 10_000)).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('rejects a request to an address where nothing listens', async () => {
    const { server, addr } = await startClusterServer();
    await stopServer(server);
    const a = await member('a');
    const err = await a.transport.request({ addr }, {}, 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/ECONNREFUSED/) });
  });
});
