// Test support: a fake upstream DNS server on loopback (UDP and TCP on one port), and small
// raw clients, so forwarding is tested against real sockets and never the host's resolver.
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import * as packet from 'dns-packet';
import { frame, FrameReader } from './tcp-frames';

/** What the fake does with a query: a reply packet to send (now or later), or silence. */
export type FakeBehaviour = (
  q: packet.DecodedPacket,
  transport: 'udp' | 'tcp',
) => packet.Packet | 'silent' | Promise<packet.Packet | 'silent'>;

export interface FakeUpstream {
  addr: string;
  queries: { name: string; type: string; transport: 'udp' | 'tcp' }[];
  /** The most queries it held unanswered at once. */
  maxInFlight: number;
  /** The bytes of every reply sent, last one last. */
  sent: Buffer[];
  close(): Promise<void>;
}

/** A reply to `q` with `rcode` and, for A questions, these addresses. */
export function replyTo(q: packet.DecodedPacket, rcode: number, addresses: string[] = []): packet.Packet {
  const question = q.questions![0]!;
  return {
    id: q.id,
    type: 'response',
    flags: packet.RECURSION_AVAILABLE | packet.RECURSION_DESIRED | rcode,
    questions: [question],
    answers: addresses.map((data) => ({ name: question.name, type: 'A' as const, ttl: 42, data })),
  };
}

export async function startFakeUpstream(host: string, behaviour: FakeBehaviour): Promise<FakeUpstream> {
  const queries: FakeUpstream['queries'] = [];
  const sent: Buffer[] = [];
  let inFlight = 0;
  const respond = async (msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const q = packet.decode(msg);
    queries.push({ name: q.questions![0]!.name, type: q.questions![0]!.type, transport });
    fake.maxInFlight = Math.max(fake.maxInFlight, ++inFlight);
    const r = await behaviour(q, transport);
    inFlight--;
    if (r === 'silent') return undefined;
    const bytes = packet.encode(r);
    sent.push(bytes);
    return bytes;
  };
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const frames = new FrameReader();
    socket.on('data', (chunk) => {
      for (const m of frames.push(chunk)) {
        void respond(Buffer.from(m), 'tcp').then((reply) => reply && !socket.destroyed && socket.write(frame(reply)));
      }
    });
  });
  const { udp, port } = await bindPair(host, tcp);
  udp.on('message', (msg, rinfo) => {
    void respond(msg, 'udp').then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address));
  });
  const fake: FakeUpstream = {
    addr: `${host}:${port}`,
    queries,
    sent,
    maxInFlight: 0,
    async close() {
      udp.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
  return fake;
}

/**
 * A UDP socket and the TCP server on the same port number. The UDP port is picked by the kernel; the
 * same number may already be taken for TCP by another process on a busy machine, so that case picks
 * again (bounded) instead of failing the listen.
 */
async function bindPair(host: string, tcp: Server): Promise<{ udp: DgramSocket; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, host, () => r()));
    const port = udp.address().port;
    const err = await new Promise<NodeJS.ErrnoException | undefined>((r) => {
      const onError = (e: NodeJS.ErrnoException) => r(e);
      tcp.once('error', onError);
      tcp.listen(port, host, () => {
        tcp.off('error', onError);
        r(undefined);
      });
    });
    if (!err) return { udp, port };
    udp.close();
    if (err.code !== 'EADDRINUSE' || attempt >= 20) throw err;
  }
}

let nextID = 1;

/** A query's bytes; `udpSize` adds an EDNS OPT record with that payload size. */
export function queryBytes(name: string, type: packet.RecordType = 'A', udpSize?: number): Buffer {
  return packet.encode({
    id: nextID++ & 0xffff,
    type: 'query',
    flags: packet.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: udpSize
      ? [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: udpSize,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [],
  });
}

/** One UDP exchange: the raw reply, or undefined after `timeoutMs` of silence. */
export function udpExchange(
  addr: string,
  message: Buffer,
  timeoutMs = 2_000,
  from?: string,
): Promise<Buffer | undefined> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.bind(0, from, () => socket.send(message, Number(port), host));
  });
}

/** Sends `messages` framed in one write on one TCP connection and collects `expect` replies. */
export function tcpExchange(addr: string, messages: Buffer[], expect = messages.length): Promise<Buffer[]> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) });
    const frames = new FrameReader();
    const replies: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp: ${replies.length} of ${expect} replies`));
    }, 5_000);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat(messages.map(frame))));
    socket.on('data', (chunk) => {
      replies.push(...frames.push(chunk).map((m) => Buffer.from(m)));
      if (replies.length >= expect) {
        clearTimeout(timer);
        socket.destroy();
        resolve(replies);
      }
    });
  });
}

/** A reply decoded, with the RCODE dns-packet reads but its types leave out. */
export function decodeReply(bytes: Buffer): packet.DecodedPacket & { rcode: string } {
  return packet.decode(bytes) as packet.DecodedPacket & { rcode: string };
}
