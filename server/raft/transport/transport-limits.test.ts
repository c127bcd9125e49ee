// Limits: frame size, backpressure against a peer that stops reading, and
// reconnect backoff driven by the injected clock.
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../util/clock';
import { ClusterTransport } from './cluster-transport';
import { dial } from './dial';
import { FrameDecoder } from './frames';
import { tlsSocketFactory } from './socket-factory';
import { switchingProtocols } from './handshake';
import { createClusterServer } from './tls-server';
import {
  FAST,
  recordingLogger,
  startClusterServer,
  startMember,
  stopServer,
  testCertificate,
  testSecurity,
  waitFor,
} from './test-support';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('frame size limit', () => {
  it('closes an inbound connection that announces an oversized frame, with a clear error', async () => {
    const b = await startMember('b');
    cleanup.push(() => b.stop());
    const own = await testCertificate('a');
    const { socket, head } = await dial(b.addr, {
      self: { raftId: 'a', addr: '127.0.0.1:1' },
      purpose: 'peer',
      factory: tlsSocketFactory(() => own),
      clock: systemClock,
      timeoutMs: 2_000,
      expectId: 'b',
    });
    const frames: unknown[] = [];
    const dec = new FrameDecoder();
    frames.push(...dec.push(head));
    socket.on('data', (c: Buffer) => frames.push(...dec.push(c)));
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    const header = Buffer.alloc(4);
    header.writeUInt32BE(9 * 1024 * 1024, 0);
    socket.write(header);
    await waitFor(() => closed, 5_000, 'connection closed');
    expect(frames).toEqual([{ t: 'error', e: 'frame of 9437184 bytes exceeds the 8388608-byte limit' }]);
    expect(b.received).toEqual([]);
    expect(b.logger.lines.join('\n')).toMatch(/closing connection: frame of 9437184 bytes exceeds/);
  });

  it('refuses to send a message or request above the limit', async () => {
    const a = await startMember('a', { limits: { maxFrameBytes: 1024 } });
    const b = await startMember('b');
    cleanup.push(
      () => a.stop(),
      () => b.stop(),
    );
    a.transport.addPeer('b', b.addr);
    const big = { type: 'app', from: 'a', n: 0, pad: 'x'.repeat(2048) };
    expect(a.transport.send('b', big)).toBe(false);
    await expect(a.transport.request('b', big, 1_000)).rejects.toMatchObject({ kind: 'too-large' });
    expect(a.transport.send('b', { type: 'app', from: 'a', n: 1 })).toBe(true);
    await waitFor(() => b.received.length === 1);
    expect(b.received[0]!.message.n).toBe(1);
  });
});

describe('frame limits by caller', () => {
  it('a worker node may send frames of 1 MiB, a manager keeps 8 MiB', async () => {
    const b = await startMember('b');
    b.transport.onRequest((p) => ({ bytes: JSON.stringify(p).length }));
    const w = await startMember('w', { security: await testSecurity('w', { role: 'worker' }) });
    const a = await startMember('a');
    cleanup.push(
      () => a.stop(),
      () => w.stop(),
      () => b.stop(),
    );
    w.transport.addPeer('b', b.addr);
    a.transport.addPeer('b', b.addr);
    const payload = (bytes: number) => ({ pad: 'x'.repeat(bytes) });
    // an agent's largest batch (512 KiB of statuses or log lines) goes through
    await expect(w.transport.request('b', payload(900 * 1024), 5_000)).resolves.toMatchObject({ bytes: 921_610 });
    // a frame above 1 MiB from a worker closes its connection, with the reason
    await expect(w.transport.request('b', payload(1100 * 1024), 5_000)).rejects.toMatchObject({
      message: expect.stringMatching(/exceeds the 1048576-byte limit/),
    });
    await waitFor(() => b.logger.lines.some((l) => /exceeds the 1048576-byte limit/.test(l)), 5_000, 'refusal logged');
    // a manager's frame of that size is fine (raft entries and snapshot chunks)
    await expect(a.transport.request('b', payload(3 * 1024 * 1024), 5_000)).resolves.toMatchObject({
      bytes: 3 * 1024 * 1024 + 10,
    });
    // and the worker reconnects and carries on
    await expect(w.transport.request('b', payload(10), 5_000)).resolves.toMatchObject({ bytes: 20 });
  });
});

