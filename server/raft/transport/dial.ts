// The dialer's half of the handshake: TLS (verified against the swarm's
// root), then an HTTP GET with `Upgrade: swarmdeck-cluster/1`, resolved with
// the socket after the 101. Who answered is read from its certificate.

import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { RaftId } from '../types';
import type { Clock } from '../../util/clock';
import { dialHeaders, MANAGER_OU } from './handshake';
import { parseAddr, type SocketFactory } from './socket-factory';
import type { ConnPurpose } from './wire';

/** A dial that did not end in a cluster connection; `status` is set when the peer answered over HTTP. */
export class DialError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DialError';
  }
}

export interface DialOptions {
  self: { raftId: RaftId; addr: string };
  /** Sent only by a joiner without a certificate. */
  joinToken?: string;
  purpose: ConnPurpose;
  factory: SocketFactory;
  clock: Clock;
  timeoutMs: number;
  /** When set, the answer must come from this raft member's certificate (an address can be reused by another one). */
  expectId?: RaftId;
  /** When set, the answering certificate must belong to this cluster (its O). */
  expectCluster?: string;
}

export interface Dialed {
  socket: Duplex;
  /** Bytes that arrived with the 101 (already frame data). */
  head: Buffer;
  /** The node ID (CN) of the manager that answered, from its verified certificate. */
  remoteId: RaftId | undefined;
}

/** CN, OUs and Os of the certificate a TLS socket verified (none for a plain socket). */
function serverIdentity(socket: Duplex): { cn?: string; ous: string[]; orgs: string[] } {
  const cert = (socket as Partial<TLSSocket>).getPeerCertificate?.() as PeerCertificate | undefined;
  const s = cert?.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return { cn: first(s?.CN), ous: all(s?.OU), orgs: all(s?.O) };
}

export function dial(addr: string, opts: DialOptions): Promise<Dialed> {
  return new Promise((resolve, reject) => {
    let host: string, port: number;
    try {
      ({ host, port } = parseAddr(addr));
    } catch (err) {
      reject(err);
      return;
    }
    let done = false;
    const finish = (err: Error | undefined, value?: Dialed) => {
      if (done) return;
      done = true;
      cancelTimer();
      if (err) reject(err);
      else resolve(value!);
    };
    const req = request({
      host,
      port,
      method: 'GET',
      path: '/cluster',
      headers: dialHeaders(opts.self, opts.purpose, opts.joinToken),
      createConnection: () => opts.factory.connect(host, port),
    });
    const cancelTimer = opts.clock.setTimeout(() => {
      finish(new DialError(`dial ${addr}: no answer within ${opts.timeoutMs} ms`));
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err) => finish(new DialError(`dial ${addr}: ${err.message}`)));
    req.on('upgrade', (_res: IncomingMessage, socket: Duplex, head: Buffer) => {
      const remote = serverIdentity(socket);
      const remoteId = remote.cn;
      if (opts.expectId !== undefined && remoteId !== opts.expectId) {
        socket.destroy();
        finish(new DialError(`dial ${addr}: answered by raft member ${remoteId ?? '(none)'}, not ${opts.expectId}`));
        return;
      }
      // a worker's certificate chains to the same root: only a manager's may answer on the cluster port
      if (!remote.ous.includes(MANAGER_OU)) {
        socket.destroy();
        finish(new DialError(`dial ${addr}: answered by a certificate that is not a manager's`));
        return;
      }
      if (opts.expectCluster !== undefined && !remote.orgs.includes(opts.expectCluster)) {
        socket.destroy();
        finish(new DialError(`dial ${addr}: answered by a manager of another swarm`));
        return;
      }
      if (done) {
        socket.destroy();
        return;
      }
      finish(undefined, { socket, head, remoteId });
    });
    req.on('response', (res: IncomingMessage) => {
      // Not upgraded: the peer refused us; surface its message.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 4096) body += c;
      });
      res.on('end', () => {
        let message = body.trim();
        try {
          const parsed = JSON.parse(body) as { message?: unknown };
          if (typeof parsed.message === 'string') message = parsed.message;
        } catch {
          // plain-text body
        }
        finish(new DialError(message || `dial ${addr}: HTTP ${res.statusCode}`, res.statusCode));
      });
      res.on('error', (err) => finish(new DialError(`dial ${addr}: ${err.message}`, res.statusCode)));
    });
    req.end();
  });
}
