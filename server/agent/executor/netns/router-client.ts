// The agent's side of the netns router (router.mjs): starting it (or finding
// the one an earlier agent process left), its control requests, the dial
// relay into task addresses, and the DNS hook.
import { spawn } from 'node:child_process';
import { lstat, mkdir, open } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { framedDatagrams } from '../datagram-stream';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../util/private-files';

const ROUTER_SCRIPT = fileURLToPath(new URL('./router.mjs', import.meta.url));
const START_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;

export interface RouterTools {
  unshare: string;
  nsenter: string;
  ip: string;
}

export const DEFAULT_TOOLS: RouterTools = { unshare: 'unshare', nsenter: 'nsenter', ip: 'ip' };

/** One veth of a task: the host end on `bridge`, the task end named `ifname` holding `address` (CIDR). */
export interface RouterLink {
  bridge: string;
  /** The gateway address with the network's prefix length, e.g. 10.0.1.1/24. */
  gatewayCidr: string;
  host: string;
  ifname: string;
  address: string;
}

/** Who asked the embedded DNS: the task's address (its source address on a network) and port. */
export interface DnsAsker {
  address: string;
  port: number;
  protocol: 'udp' | 'tcp';
}

/** Answers one DNS message (wire format) or drops it (undefined). */
export type DnsHandler = (query: Buffer, asker: DnsAsker) => Promise<Buffer | undefined> | Buffer | undefined;

/** A service VIP the router accepts TCP connections to on `port`, from sources in `subnet` only. */
export interface RouterVip {
  vip: string;
  port: number;
  subnet: string;
}

interface Reply {
  id?: number;
  ok?: boolean;
  error?: string;
  op?: string;
  qid?: number;
  data?: string;
  protocol?: 'udp' | 'tcp';
  from?: { address: string; port: number };
  pid?: number;
  errors?: string[];
}

export class NetnsRouter {
  private nextID = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private dnsHandler?: DnsHandler;
  /** The router process (in its namespaces; tasks enter them through it). */
  pid = 0;

