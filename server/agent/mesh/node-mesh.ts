// The routing mesh of one node: from each NetworkView it keeps a listener on the
// node's advertise address for every port it routes (routes.ts), picks backends
// round-robin, reaches a backend on this node through the TaskDialer and one on
// another node through the tunnel, and serves the tunnel as the last hop of
// every connection to its own tasks (refusing draining ones: brief §3.6).
import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { rm } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { MeshPeer, NetworkView } from '../../api/network-view';
import type { MeshPortError, PortConfig, Task } from '../../api/types';
import type { TaskDialer } from '../executor/task-dial';
import type { AssignedPort } from '../executor/task-ports';
import { DrainSet } from './drain';
import { FlowTable } from './flow-table';
import { encodeFrame, encodeJSON, FrameReader, MAX_DATAGRAM, type OpenRequest } from './frames';
import type { NodeMeshHooks } from './node-mesh-api';
import { DEFAULT_RETRY_POLICY, nextAttempt, type AttemptFailure, type RetryPolicy } from './retry';
import { RoundRobin } from './round-robin';
import { hostPortStatus } from './port-status';
import { meshRoutes, type Backend, type Route } from './routes';
import { splice } from './splice';
import { createTunnelServer, openTunnel, refreshTunnelServer, type MeshTls } from './tunnel';
import { vipKey, vipRoutes, type VipEntry } from './vip-routes';

export interface NodeMeshOptions {
  nodeID: string;
  /** Where this node's listeners bind (its advertise address). */
  addr: string;
  /** The node-to-node data port the tunnel listens on. */
  dataPort: number;
  tls: MeshTls;
  dialer: TaskDialer;
  /** The host ports the executor gave a task (for host-mode PortStatus). */
  hostPorts?: (taskID: string) => AssignedPort[];
  drainDelayMs?: number;
  retry?: RetryPolicy;
  log?: (m: string) => void;
  /**
   * Netns mode: the router that accepts tasks' connections to service VIPs and
   * hands each one to this mesh on a Unix socket (vip-routes.ts).
   */
  vipPlane?: VipPlane;
}

/** The netns router's side of VIP traffic (NetnsRouter implements it). */
export interface VipPlane {
  /** Where this mesh listens for the router's VIP connections. */
  readonly vipSocketPath: string;
  /** The VIP:ports to accept, exactly; resolves to what could not be set up. */
  setVips(vips: readonly VipEntry[]): Promise<string[]>;
}

/** The longest header line the router sends before a VIP connection's bytes. */
const VIP_HEADER_LIMIT = 1024;

/** Client bytes held while a backend is chosen; past this the client is paused (TCP backpressure). */
const HOLD_LIMIT = 64 * 1024;
/** How often idle UDP flows are swept. */
const UDP_SWEEP_MS = 10_000;

type Attempt = { ok: true; stream: Duplex; rest: Buffer } | { ok: false; why: AttemptFailure; message: string };

interface Listener {
  route: Route;
  close(): void;
}

interface UdpFlow {
  send(msg: Buffer): void;
  close(): void;
}

export class NodeMesh implements NodeMeshHooks {
  readonly drain: DrainSet;
  private readonly log: (m: string) => void;
  private readonly retry: RetryPolicy;
  private readonly rr = new RoundRobin();
  private view?: NetworkView;
  private routes = new Map<string, Route>();
  /** Connections to service VIPs from this node's netns tasks, by `vip/<vip>:<port>`. */
  private vips = new Map<string, Route>();
  private vipServer?: TcpServer;
  private vipErrors: string[] = [];
  /** The VIP set last sent to the router (JSON), and the chain of sends in order. */
  private vipSent = '';
  private vipSending: Promise<void> = Promise.resolve();
  private peers = new Map<string, MeshPeer>();
  private readonly listeners = new Map<string, Listener>();
  /** Listeners being bound, so a second view does not bind the same port twice. */
  private readonly binding = new Set<string>();
  private readonly bindErrors = new Map<string, MeshPortError>();
  private readonly hostPortListeners = new Set<(serviceID: string, message: string) => void>();
  private conflicts: string[] = [];
  private tunnel?: TlsServer;
  private tunnelError?: string;
  private closed = false;

