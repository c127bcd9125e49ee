// Forwarding what the embedded DNS does not answer, as libnetwork's forwardExtDNS: the
// upstreams are tried in order (at most 3) over the transport the client used, each with a
// 4 s limit; a reply is relayed byte for byte unless it is SERVFAIL or REFUSED, which moves
// on to the next. At most 1,024 exchanges run at once; a query that waits 4 s for a slot is
// REFUSED. No reply from any upstream: the server answers SERVFAIL.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect } from 'node:net';
import { frame, FrameReader } from './tcp-frames';
import { isReplyTo, rcodeOf, RCODE, type Transport } from './wire';

/** maxExtDNS */
export const MAX_UPSTREAMS = 3;
/** extIOTimeout */
export const UPSTREAM_TIMEOUT_MS = 4_000;
/** maxConcurrent */
export const MAX_CONCURRENT = 1_024;

export interface Upstream {
  host: string;
  port: number;
}

/** "192.0.2.1", "192.0.2.1:5353", "[2001:db8::1]:53" or a bare IPv6 address; port 53 by default. */
export function parseUpstream(text: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: Number(bracketed[2] ?? 53) };
  if (isIPv6(text)) return { host: text, port: 53 };
  const [host, port] = text.split(':');
  const n = Number(port ?? 53);
  if (!host || !Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`"${text}" is not an upstream DNS address`);
  return { host, port: n };
}

/** A counting semaphore whose waiters give up after a deadline. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  acquire(timeoutMs: number): Promise<boolean> {
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        resolve(false);
      }, timeoutMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes straight on
    else this.used--;
  }
}

function exchangeUdp(up: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    let finished = false;
    // once only: a late send callback or error after the timer must not close the socket twice
    const done = (reply: Buffer | undefined) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    // a stray datagram (wrong ID, another sender) is ignored, as miekg's client does
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address === up.host && rinfo.port === up.port && isReplyTo(msg, id)) done(msg);
    });
    socket.send(query, up.port, up.host, (err) => {
      if (err) done(undefined);
    });
  });
}

function exchangeTcp(up: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: up.host, port: up.port });
    const frames = new FrameReader();
    let finished = false;
    const done = (reply: Buffer | undefined) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('connect', () => socket.write(frame(query)));
    socket.on('data', (chunk) => {
      const reply = frames.push(chunk).find((m) => isReplyTo(m, id));
      if (reply) done(Buffer.from(reply));
    });
  });
}

export interface ForwarderOptions {
  timeoutMs?: number;
  maxConcurrent?: number;
  /** How long a query waits for an exchange slot (libnetwork: the exchange timeout). */
  slotWaitMs?: number;
}

export class Forwarder {
  private upstreams: Upstream[] = [];
  private readonly slots: Slots;
  private readonly timeoutMs: number;
  private readonly slotWaitMs: number;

  constructor(upstreams: readonly string[], o: ForwarderOptions = {}) {
    this.timeoutMs = o.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
    this.slotWaitMs = o.slotWaitMs ?? this.timeoutMs;
    this.slots = new Slots(o.maxConcurrent ?? MAX_CONCURRENT);
    this.setUpstreams(upstreams);
  }

  /** The first three are used (libnetwork keeps maxExtDNS of the host's nameservers). */
  setUpstreams(upstreams: readonly string[]): void {
    this.upstreams = upstreams.slice(0, MAX_UPSTREAMS).map(parseUpstream);
  }

  /**
   * The first usable upstream reply, as received; `refused` when no exchange slot freed up in
   * time; undefined when no upstream replied (or none is configured).
   */
  async forward(query: Buffer, transport: Transport): Promise<Buffer | 'refused' | undefined> {
    const id = query.readUInt16BE(0);
    for (const up of this.upstreams) {
      if (!(await this.slots.acquire(this.slotWaitMs))) return 'refused';
      let reply: Buffer | undefined;
      try {
        reply =
          transport === 'udp'
            ? await exchangeUdp(up, query, id, this.timeoutMs)
            : await exchangeTcp(up, query, id, this.timeoutMs);
      } finally {
        this.slots.release();
      }
      const rcode = reply && rcodeOf(reply);
      if (reply && rcode !== RCODE.SERVFAIL && rcode !== RCODE.REFUSED) return reply;
    }
    return undefined;
  }
}