/** A fake peer that completes the handshake and then stops reading until resumed. */
async function startStalledPeer(id: string) {
  let socket: Duplex | undefined;
  const frames: { n: number }[] = [];
  const dec = new FrameDecoder();
  const server: Server = createClusterServer(() => {});
  const own = await testCertificate(id);
  server.setSecureContext(own);
  server.on('upgrade', (_req, s: Duplex) => {
    socket = s;
    s.on('error', () => {});
    s.write(switchingProtocols(id));
    s.pause();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    addr,
    frames,
    get connected() {
      return !!socket;
    },
    resume() {
      socket!.on('data', (c: Buffer) => {
        for (const f of dec.push(c)) if ((f as { t: string }).t === 'msg') frames.push((f as { m: { n: number } }).m);
      });
      socket!.resume();
    },
    stop() {
      socket?.destroy();
      return stopServer(server);
    },
  };
}

describe('backpressure', () => {
  it('a peer that stops reading does not grow the sender beyond its limits; drops are counted', async () => {
    const peer = await startStalledPeer('slow');
    const limits = { ...FAST, highWaterBytes: 256 * 1024, queueLimitBytes: 1024 * 1024, deadAfterMs: 60_000 };
    const a = new ClusterTransport<{ type: string; from: string; n: number; pad: string }>({
      selfId: 'a',
      selfAddr: '127.0.0.1:1',
      security: await testSecurity('a'),
      logger: recordingLogger(),
      limits,
    });
    cleanup.push(
      () => a.close(),
      () => peer.stop(),
    );
    a.addPeer('slow', peer.addr);
    const pad = 'p'.repeat(64 * 1024);
    a.send('slow', { type: 'app', from: 'a', n: 0, pad });
    await waitFor(() => a.peerStatus()[0]!.connected && peer.connected, 5_000, 'connected');

    const total = 800; // ~50 MiB: far more than the kernel's socket buffers
    let maxQueue = 0;
    let maxBuffered = 0;
    for (let n = 1; n <= total; n++) {
      a.send('slow', { type: 'app', from: 'a', n, pad });
      const st = a.peerStatus()[0]!;
      maxQueue = Math.max(maxQueue, st.sendQueueBytes);
      maxBuffered = Math.max(maxBuffered, st.socketBufferedBytes);
      if (n % 50 === 0) await new Promise((r) => setImmediate(r)); // let the socket move bytes to the kernel
    }
    const st = a.peerStatus()[0]!;
    expect(maxQueue).toBeLessThanOrEqual(limits.queueLimitBytes);
    expect(maxBuffered).toBeLessThanOrEqual(limits.highWaterBytes + 70 * 1024);
    expect(st.dropped).toBeGreaterThan(600);
    expect(st.sendQueueBytes).toBeGreaterThan(0);

    // Once the peer reads again, the queue drains in order and the newest message arrives.
    peer.resume();
    await waitFor(() => peer.frames.at(-1)?.n === total, 10_000, 'last message');
    const ns = peer.frames.map((f) => f.n);
    expect(ns).toEqual([...ns].sort((x, y) => x - y));
    await waitFor(() => a.peerStatus()[0]!.sendQueueBytes === 0);
  });
});

describe('reconnect backoff', () => {
  it('waits on the injected clock between dial attempts', async () => {
    const { server, addr } = await startClusterServer();
    await stopServer(server); // a port where nothing listens
    const clock = new ManualClock();
    const a = new ClusterTransport({
      selfId: 'a',
      selfAddr: '127.0.0.1:1',
      security: await testSecurity('a'),
      logger: recordingLogger(),
      clock,
      random: () => 1,
      limits: { backoff: { baseMs: 100, capMs: 2_000 } },
    });
    cleanup.push(() => a.close());
    a.addPeer('b', addr);
    a.send('b', { type: 'app' });
    const failures = () => a.peerStatus()[0]!.dialFailures;
    await waitFor(() => failures() === 1, 5_000, 'first dial failure');
    await new Promise((r) => setTimeout(r, 100)); // real time passes; the manual clock does not
    expect(failures()).toBe(1);
    clock.advance(99);
    await new Promise((r) => setTimeout(r, 50));
    expect(failures()).toBe(1);
    clock.advance(1); // first retry after base delay (jitter pinned to 1)
    await waitFor(() => failures() === 2, 5_000, 'second dial failure');
    clock.advance(199);
    await new Promise((r) => setTimeout(r, 50));
    expect(failures()).toBe(2);
    clock.advance(1); // doubled
    await waitFor(() => failures() === 3, 5_000, 'third dial failure');
    expect(a.peerStatus()[0]).toMatchObject({ connected: false, connects: 0 });
    expect(a.peerStatus()[0]!.lastError).toMatch(/ECONNREFUSED/);
  });
});