  constructor(private readonly o: NodeMeshOptions) {
    this.drain = new DrainSet(o.drainDelayMs);
    this.log = o.log ?? ((m) => console.error(m));
    this.retry = o.retry ?? DEFAULT_RETRY_POLICY;
  }

  /** Starts the tunnel listener; a port that cannot be bound is reported, never thrown. */
  async start(): Promise<void> {
    const server = createTunnelServer(this.o.tls, (s, open, rest) => this.lastHop(s, open, rest), this.log);
    this.tunnel = server;
    await new Promise<void>((resolve) => {
      server.once('error', (err) => {
        this.tunnelError = `routing mesh: cannot listen on ${this.o.addr}:${this.o.dataPort} (data path port): ${(err as NodeJS.ErrnoException).code ?? err.message}`;
        this.log(this.tunnelError);
        resolve();
      });
      server.listen({ host: this.o.addr, port: this.o.dataPort }, () => resolve());
    });
    if (this.o.vipPlane) await this.listenVips(this.o.vipPlane.vipSocketPath);
  }

  /** The node's certificate changed: new tunnels use it. */
  refreshTls(): void {
    if (this.tunnel) refreshTunnelServer(this.tunnel, this.o.tls);
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
    this.vipServer?.close();
    await new Promise<void>((resolve) => (this.tunnel ? this.tunnel.close(() => resolve()) : resolve()));
  }

  errors(): string[] {
    return [
      ...(this.tunnelError ? [this.tunnelError] : []),
      ...this.conflicts,
      ...[...this.bindErrors.values()].map((e) => e.Message),
      ...this.vipErrors,
    ];
  }

  portErrors(): MeshPortError[] {
    return [...this.bindErrors.values()];
  }

  onHostPortError(fn: (serviceID: string, message: string) => void): () => void {
    this.hostPortListeners.add(fn);
    return () => this.hostPortListeners.delete(fn);
  }

  portStatus(task: Task): PortConfig[] {
    return hostPortStatus(task, this.o.hostPorts?.(task.ID) ?? []);
  }

  /** The ports this node listens on now (for tests and status). */
  listening(): string[] {
    return [...this.listeners.keys()].sort();
  }

  setView(view: NetworkView): void {
    if (this.closed) return;
    this.view = view;
    const { routes, conflicts } = meshRoutes(view, this.o.nodeID);
    this.conflicts = conflicts;
    this.routes = new Map(routes.map((r) => [r.key, r]));
    this.peers = new Map(view.Peers.map((p) => [p.NodeID, p]));
    this.vips = new Map(
      vipRoutes(view, this.o.nodeID).map((v) => [
        v.key,
        {
          key: v.key,
          proto: 'tcp' as const,
          publishedPort: v.port,
          targetPort: v.port,
          serviceID: v.serviceID,
          serviceName: v.serviceName,
          mode: 'ingress' as const,
          backends: v.backends,
        },
      ]),
    );
    this.rr.retain(new Set([...this.routes.keys(), ...this.vips.keys()]));
    if (this.o.vipPlane) this.sendVips(this.o.vipPlane, view);
    for (const [key, l] of this.listeners) {
      if (!this.routes.has(key)) {
        l.close();
        this.listeners.delete(key);
      }
    }
    for (const key of [...this.bindErrors.keys()]) if (!this.routes.has(key)) this.bindErrors.delete(key);
    for (const r of this.routes.values()) if (!this.listeners.has(r.key) && !this.binding.has(r.key)) this.listen(r);
  }

  // ---------- service VIPs (netns mode) ----------

