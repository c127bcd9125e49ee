// Deadlines and caller-dependent frame limits on accepted cluster connections:
// a frame that never completes, a connection that says nothing, and callers
// that hold only a join token.
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../util/clock';
import { dial } from './dial';
import { encodeFrame, FrameDecoder } from './frames';
import { tlsSocketFactory } from './socket-factory';
import { startMember, testCertificate, testRootCA, WORKER_TOKEN, waitFor } from './test-support';
import type { ConnPurpose } from './wire';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Who dials: a manager's or a worker's certificate, or no certificate and a join token. */
type Caller = { role: 'manager' | 'worker' } | { joinToken: string };
const MEMBER: Caller = { role: 'manager' };

/** A raw cluster connection to `addr`: what it receives, and when it closed (ms after opening). */
async function rawConnection(addr: string, caller: Caller, purpose: ConnPurpose = 'peer') {
  const material =
    'role' in caller ? await testCertificate('raw', { role: caller.role }) : { ca: (await testRootCA()).CACert };
  // measured from before the dial: the server's silence timer starts somewhere inside it, and a
  // loaded machine can spend a good part of deadAfterMs between that and dial() returning here
  const t0 = Date.now();
  const { socket, head } = await dial(addr, {
    self: { raftId: 'raw', addr: '127.0.0.1:1' },
    joinToken: 'joinToken' in caller ? caller.joinToken : undefined,
    purpose,
    factory: tlsSocketFactory(() => material),
    clock: systemClock,
    timeoutMs: 2_000,
  });
  cleanup.push(() => void socket.destroy());
  const frames: unknown[] = [];
  const dec = new FrameDecoder();
  frames.push(...dec.push(head));
  socket.on('data', (c: Buffer) => frames.push(...dec.push(c)));
  socket.on('error', () => {});
  let closedAfter: number | undefined;
  socket.on('close', () => (closedAfter = Date.now() - t0));
  return { socket: socket as Duplex, frames, closedAfter: () => closedAfter };
}

const header = (bytes: number) => {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(bytes, 0);
  return h;
};