  private constructor(
    readonly runDir: string,
    readonly tools: RouterTools,
    private readonly control: Socket,
  ) {
    let buf = '';
    control.setEncoding('utf8');
    control.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.onMessage(JSON.parse(line) as Reply);
      }
    });
    control.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('netns router: control connection closed'));
      this.pending.clear();
    });
    control.on('error', () => {});
  }

  /**
   * Connects to the router in `runDir`, starting one when none answers. The
   * router outlives this process: tasks' namespaces hang off it.
   */
  static async open(runDir: string, tools: RouterTools = DEFAULT_TOOLS): Promise<NetnsRouter> {
    await mkdir(runDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // in a shared tmp: only a directory of our own that nobody else can enter
    const st = await lstat(runDir);
    if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0)
      throw new Error(`${runDir} is not a private directory of this user`);
    const existing = await connectControl(runDir).catch(() => undefined);
    if (existing) {
      const hello = await NetnsRouter.handshake(runDir, tools, existing).catch(() => undefined);
      if (hello) return hello;
      existing.destroy();
    }
    await startRouter(runDir, tools);
    return NetnsRouter.handshake(runDir, tools, await connectControl(runDir));
  }

  private static async handshake(runDir: string, tools: RouterTools, sock: Socket): Promise<NetnsRouter> {
    const r = new NetnsRouter(runDir, tools, sock);
    r.pid = (await r.request({ op: 'hello' }, 2_000)).pid ?? 0;
    if (!r.pid) throw new Error('netns router: no PID in its hello');
    return r;
  }

  /** Puts the veths into the task's network namespace (its process `pid`) and configures them. */
  async attach(pid: number, links: RouterLink[], defaultVia: string | undefined): Promise<void> {
    await this.request({ op: 'attach', pid, links, defaultVia });
  }

  /** Makes a network's bridge with its gateway address (also done by attach). */
  async ensureNetwork(bridge: string, gatewayCidr: string): Promise<void> {
    await this.request({ op: 'network', bridge, gatewayCidr });
  }

  /**
   * The DNS hook: the router listens on UDP and TCP port 53 of every gateway
   * address (the tasks' nameserver) and hands each query to `handler`, with
   * the asking task's address.
   */
  async serveDns(handler: DnsHandler): Promise<void> {
    this.dnsHandler = handler;
    await this.request({ op: 'serveDns' });
  }

  /**
   * Where the router hands over connections tasks make to VIPs: a Unix socket
   * the agent's mesh listens on (one line {vip, port, src}, then the bytes).
   */
  get vipSocketPath(): string {
    return join(this.runDir, 'vip.sock');
  }

  /** Makes the set of accepted VIP:ports exactly `vips`; resolves to what could not be set up. */
  async setVips(vips: readonly RouterVip[]): Promise<string[]> {
    return (await this.request({ op: 'vips', entries: vips })).errors ?? [];
  }

  /** A TCP stream to ip:port inside the router's namespaces; rejects with the router's error code. */
  dial(ip: string, port: number): Promise<Socket> {
    return this.dialRelay(ip, port, 'tcp');
  }

  /**
   * A UDP flow to ip:port inside the router's namespaces, as a Duplex of whole
   * datagrams; the router holds a socket for it until either side closes or it idles 90 s.
   */
  async dialUdp(ip: string, port: number): Promise<Duplex> {
    return framedDatagrams(await this.dialRelay(ip, port, 'udp'));
  }

  private dialRelay(ip: string, port: number, proto: 'tcp' | 'udp'): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const sock = connect({ path: join(this.runDir, 'dial.sock'), allowHalfOpen: true });
      let head = Buffer.alloc(0);
      const fail = (code: string, why: string) => {
        sock.destroy();
        reject(Object.assign(new Error(`dial ${ip}:${port}/${proto}: ${why}`), { code }));
      };
      sock.once('error', (err: NodeJS.ErrnoException) => fail('ECONNREFUSED', `netns router: ${err.message}`));
      sock.once('connect', () =>
        sock.write(JSON.stringify(proto === 'udp' ? { ip, port, proto } : { ip, port }) + '\n'),
      );
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(10);
        if (nl < 0) return;
        sock.off('data', onData);
        sock.removeAllListeners('error');
        sock.removeAllListeners('end');
        const line = head.subarray(0, nl).toString('utf8');
        if (line !== 'ok') return fail(line.split(' ')[1] ?? 'ECONNREFUSED', line);
        const rest = head.subarray(nl + 1);
        sock.pause();
        if (rest.length) sock.unshift(rest);
        resolve(sock);
      };
      sock.on('data', onData);
      sock.once('end', () => fail('ECONNREFUSED', 'netns router closed the connection'));
    });
  }

  /** Ends the router (its namespaces go once no task holds them). */
  async stop(): Promise<void> {
    await this.request({ op: 'stop' }).catch(() => {});
    this.control.destroy();
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }

  /** Closes this process's connection and leaves the router running (agent exit). */
  close(): void {
    this.control.destroy();
  }

  private request(msg: Record<string, unknown>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply> {
    const id = this.nextID++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`netns router: ${String(msg.op)} timed out`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          if (r.ok) resolve(r);
          else reject(new Error(`netns router: ${r.error ?? 'failed'}`));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.control.write(JSON.stringify({ ...msg, id }) + '\n');
    });
  }

  private onMessage(m: Reply): void {
    if (m.op === 'dnsQuery') return void this.answerDns(m);
    if (m.id === undefined) return;
    this.pending.get(m.id)?.resolve(m);
    this.pending.delete(m.id);
  }

  private async answerDns(m: Reply): Promise<void> {
    let answer: Buffer | undefined;
    try {
      const asker = { address: m.from?.address ?? '', port: m.from?.port ?? 0, protocol: m.protocol ?? 'udp' };
      answer = (await this.dnsHandler?.(Buffer.from(m.data ?? '', 'base64'), asker)) ?? undefined;
    } catch (err) {
      console.error('netns router: DNS handler failed', err);
    }
    this.control.write(
      JSON.stringify({ op: 'dnsAnswer', qid: m.qid, data: answer ? answer.toString('base64') : undefined }) + '\n',
    );
  }
}

function connectControl(runDir: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path: join(runDir, 'control.sock') });
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** Spawns the router in new user+net+mount namespaces and waits for its "ready" line. */
async function startRouter(runDir: string, tools: RouterTools): Promise<void> {
  // its later complaints go to a file: nobody reads its pipes once it is ready
  const log = await open(join(runDir, 'router.log'), 'a', PRIVATE_FILE_MODE);
  try {
    await spawnRouter(runDir, tools, log.fd);
  } finally {
    await log.close();
  }
}

function spawnRouter(runDir: string, tools: RouterTools, logFd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      tools.unshare,
      [
        '--user',
        '--map-root-user',
        '--net',
        '--mount',
        '--',
        process.execPath,
        ROUTER_SCRIPT,
        runDir,
        tools.ip,
        tools.nsenter,
      ],
      // its own group: it outlives the agent, and a signal to the agent's group does not reach it
      { detached: true, stdio: ['ignore', 'pipe', logFd] },
    );
    const stdout = child.stdout!;
    let out = '';
    let settled = false;
    const timer = setTimeout(() => done(new Error('netns router did not start in time')), START_TIMEOUT_MS);
    const done = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stdout.removeAllListeners('data');
      stdout.destroy();
      child.unref();
      if (e) {
        try {
          if (child.pid) process.kill(child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        reject(e);
      } else resolve();
    };
    stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) done(out.startsWith('ready ') ? undefined : new Error(`netns router: ${out.trim()}`));
    });
    child.once('error', (e) => done(new Error(`netns router: ${e.message}`)));
    child.once('exit', (code) => done(new Error(`netns router exited (${code}); see ${join(runDir, 'router.log')}`)));
  });
}
