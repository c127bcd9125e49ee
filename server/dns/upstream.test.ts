// Forwarding to fake upstreams on 127.0.0.1: order, failover on SERVFAIL/REFUSED/silence,
// at most three upstreams, the transport kept, bytes relayed as received, bounded concurrency.
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeReply,
  queryBytes,
  replyTo,
  startFakeUpstream,
  tcpExchange,
  udpExchange,
  type FakeUpstream,
} from './fake-upstream';
import { DnsServer } from './server';
import { Forwarder, parseUpstream } from './upstream';

const LOOPBACK = '127.0.0.1';
const started: { close(): Promise<void> }[] = [];

async function fake(...args: Parameters<typeof startFakeUpstream>): Promise<FakeUpstream> {
  const f = await startFakeUpstream(...args);
  started.push(f);
  return f;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

const rcodeOf = (b: Buffer | 'refused' | undefined) => (Buffer.isBuffer(b) ? decodeReply(b).rcode : b);

describe('parseUpstream', () => {
  it('reads addresses with and without ports', () => {
    expect(parseUpstream('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 53 });
    expect(parseUpstream('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseUpstream('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseUpstream('::1')).toEqual({ host: '::1', port: 53 });
    expect(() => parseUpstream('127.0.0.1:99999')).toThrow(/not an upstream/);
  });
});

describe('Forwarder', () => {
  it('relays the first usable reply byte for byte, NXDOMAIN included', async () => {
    const up = await fake(LOOPBACK, (q) => replyTo(q, 3));
    const reply = await new Forwarder([up.addr]).forward(queryBytes('gone.test'), 'udp');
    expect(Buffer.isBuffer(reply) && reply.equals(up.sent[0]!)).toBe(true);
    expect(rcodeOf(reply)).toBe('NXDOMAIN');
  });

  it('moves on after SERVFAIL, REFUSED and silence, in order', async () => {
    const failing = await fake(LOOPBACK, (q) => replyTo(q, 2));
    const refusing = await fake(LOOPBACK, (q) => replyTo(q, 5));
    const silent = await fake(LOOPBACK, () => 'silent');
    const good = await fake(LOOPBACK, (q) => replyTo(q, 0, ['192.0.2.9']));
    const fwd = new Forwarder([failing.addr, refusing.addr, good.addr], { timeoutMs: 300 });
    const reply = await fwd.forward(queryBytes('x.test'), 'udp');
    expect(decodeReply(reply as Buffer).answers![0]).toMatchObject({ data: '192.0.2.9' });
    expect([failing, refusing, good].map((u) => u.queries.length)).toEqual([1, 1, 1]);

    const t0 = performance.now();
    const late = await new Forwarder([silent.addr, good.addr], { timeoutMs: 300 }).forward(queryBytes('y.test'), 'udp');
    expect(rcodeOf(late)).toBe('NOERROR');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('asks at most three upstreams, and gives up (undefined) when none replies usefully', async () => {
    const ups = await Promise.all([1, 2, 3, 4].map(() => fake(LOOPBACK, (q) => replyTo(q, 2))));
    const reply = await new Forwarder(ups.map((u) => u.addr)).forward(queryBytes('z.test'), 'udp');
    expect(reply).toBeUndefined();
    expect(ups.map((u) => u.queries.length)).toEqual([1, 1, 1, 0]);
    expect(await new Forwarder([]).forward(queryBytes('z.test'), 'udp')).toBeUndefined();
  });

  it('forwards over the transport the client used', async () => {
    const up = await fake(LOOPBACK, (q) => replyTo(q, 0, ['192.0.2.1']));
    const fwd = new Forwarder([up.addr]);
    await fwd.forward(queryBytes('a.test'), 'udp');
    await fwd.forward(queryBytes('b.test'), 'tcp');
    expect(up.queries.map((q) => [q.name, q.transport])).toEqual([
      ['a.test', 'udp'],
      ['b.test', 'tcp'],
    ]);
  });

  it('runs at most maxConcurrent exchanges; a query that cannot get a slot in time is refused', async () => {
    const up = await fake(LOOPBACK, (q) => new Promise((r) => setTimeout(() => r(replyTo(q, 0, ['192.0.2.1'])), 100)));
    const fwd = new Forwarder([up.addr], { maxConcurrent: 2 });
    const replies = await Promise.all([1, 2, 3, 4, 5].map((i) => fwd.forward(queryBytes(`c${i}.test`), 'udp')));
    expect(replies.map(rcodeOf)).toEqual(['NOERROR', 'NOERROR', 'NOERROR', 'NOERROR', 'NOERROR']);
    expect(up.maxInFlight).toBe(2);

    const impatient = new Forwarder([up.addr], { maxConcurrent: 1, slotWaitMs: 30 });
    const [first, second] = await Promise.all([
      impatient.forward(queryBytes('d1.test'), 'udp'),
      impatient.forward(queryBytes('d2.test'), 'udp'),
    ]);
    expect([rcodeOf(first), second]).toEqual(['NOERROR', 'refused']);
  });
});

describe('DnsServer forwarding', () => {
  it('relays upstream bytes over UDP and TCP, and answers SERVFAIL when no upstream replies', async () => {
    const up = await fake(LOOPBACK, (q) => replyTo(q, 0, ['192.0.2.3']));
    const dns = new DnsServer({ upstreams: [up.addr] });
    started.push(dns);
    const l = await dns.listen('127.0.0.11', 0);
    const udp = await udpExchange(`127.0.0.11:${l.port}`, queryBytes('far.test'));
    expect(udp!.equals(up.sent.at(-1)!)).toBe(true);
    const [tcp] = await tcpExchange(`127.0.0.11:${l.port}`, [queryBytes('far.test', 'MX')]);
    expect(tcp!.equals(up.sent.at(-1)!)).toBe(true);
    expect(up.queries.at(-1)).toEqual({ name: 'far.test', type: 'MX', transport: 'tcp' });

    dns.setUpstreams([]);
    const failed = decodeReply((await udpExchange(`127.0.0.11:${l.port}`, queryBytes('far.test')))!);
    expect(failed.rcode).toBe('SERVFAIL');
    expect(failed.questions).toEqual([{ name: 'far.test', type: 'A', class: 'IN' }]);
  });
});