  /** The router's VIP set follows the view; sends are chained so the last view wins. */
  private sendVips(plane: VipPlane, view: NetworkView): void {
    const entries = vipRoutes(view, this.o.nodeID).map((v) => ({ vip: v.vip, port: v.port, subnet: v.subnet }));
    const text = JSON.stringify(entries);
    if (text === this.vipSent) return;
    this.vipSent = text;
    this.vipSending = this.vipSending.then(async () => {
      if (this.closed || this.vipSent !== text) return;
      try {
        this.vipErrors = (await plane.setVips(entries)).map((e) => `routing mesh: ${e}`);
      } catch (err) {
        this.vipErrors = [`routing mesh: service VIPs: ${(err as Error).message}`];
        this.vipSent = ''; // tried again with the next view
      }
      for (const e of this.vipErrors) this.log(e);
    });
  }

  private async listenVips(path: string): Promise<void> {
    await rm(path, { force: true });
    const server = createServer({ allowHalfOpen: true }, (sock) => this.acceptVip(sock));
    await new Promise<void>((resolve) => {
      server.once('error', (err) => {
        this.vipErrors = [`routing mesh: cannot listen on ${path} (service VIPs): ${err.message}`];
        this.log(this.vipErrors[0]!);
        resolve();
      });
      server.listen(path, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log(`routing mesh: service VIPs: ${err.message}`));
        this.vipServer = server;
        resolve();
      });
    });
  }

  /** A task's connection to a VIP, relayed by the router: `{vip, port, src}\n`, then the client's bytes. */
  private acceptVip(sock: Socket): void {
    let head = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > VIP_HEADER_LIMIT) sock.destroy();
        return;
      }
      sock.pause();
      sock.off('data', onData);
      let to: { vip?: unknown; port?: unknown };
      try {
        to = JSON.parse(head.subarray(0, nl).toString('utf8')) as typeof to;
      } catch {
        return void sock.destroy();
      }
      const key = typeof to.vip === 'string' && typeof to.port === 'number' ? vipKey(to.vip, to.port) : '';
      if (!this.vips.has(key)) return void sock.destroy();
      const rest = head.subarray(nl + 1);
      if (rest.length) sock.unshift(rest);
      void this.accept(key, sock);
      sock.resume();
    };
    sock.on('data', onData);
  }

  // ---------- listeners ----------

  private listen(route: Route): void {
    this.binding.add(route.key);
    const done = (l: Listener | undefined, err?: NodeJS.ErrnoException) => {
      this.binding.delete(route.key);
      if (err) {
        const text = `routing mesh: cannot listen on ${this.o.addr}:${route.publishedPort}/${route.proto} for service ${route.serviceName}: ${err.code ?? err.message}`;
        if (this.bindErrors.get(route.key)?.Message !== text) this.log(text);
        this.bindErrors.set(route.key, {
          ServiceID: route.serviceID,
          PublishedPort: route.publishedPort,
          Protocol: route.proto,
          PublishMode: route.mode,
          Message: text,
        });
        // a host-mode port belongs to this node's tasks of the service: their start fails, as in Docker
        if (route.mode === 'host') for (const fn of this.hostPortListeners) fn(route.serviceID, text);
        return;
      }
      this.bindErrors.delete(route.key);
      if (this.closed || !this.routes.has(route.key)) return l?.close();
      this.listeners.set(route.key, l!);
    };
    if (route.proto === 'tcp') {
      const server: TcpServer = createServer({ allowHalfOpen: true }, (c) => void this.accept(route.key, c));
      server.once('error', (err) => done(undefined, err));
      server.listen({ host: this.o.addr, port: route.publishedPort, exclusive: true }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log(`routing mesh: ${route.key}: ${err.message}`));
        done({ route, close: () => server.close() });
      });
    } else {
      const sock = createSocket('udp4');
      const flows = new FlowTable<UdpFlow>();
      sock.once('error', (err) => {
        sock.close();
        done(undefined, err);
      });
      sock.bind({ address: this.o.addr, port: route.publishedPort, exclusive: true }, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.log(`routing mesh: ${route.key}: ${err.message}`));
        sock.on('message', (msg, rinfo) => this.datagram(route.key, sock, flows, msg, rinfo));
        const sweep = setInterval(() => {
          for (const f of flows.expire(Date.now())) f.close();
        }, UDP_SWEEP_MS);
        sweep.unref();
        done({
          route,
          close: () => {
            clearInterval(sweep);
            for (const f of flows.clear()) f.close();
            sock.close();
          },
        });
      });
    }
  }

  /** A client connected: hold its bytes, find a backend that says ok (retrying), then splice. */
  private async accept(key: string, client: Socket): Promise<void> {
    client.setNoDelay(true);
    const held: Buffer[] = [];
    let heldBytes = 0;
    let ended = false;
    const onData = (b: Buffer) => {
      held.push(b);
      heldBytes += b.length;
      if (heldBytes >= HOLD_LIMIT) client.pause();
    };
    client.on('data', onData);
    client.on('end', () => (ended = true));
    client.on('error', () => client.destroy());
    const got = await this.connectWithRetry(key, 'tcp', () => client.destroyed);
    if (!got) {
      client.destroy();
      return;
    }
    if (client.destroyed) {
      got.stream.destroy();
      return;
    }
    client.off('data', onData);
    splice(client, got.stream, Buffer.concat([...held, got.rest]), ended);
  }

  private async connectWithRetry(
    key: string,
    proto: 'tcp' | 'udp',
    gone: () => boolean,
  ): Promise<{ stream: Duplex; rest: Buffer; backend: Backend } | undefined> {
    const started = Date.now();
    const tried = new Set<string>();
    let attempts = 0;
    for (;;) {
      const route = this.routes.get(key) ?? this.vips.get(key);
      const backend = route ? this.rr.next(key, route.backends, tried) : undefined;
      let why: AttemptFailure = 'no-backend';
      if (route && backend) {
        attempts++;
        tried.add(backend.taskID);
        const r = await this.attempt(route, backend, proto);
        if (r.ok) return { stream: r.stream, rest: r.rest, backend };
        why = r.why;
      }
      if (gone()) return undefined;
      const current = this.routes.get(key) ?? this.vips.get(key);
      const untried = !!current && current.backends.some((b) => !tried.has(b.taskID));
      const d = nextAttempt(this.retry, attempts, Date.now() - started, why, untried);
      if (!d.retry) return undefined;
      if (d.freshRound) tried.clear();
      if (d.afterMs) await new Promise((r) => setTimeout(r, d.afterMs));
      if (gone() || this.closed) return undefined;
    }
  }

  private async attempt(route: Route, b: Backend, proto: 'tcp' | 'udp'): Promise<Attempt> {
    if (b.nodeID === this.o.nodeID) {
      if (this.drain.isDraining(b.taskID)) return { ok: false, why: 'draining', message: 'draining' };
      try {
        const stream =
          proto === 'tcp'
            ? await this.o.dialer.dialTcp(b.taskID, route.targetPort)
            : await this.localUdp(b.taskID, route.targetPort);
        return { ok: true, stream, rest: Buffer.alloc(0) };
      } catch (err) {
        return { ok: false, why: 'refused', message: (err as Error).message };
      }
    }
    const peer = this.peers.get(b.nodeID);
    if (!peer) return { ok: false, why: 'unreachable', message: `node ${b.nodeID} runs no mesh` };
    const r = await openTunnel(peer, { task: b.taskID, port: route.targetPort, proto }, this.o.tls);
    if (r.answer === 'ok') return { ok: true, stream: r.socket, rest: r.rest };
    return { ok: false, why: r.answer, message: r.message };
  }

  // ---------- the last hop (tunnel streams to this node's tasks) ----------

  private lastHop(socket: TLSSocket, open: OpenRequest, rest: Buffer): void {
    const refuse = (answer: 'draining' | 'refused', message: string): void => {
      socket.end(encodeJSON({ answer, message }));
    };
    const task = this.view?.Tasks.find((t) => t.ID === open.task);
    if (!task || task.NodeID !== this.o.nodeID) return refuse('refused', `task ${open.task} does not run on this node`);
    if (this.drain.isDraining(open.task) || task.Draining) return refuse('draining', `task ${open.task} is draining`);
    if (open.proto === 'udp') {
      this.localUdp(open.task, open.port).then(
        (upstream) => this.lastHopUdp(socket, upstream, rest),
        (err: Error) => refuse('refused', err.message),
      );
      return;
    }
    this.o.dialer.dialTcp(open.task, open.port).then(
      (upstream) => {
        if (socket.destroyed) return upstream.destroy();
        socket.write(encodeJSON({ answer: 'ok' }));
        splice(socket, upstream, rest, false);
        socket.resume();
      },
      (err: Error) => refuse('refused', err.message),
    );
  }

  /** A tunnel stream carrying one UDP flow to a local task: frames on the tunnel, datagrams upstream. */
  private lastHopUdp(socket: TLSSocket, upstream: Duplex, rest: Buffer): void {
    if (socket.destroyed) return void upstream.destroy();
    socket.write(encodeJSON({ answer: 'ok' }));
    // framed datagrams both ways: the tunnel side is already framed, so pass frames through
    const reader = new FrameReader(MAX_DATAGRAM);
    const onFrames = (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) upstream.write(f);
      } catch {
        socket.destroy();
      }
    };
    onFrames(rest);
    socket.on('data', onFrames);
    socket.resume();
    upstream.on('data', (d: Buffer) => socket.write(encodeFrame(d)));
    socket.on('close', () => upstream.destroy());
    upstream.on('error', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  }

  /** A datagram channel to a local task as a Duplex of whole datagrams. */
  private localUdp(taskID: string, targetPort: number): Promise<Duplex> {
    if (!this.o.dialer.dialUdp)
      return Promise.reject(
        Object.assign(new Error(`task ${taskID}: this node carries no UDP to its tasks`), { code: 'ECONNREFUSED' }),
      );
    return this.o.dialer.dialUdp(taskID, targetPort);
  }

  // ---------- UDP ingress ----------

  private datagram(
    key: string,
    sock: UdpSocket,
    flows: FlowTable<UdpFlow>,
    msg: Buffer,
    rinfo: { address: string; port: number },
  ): void {
    const id = `${rinfo.address}:${rinfo.port}`;
    const now = Date.now();
    let flow = flows.get(id, now);
    if (!flow) {
      const queued: Buffer[] = [msg];
      let stream: Duplex | undefined;
      let framed = false;
      let closed = false;
      flow = {
        send: (m) => {
          if (!stream) queued.push(m);
          else stream.write(framed ? encodeFrame(m) : m);
        },
        close: () => {
          closed = true;
          stream?.destroy();
        },
      };
      for (const old of flows.set(id, flow, now)) old.close();
      const f = flow;
      void this.connectWithRetry(key, 'udp', () => closed).then((got) => {
        if (!got || closed) {
          if (flows.get(id, Date.now()) === f) flows.delete(id);
          got?.stream.destroy();
          return;
        }
        stream = got.stream;
        framed = got.backend.nodeID !== this.o.nodeID;
        const reply = (d: Buffer) => sock.send(d, rinfo.port, rinfo.address);
        if (framed) {
          const reader = new FrameReader(MAX_DATAGRAM);
          const onData = (chunk: Buffer) => {
            try {
              for (const d of reader.push(chunk)) reply(d);
            } catch {
              stream?.destroy();
            }
          };
          onData(got.rest);
          stream.on('data', onData);
        } else stream.on('data', reply);
        stream.on('error', () => stream?.destroy());
        stream.on('close', () => {
          if (flows.get(id, Date.now()) === f) flows.delete(id);
        });
        stream.resume();
        for (const m of queued.splice(0)) f.send(m);
      });
      return;
    }
    flow.send(msg);
  }
}
