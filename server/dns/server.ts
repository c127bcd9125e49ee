// The embedded DNS server of a node: UDP and TCP listeners around the pure answer core.
// Each question is answered for the task that asks, known from the listener (one per task
// network namespace) or from the source address (view.taskByAddress); what the core does
// not answer goes upstream. libnetwork's resolver.go is the model (brief §2).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server as TcpServer, type Socket } from 'node:net';
import type { NetworkView } from '../api/network-view';
import { answerQuestion, askerForTask, type DnsAsker } from './answer';
import { ResolverIndex } from './resolver-index';
import type { DnsSources } from './sources';
import { frame, FrameReader } from './tcp-frames';
import { Forwarder, MAX_CONCURRENT, UPSTREAM_TIMEOUT_MS } from './upstream';
import { ResolverSync, type SyncChanges } from './view-sync';
import { encodeReply, parseQuery, RCODE, type Transport } from './wire';

/** miekg/dns's TCP idle timeout: a connection with nothing to say is closed after it. */
const TCP_IDLE_MS = 8_000;

export interface DnsServerOptions {
  /** Where unknown names go, "ip" or "ip:port"; the first 3 are used. None: SERVFAIL. */
  upstreams?: readonly string[];
  /** Per upstream exchange, and the longest wait for an exchange slot (4 s). */
  upstreamTimeoutMs?: number;
  /** Upstream exchanges at once (1,024). */
  maxConcurrent?: number;
  /** Open TCP connections at once per listener (1,024); more are closed on accept. */
  maxTcpConnections?: number;
  /** The shuffle's random source. */
  rng?: () => number;
}

export interface ListenOptions {
  /**
   * The task whose network namespace this listener serves: every question on it is that
   * task's. Without it the asker is found by source address, and a stranger is answered
   * nothing of ours (everything goes upstream).
   */
  asker?: string;
}

export interface DnsListener {
  address: string;
  /** UDP and TCP share it. */
  port: number;
  close(): Promise<void>;
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: TcpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export class DnsServer {
  readonly index = new ResolverIndex();
  private readonly sync = new ResolverSync(this.index);
  private readonly forwarder: Forwarder;
  private readonly rng: () => number;
  private readonly maxTcp: number;
  private readonly listeners = new Set<DnsListener>();

  constructor(o: DnsServerOptions = {}) {
    this.forwarder = new Forwarder(o.upstreams ?? [], {
      timeoutMs: o.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
      maxConcurrent: o.maxConcurrent ?? MAX_CONCURRENT,
    });
    this.rng = o.rng ?? Math.random;
    this.maxTcp = o.maxTcpConnections ?? MAX_CONCURRENT;
  }

  /** A pushed NetworkView (an older revision than the last is ignored), patched in by difference. */
  update(view: NetworkView | DnsSources): SyncChanges | undefined {
    return 'Revision' in view ? this.sync.applyView(view) : this.sync.apply(view);
  }

  setUpstreams(upstreams: readonly string[]): void {
    this.forwarder.setUpstreams(upstreams);
  }

  /** The asker of a question: the listener's task, else the task holding the source address. */
  private askerFor(source: string, o: ListenOptions): DnsAsker {
    const taskID = o.asker ?? this.index.view.taskByAddress.get(source.replace(/^::ffff:/, ''));
    if (!taskID) return { networkIDs: [] };
    const options = this.sync.task(taskID)?.Spec.ContainerSpec.DNSConfig?.Options ?? [];
    return askerForTask(this.index.view, taskID, options);
  }

  /** One message in, the reply out (undefined: send nothing). Never rejects. */
  async handle(
    message: Buffer,
    transport: Transport,
    source: string,
    o: ListenOptions = {},
  ): Promise<Buffer | undefined> {
    const parsed = parseQuery(message, transport);
    if (parsed.kind === 'drop') return undefined;
    if (parsed.kind === 'reply') return parsed.bytes;
    const { query } = parsed;
    try {
      const asker = this.askerFor(source, o);
      const answer = answerQuestion(this.index.view, asker, { name: query.name, type: query.type }, this.rng);
      if (answer.kind === 'answer') return encodeReply(query, RCODE.NOERROR, answer.records);
      const relayed = await this.forwarder.forward(message, transport);
      if (relayed === 'refused') return encodeReply(query, RCODE.REFUSED);
      return relayed ?? encodeReply(query, RCODE.SERVFAIL);
    } catch {
      // serveDNS: a failure to handle the query is a SERVFAIL, never the end of the server
      return encodeReply(query, RCODE.SERVFAIL);
    }
  }

  /** UDP and TCP on `host:port` (port 0: one free port for both). */
  async listen(host: string, port: number, o: ListenOptions = {}): Promise<DnsListener> {
    const udp = await bindUdp(host, port);
    const bound = udp.address().port;
    const connections = new Set<Socket>();
    const tcp = createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      this.serveTcp(socket, o);
    });
    tcp.maxConnections = this.maxTcp;
    try {
      await listenTcp(tcp, host, bound);
    } catch (err) {
      udp.close();
      throw err;
    }
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, 'udp', rinfo.address, o).then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address, () => undefined);
      });
    });
    // a send to a vanished client reports ICMP errors here; they concern no one else
    udp.on('error', () => undefined);
    tcp.on('error', () => undefined);
    const listener: DnsListener = {
      address: host,
      port: bound,
      close: async () => {
        this.listeners.delete(listener);
        await new Promise<void>((r) => udp.close(() => r()));
        const closed = new Promise<void>((r) => tcp.close(() => r()));
        for (const socket of connections) socket.destroy();
        await closed;
      },
    };
    this.listeners.add(listener);
    return listener;
  }

  /** Pipelined: every framed query is answered as soon as its answer is ready, in any order. */
  private serveTcp(socket: Socket, o: ListenOptions): void {
    const frames = new FrameReader();
    const source = socket.remoteAddress ?? '';
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      for (const message of frames.push(chunk)) {
        void this.handle(Buffer.from(message), 'tcp', source, o).then((reply) => {
          if (reply && !socket.destroyed) socket.write(frame(reply));
        });
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l.close()));
  }
}
