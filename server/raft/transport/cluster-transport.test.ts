import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createRootCA, rootCAFrom } from '../../ca';
import { ClusterTransport, RequestError } from './cluster-transport';
import { INVALID_JOIN_TOKEN } from './handshake';
import {
  memberStarter,
  startTap,
  CLUSTER_ID,
  FAST,
  MANAGER_TOKEN,
  recordingLogger,
  startClusterServer,
  startMember,
  stopServer,
  testCertificate,
  testRootCA,
  testSecurity,
  waitFor,
  type Member,
} from './test-support';

type Msg = { type: string; from: string; n: number };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
const member = memberStarter<Msg>(cleanup);
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
  /** One raw HTTP upgrade over `socket` (TLS or not): the status line and body, or how it ended. */
  function rawUpgrade(socket: Duplex, headers: Record<string, string>): Promise<{ status?: number; body: string }> {
    return new Promise((resolve) => {
      const req = httpRequest({
        createConnection: () => socket as never,
        headers: { Connection: 'Upgrade', ...headers },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('upgrade', (res) => resolve({ status: res.statusCode, body: '' }));
      req.on('error', (e) => resolve({ body: `error: ${e.message}` }));
      req.end();
    });
  }
  const upgradeHeaders = {
    Upgrade: 'swarmdeck-cluster/1',
    'x-swarmdeck-raft-id': 'x',
    'x-swarmdeck-addr': '127.0.0.1:1',
    'x-swarmdeck-conn': 'oneshot',
  };

  it('refuses a plaintext connection: no upgrade, nothing delivered', async () => {
    const b = await member('b');
    const raw = await rawUpgrade(connect({ host: '127.0.0.1', port: b.port }), {
      ...upgradeHeaders,
      authorization: `Swarm-Join ${MANAGER_TOKEN}`,
    });
    expect(raw.status).toBeUndefined();
    expect(raw.body).toMatch(/^error: /);
    expect(b.received).toEqual([]);
  });

  it('refuses a bad join token with 401 inside TLS, and delivers nothing', async () => {
    const b = await member('b');
    const logger = recordingLogger();
    const intruder = new ClusterTransport<Msg>({
      selfId: 'x',
      selfAddr: '127.0.0.1:1',
      security: await testSecurity('x', { role: 'none', joinToken: `SWMTKN-1-${'0'.repeat(50)}-${'g'.repeat(25)}` }),
      logger,
      limits: FAST,
    });
    cleanup.push(() => intruder.close());
    const err = await intruder.request({ addr: b.addr }, { join: true }, 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).message).toBe(INVALID_JOIN_TOKEN);
    // a caller without a certificate cannot hold a member link, whatever it shows
    intruder.addPeer('b', b.addr);
    intruder.send('b', msg('x', 1));
    await waitFor(() => (intruder.peerStatus()[0]?.dialFailures ?? 0) >= 1);
    expect(intruder.peerStatus()[0]).toMatchObject({ connected: false, lastError: INVALID_JOIN_TOKEN });
    expect(b.received).toEqual([]);
    // Secrets never reach the logs, on either side.
    for (const line of [...logger.lines, ...b.logger.lines]) expect(line).not.toMatch(/gggg|SWMTKN/);
  });

  it('a joiner with the manager token can make requests (e.g. join) but not inject raft messages', async () => {
    const b = await member('b');
    const seen: unknown[] = [];
    b.transport.onRequest((payload, from) => {
      seen.push({ payload, from });
      return { joined: true };
    });
    const joiner = new ClusterTransport<Msg>({
      selfId: 'j',
      selfAddr: '127.0.0.1:9',
      security: await testSecurity('j', { role: 'none', joinToken: MANAGER_TOKEN }),
      logger: recordingLogger(),
      limits: FAST,
    });
    cleanup.push(() => joiner.close());
    await expect(joiner.request({ addr: b.addr }, { op: 'join' }, 2_000)).resolves.toEqual({ joined: true });
    expect(seen).toEqual([{ payload: { op: 'join' }, from: { raftId: 'j', addr: '127.0.0.1:9', via: 'join-token' } }]);
    joiner.addPeer('b', b.addr);
    joiner.send('b', msg('j', 1));
    await waitFor(() => (joiner.peerStatus()[0]?.dialFailures ?? 0) >= 1);
    expect(b.received).toEqual([]);
  });

  it('a worker certificate gets requests through, but raft messages close its connection', async () => {
    const b = await member('b');
    b.transport.onRequest((_p, from) => ({ via: from.via, who: from.raftId }));
    const w = await member('w', { security: await testSecurity('w', { role: 'worker' }) });
    w.transport.addPeer('b', b.addr);
    await expect(w.transport.request('b', { op: 'x' }, 2_000)).resolves.toEqual({ via: 'node', who: 'w' });
    w.transport.send('b', msg('w', 1));
    await waitFor(() => b.logger.lines.some((l) => l.includes('not part of OUs: [swarm-manager]')), 5_000, 'refusal');
    expect(b.received).toEqual([]);
  });

  it('refuses the certificate of a removed node, and one from another root', async () => {
    const security = await testSecurity('b');
    security.removed.add('a');
    const b = await member('b', { security });
    const a = await member('a');
    a.transport.addPeer('b', b.addr);
    a.transport.send('b', msg('a', 1));
    await waitFor(() => (a.transport.peerStatus()[0]?.dialFailures ?? 0) >= 1);
    expect(a.transport.peerStatus()[0]!.lastError).toBe('Permission denied: node a was removed from swarm');

    // a certificate from a root b does not trust: TLS lets it finish, admission refuses it
    const otherRoot = rootCAFrom(await createRootCA());
    const stranger = await testCertificate('s', { root: otherRoot });
    const sock = tlsConnect({
      host: '127.0.0.1',
      port: b.port,
      cert: stranger.cert,
      key: stranger.key,
      ca: (await testRootCA()).CACert,
      servername: 'swarm-manager',
    });
    const raw = await rawUpgrade(sock, { ...upgradeHeaders, 'x-swarmdeck-raft-id': 's' });
    expect(raw.status).toBe(403);
    expect(JSON.parse(raw.body)).toEqual({ message: 'Permission denied: no verified chains for remote certificate' });
    expect(raw.body).not.toContain(CLUSTER_ID);
    expect(b.received).toEqual([]);
  });

  it('never shows a join token to a manager whose certificate is not from the pinned root', async () => {
    // an impostor with a certificate from its own root, listening where the joiner dials
    const impostorRoot = rootCAFrom(await createRootCA());
    const impostor = await startMember<Msg>('imp', {
      security: Object.assign(await testSecurity('imp'), {
        material: () => undefined,
      }),
    });
    cleanup.push(() => impostor.stop());
    const own = await testCertificate('imp', { root: impostorRoot });
    impostor.server.setSecureContext({ cert: own.cert, key: own.key, ca: own.ca });
    const heard: unknown[] = [];
    impostor.server.prependListener('upgrade', (req: IncomingMessage) => heard.push(req.headers.authorization));
    const joiner = new ClusterTransport<Msg>({
      selfId: 'j',
      selfAddr: '127.0.0.1:9',
      security: await testSecurity('j', { role: 'none', joinToken: MANAGER_TOKEN }),
      logger: recordingLogger(),
      limits: FAST,
    });
    cleanup.push(() => joiner.close());
    const err = await joiner.request({ addr: impostor.addr }, { op: 'join' }, 2_000).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect(heard).toEqual([]);
  });

  it('captured bytes replayed on a new connection get nowhere', async () => {
    const b = await member('b');
    const seen: unknown[] = [];
    b.transport.onRequest((p, from) => {
      seen.push({ p, via: from.via });
      return 'ok';
    });
    // a tap between a and b records what a sends
    const tap = await startTap(b.port);
    cleanup.push(() => tap.stop());
    const a = await member('a');
    a.transport.addPeer('b', `127.0.0.1:${tap.port}`);
    await expect(a.transport.request('b', { op: 'forge-me' }, 2_000)).resolves.toBe('ok');
    a.transport.send('b', msg('a', 7));
    await waitFor(() => b.received.length === 1);
    await a.stop();
    const captured = tap.captured();
    expect(captured.length).toBeGreaterThan(500);
    // the plaintext is not on the wire
    expect(captured.includes('forge-me')).toBe(false);
    expect(captured.includes('swarmdeck-cluster')).toBe(false);
    // replay the capture on a fresh connection to b
    const replay = connect({ host: '127.0.0.1', port: b.port });
    let answer = Buffer.alloc(0);
    replay.on('data', (c: Buffer) => (answer = Buffer.concat([answer, c])));
    const closed = new Promise<void>((r) => replay.on('close', () => r()));
    replay.on('error', () => {});
    replay.write(captured);
    await closed;
    expect(answer.toString('latin1')).not.toContain('101 Switching Protocols');
    expect(seen).toHaveLength(1);
    expect(b.received).toHaveLength(1);
  });

  it('serves a renewed certificate to new connections while the old ones carry on', async () => {
    const security = await testSecurity('b');
    const b = await member('b', { security });
    const a = await member('a');
    mesh([a, b]);
    a.transport.send('b', msg('a', 1));
    await waitFor(() => b.received.length === 1);
    const serial = () =>
      new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: b.port, ca: security.material()!.ca, servername: 'swarm-ca' });
        s.on('secureConnect', () => {
          resolve(s.getPeerCertificate().serialNumber);
          s.destroy();
        });
        s.on('error', reject);
      });
    const before = await serial();
    security.setMaterial(await testCertificate('b'));
    expect(await serial()).not.toBe(before);
    // the session a opened before the renewal is the same connection, still working
    const connects = a.transport.peerStatus()[0]!.connects;
    a.transport.send('b', msg('a', 2));
    await waitFor(() => b.received.length === 2);
    expect(a.transport.peerStatus()[0]!.connects).toBe(connects);
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