describe('frame deadline', () => {
  it('closes a connection whose frame began but never completes (a parked frame)', async () => {
    const b = await startMember('b', { limits: { frameTimeoutMs: 300, deadAfterMs: 60_000 } });
    cleanup.push(() => b.stop());
    const c = await rawConnection(b.addr, MEMBER);
    // a ping proves the connection works, then a header promising 1 MiB and a few bytes of it
    c.socket.write(encodeFrame({ t: 'ping' }));
    await waitFor(() => c.frames.length === 1, 2_000, 'pong');
    c.socket.write(Buffer.concat([header(1024 * 1024), Buffer.from('{"t":"msg","m":{"pad":"')]));
    await waitFor(() => c.closedAfter() !== undefined, 3_000, 'closed');
    expect(c.frames).toEqual([{ t: 'pong' }, { t: 'error', e: 'frame not completed within 300 ms' }]);
    expect(b.logger.lines.join('\n')).toMatch(/closing connection: frame not completed within 300 ms/);
  });

  it('leaves a frame that keeps arriving alone while it completes within the deadline', async () => {
    const b = await startMember('b', { limits: { frameTimeoutMs: 1_000, deadAfterMs: 60_000 } });
    cleanup.push(() => b.stop());
    const c = await rawConnection(b.addr, MEMBER);
    const frame = encodeFrame({ t: 'msg', m: { type: 'app', from: 'raw', n: 7 } });
    for (let i = 0; i < frame.length; i += 8) {
      c.socket.write(frame.subarray(i, i + 8));
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(() => b.received.length === 1, 2_000, 'message');
    expect(c.closedAfter()).toBeUndefined();
  });
});

describe('idle deadline', () => {
  it('closes an accepted connection that sends nothing for deadAfterMs', async () => {
    const b = await startMember('b', { limits: { deadAfterMs: 400 } });
    cleanup.push(() => b.stop());
    const c = await rawConnection(b.addr, MEMBER);
    await waitFor(() => c.closedAfter() !== undefined, 3_000, 'closed');
    expect(c.closedAfter()).toBeGreaterThanOrEqual(400);
    expect(c.frames).toEqual([{ t: 'error', e: expect.stringMatching(/^nothing received for \d+ ms$/) }]);
  });

  it('does not blame the peer when this process was busy while the peer’s bytes waited to be read', async () => {
    const b = await startMember('b', { limits: { deadAfterMs: 300 } });
    cleanup.push(() => b.stop());
    const c = await rawConnection(b.addr, MEMBER);
    c.socket.write(encodeFrame({ t: 'ping' }));
    await waitFor(() => c.frames.length === 1, 2_000, 'pong');
    await new Promise((r) => setTimeout(r, 200));
    // the ping reaches b's socket at once; b reads it only after this (its) event loop is free again
    c.socket.write(encodeFrame({ t: 'ping' }));
    const busyUntil = Date.now() + 600;
    while (Date.now() < busyUntil) {
      // a long synchronous stretch, as a GC pause or a console build would be
    }
    await waitFor(() => c.frames.length === 2, 2_000, 'second pong');
    expect(c.closedAfter()).toBeUndefined();
    expect(b.logger.lines.join('\n')).not.toMatch(/nothing received/);
  });

  it('keeps a connection that waits in silence for our answer', async () => {
    const b = await startMember('b', { limits: { deadAfterMs: 300 } });
    cleanup.push(() => b.stop());
    b.transport.onRequest(() => new Promise((r) => setTimeout(() => r({ slow: true }), 900)));
    const c = await rawConnection(b.addr, MEMBER, 'oneshot');
    const askedAt = Date.now();
    c.socket.write(encodeFrame({ t: 'req', id: 1, p: { join: true } }));
    await waitFor(() => c.frames.length === 1, 3_000, 'answer');
    expect(c.frames).toEqual([{ t: 'res', id: 1, ok: true, p: { slow: true } }]);
    expect(c.closedAfter()).toBeUndefined();
    // once answered, silence counts again, from the answer: the answer comes 900 ms after the
    // request at the earliest, so the close 300 ms after it (timed from the request, which this
    // side knows exactly, unlike when the answer left the server)
    await waitFor(() => c.closedAfter() !== undefined, 3_000, 'closed');
    expect(Date.now() - askedAt).toBeGreaterThanOrEqual(1_200);
  });

  it('does not close a member that pings (the transport’s own dialer)', async () => {
    const b = await startMember('b', { limits: { deadAfterMs: 400 } });
    const a = await startMember('a', { limits: { pingIntervalMs: 100, deadAfterMs: 400 } });
    cleanup.push(
      () => a.stop(),
      () => b.stop(),
    );
    a.transport.addPeer('b', b.addr);
    a.transport.send('b', { type: 'app', from: 'a', n: 1 });
    await waitFor(() => b.received.length === 1, 3_000, 'first message');
    await new Promise((r) => setTimeout(r, 1_200));
    a.transport.send('b', { type: 'app', from: 'a', n: 2 });
    await waitFor(() => b.received.length === 2, 3_000, 'second message');
    expect(a.transport.peerStatus()[0]).toMatchObject({ connects: 1, reconnects: 0 });
  });

  it('a dialer that was busy does not drop its link for the pings it did not send meanwhile', async () => {
    const b = await startMember('b');
    const a = await startMember('a', { limits: { pingIntervalMs: 100, deadAfterMs: 300 } });
    cleanup.push(
      () => a.stop(),
      () => b.stop(),
    );
    a.transport.addPeer('b', b.addr);
    a.transport.send('b', { type: 'app', from: 'a', n: 1 });
    await waitFor(() => b.received.length === 1, 3_000, 'first message');
    await new Promise((r) => setTimeout(r, 250));
    const busyUntil = Date.now() + 900;
    while (Date.now() < busyUntil) {
      // a long synchronous stretch: no ping goes out, so no answer is owed
    }
    await new Promise((r) => setTimeout(r, 500));
    a.transport.send('b', { type: 'app', from: 'a', n: 2 });
    await waitFor(() => b.received.length === 2, 3_000, 'second message');
    expect(a.transport.peerStatus()[0]).toMatchObject({ connects: 1, reconnects: 0 });
  });
});

describe('callers holding only a join token', () => {
  it('get small frames only: a join request passes, a parked near-limit frame is refused at its header', async () => {
    const b = await startMember('b');
    cleanup.push(() => b.stop());
    b.transport.onRequest((p, from) => ({ echo: p, via: from.via }));
    const token: Caller = { joinToken: WORKER_TOKEN };
    const ok = await rawConnection(b.addr, token, 'oneshot');
    const join = { addr: '127.0.0.1:9', description: { Hostname: 'edge-1', Engine: { Labels: { zone: 'a' } } } };
    ok.socket.write(encodeFrame({ t: 'req', id: 1, p: join }));
    await waitFor(() => ok.frames.length === 1, 2_000, 'answer');
    expect(ok.frames[0]).toEqual({ t: 'res', id: 1, ok: true, p: { echo: join, via: 'worker-token' } });

    const parked = await rawConnection(b.addr, token, 'oneshot');
    parked.socket.write(header(8 * 1024 * 1024 - 1));
    await waitFor(() => parked.closedAfter() !== undefined, 2_000, 'closed');
    expect(parked.frames).toEqual([{ t: 'error', e: 'frame of 8388607 bytes exceeds the 65536-byte limit' }]);
  });

  it('a member still sends frames up to the full limit', async () => {
    const b = await startMember('b');
    cleanup.push(() => b.stop());
    const c = await rawConnection(b.addr, MEMBER);
    c.socket.write(encodeFrame({ t: 'msg', m: { type: 'app', from: 'raw', n: 1, pad: 'x'.repeat(1024 * 1024) } }));
    await waitFor(() => b.received.length === 1, 3_000, 'big message');
  });
});

describe('values', () => {
  it('a frame from an agent holds at most as many values as an API body; a member’s only its size', async () => {
    const b = await startMember('b', { limits: { untrustedFrameValues: 1_000 } });
    cleanup.push(() => b.stop());
    b.transport.onRequest((p) => (p as unknown[]).length);
    const list = (n: number) => encodeFrame({ t: 'req', id: 1, p: Array(n).fill(0) });
    const agent = await rawConnection(b.addr, { role: 'worker' }, 'oneshot');
    agent.socket.write(list(2_000));
    await waitFor(() => agent.closedAfter() !== undefined, 2_000, 'closed');
    expect(agent.frames).toEqual([{ t: 'error', e: expect.stringMatching(/holds more than 1000 values$/) }]);
    const member = await rawConnection(b.addr, MEMBER, 'oneshot');
    member.socket.write(list(2_000));
    await waitFor(() => member.frames.length === 1, 2_000, 'answer');
    expect(member.frames).toEqual([{ t: 'res', id: 1, ok: true, p: 2_000 }]);
  });
});

describe('nesting', () => {
  it('closes a connection whose frame nests deeper than any real message', async () => {
    const b = await startMember('b');
    cleanup.push(() => b.stop());
    const c = await rawConnection(b.addr, MEMBER);
    const body = Buffer.from(`{"t":"msg","m":${'['.repeat(200)}${']'.repeat(200)}}`);
    c.socket.write(Buffer.concat([header(body.length), body]));
    await waitFor(() => c.closedAfter() !== undefined, 2_000, 'closed');
    expect(c.frames).toEqual([{ t: 'error', e: `frame of ${body.length} bytes nests deeper than 128 levels` }]);
    expect(b.received).toEqual([]);
  });
});
