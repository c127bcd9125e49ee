// What a certificate is worth on the cluster port depends on the membership
// now, not on what the node was when it was signed: a manager certificate of a
// node out of the raft group grants a worker's rights at most, a member speaks
// raft only as itself, and a join token buys one answer per connection.

import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { dial } from './dial';
import { encodeFrame, FrameDecoder } from './frames';
import { tlsSocketFactory } from './socket-factory';
import { systemClock } from '../../util/clock';
import { memberStarter, FAST, MANAGER_TOKEN, testCertificate, testRootCA, testSecurity, waitFor } from './test-support';

type Msg = { type: string; from: unknown; n: number };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
const member = memberStarter<Msg>(cleanup);

describe('member rights follow the raft membership', () => {
  it('a manager certificate of a node that is not a raft member gets a worker’s rights, never raft', async () => {
    const security = await testSecurity('b');
    security.notMembers.add('a');
    const b = await member('b', { security });
    b.transport.onRequest((_p, from) => ({ via: from.via }));
    const a = await member('a');
    a.transport.addPeer('b', b.addr);
    await expect(a.transport.request('b', { op: 'x' }, 2_000)).resolves.toEqual({ via: 'node' });
    a.transport.send('b', { type: 'vote', from: 'a', n: 99 });
    await waitFor(() => b.logger.lines.some((l) => l.includes('not part of OUs: [swarm-manager]')), 5_000, 'refusal');
    expect(b.received).toEqual([]);
  });

  it('drops and counts a message whose `from` is not the sender’s node ID, whatever its type', async () => {
    const [a, b] = [await member('a'), await member('b')];
    a.transport.addPeer('b', b.addr);
    for (const from of [1, null, undefined, ['a'], 'b', 'A']) a.transport.send('b', { type: 'app', from, n: 0 } as Msg);
    a.transport.send('b', { type: 'app', from: 'a', n: 1 });
    await waitFor(() => b.received.length === 1);
    expect(b.received.map((r) => r.message.n)).toEqual([1]);
    expect(b.transport.droppedMessages).toBe(6);
  });

  it('closes open connections of a node that leaves the raft group or is removed (M6)', async () => {
    const security = await testSecurity('b');
    const b = await member('b', { security });
    b.transport.onRequest((_p, from) => ({ via: from.via }));
    const a = await member('a');
    a.transport.addPeer('b', b.addr);
    a.transport.send('b', { type: 'app', from: 'a', n: 1 });
    await waitFor(() => b.received.length === 1);

    // demoted: the open member connection closes; the next one carries a worker's rights only
    security.notMembers.add('a');
    expect(b.transport.revalidate()).toBe(1);
    await waitFor(() => a.transport.peerStatus()[0]?.connected === false, 5_000, 'a’s link closed');
    await expect(a.transport.request('b', { op: 'x' }, 2_000)).resolves.toEqual({ via: 'node' });
    a.transport.send('b', { type: 'app', from: 'a', n: 2 });
    await waitFor(() => b.logger.lines.some((l) => l.includes('not part of OUs')), 5_000, 'raft refused');
    expect(b.received).toHaveLength(1);

    // removed: no connection at all
    security.removed.add('a');
    await waitFor(() => b.transport.revalidate() === 0 && a.transport.peerStatus()[0]?.connected === false);
    a.transport.send('b', { type: 'app', from: 'a', n: 3 });
    await waitFor(() => a.transport.peerStatus()[0]?.lastError === 'Permission denied: node a was removed from swarm');
    expect(b.received).toHaveLength(1);
  });
});

describe('join-token connections', () => {
  it('answer one request, then close', async () => {
    const b = await member('b');
    const served: unknown[] = [];
    b.transport.onRequest((p) => {
      served.push(p);
      return { joined: true };
    });
    const ca = (await testRootCA()).CACert;
    const dialed = await dial(b.addr, {
      self: { raftId: 'j', addr: '127.0.0.1:9' },
      joinToken: MANAGER_TOKEN,
      purpose: 'oneshot',
      factory: tlsSocketFactory(() => ({ ca })),
      clock: systemClock,
      timeoutMs: FAST.dialTimeoutMs,
    });
    const decoder = new FrameDecoder(1024 * 1024);
    const frames: unknown[] = [];
    const closed = new Promise<void>((r) => dialed.socket.on('close', () => r()));
    dialed.socket.on('data', (c: Buffer) => frames.push(...decoder.push(c)));
    dialed.socket.on('error', () => {});
    // two requests at once: only the first is served
    dialed.socket.write(
      Buffer.concat([
        encodeFrame({ t: 'req', id: 1, p: { join: 1 } }),
        encodeFrame({ t: 'req', id: 2, p: { join: 2 } }),
      ]),
    );
    await closed;
    expect(served).toEqual([{ join: 1 }]);
    expect(frames[0]).toEqual({ t: 'res', id: 1, ok: true, p: { joined: true } });
    expect(frames.some((f) => (f as { id?: number }).id === 2 && (f as { ok?: boolean }).ok)).toBe(false);
  });
});

describe('the dialler', () => {
  it('takes an answer only from a manager’s certificate, even one whose names would pass', async () => {
    // a worker answering where a manager is dialled (TLS's name check waived, as for a certificate
    // that carried a manager's DNS name): the OU decides
    const w = await member('w', { security: await testSecurity('w', { role: 'worker' }) });
    const mine = await testCertificate('a');
    const err = await dial(w.addr, {
      self: { raftId: 'a', addr: '127.0.0.1:1' },
      purpose: 'oneshot',
      factory: {
        connect: (host, port) =>
          tlsConnect({ host, port, ...mine, servername: 'swarm-manager', checkServerIdentity: () => undefined }),
      },
      clock: systemClock,
      timeoutMs: FAST.dialTimeoutMs,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/answered by a certificate that is not a manager's/);
  });
});
