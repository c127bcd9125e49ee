// The node-to-node tunnel: one mutually authenticated TLS stream per mesh
// connection (or UDP flow). Both ends present their node certificates; a peer
// without a valid certificate of this swarm (its root, its cluster ID as O, a
// node role as OU) is refused during the handshake or right after it. The
// dialer also checks that the answering certificate names the node it meant.
import {
  createSecureContext,
  createServer,
  connect,
  type PeerCertificate,
  type SecureContext,
  type Server,
  type TLSSocket,
} from 'node:tls';
import { MANAGER_ROLE, WORKER_ROLE } from '../../ca';
import type { MeshPeer } from '../../api/network-view';
import {
  encodeJSON,
  FrameReader,
  MAX_CONTROL_FRAME,
  parseAnswer,
  parseOpen,
  type OpenAnswer,
  type OpenRequest,
} from './frames';

/** The TLS identity the mesh presents and trusts (the node's, following renewals). */
export interface MeshTls {
  material(): { ca: string; cert?: string; key?: string } | undefined;
  clusterID(): string | undefined;
}

/** A stream open that waits longer than this for its answer is given up (the first hop retries). */
export const OPEN_TIMEOUT_MS = 3_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;

function subject(socket: TLSSocket): { cn?: string; ous: string[]; orgs: string[] } {
  const cert = socket.getPeerCertificate() as PeerCertificate | Record<string, never>;
  const s = ('subject' in cert ? cert.subject : undefined) as unknown as
    Record<string, string | string[] | undefined> | undefined;
  const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return { cn: all(s?.CN)[0], ous: all(s?.OU), orgs: all(s?.O) };
}

/** Why a verified peer certificate is not a node of this swarm, or undefined when it is. */
export function peerRefusal(socket: TLSSocket, clusterID: string | undefined): string | undefined {
  if (!socket.authorized) return `peer certificate not verified: ${String(socket.authorizationError ?? 'none given')}`;
  const s = subject(socket);
  if (!clusterID || !s.orgs.includes(clusterID)) return 'peer certificate is not of this swarm';
  if (!s.ous.includes(WORKER_ROLE) && !s.ous.includes(MANAGER_ROLE)) return 'peer certificate has no node role';
  return undefined;
}

export type TunnelHandler = (socket: TLSSocket, open: OpenRequest, rest: Buffer) => void;

/** The listener on the node-to-node data port. `handle` gets each authenticated stream's open request. */
export function createTunnelServer(tls: MeshTls, handle: TunnelHandler, log: (m: string) => void): Server {
  const m = tls.material();
  const server = createServer({
    // small frames (the answer, a request's first bytes) go out at once: Nagle would hold the answer
    // behind the session tickets TLS 1.3 sends after the handshake until the peer's delayed ACK (~40 ms)
    noDelay: true,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    ...(m?.cert && m.key ? { ca: m.ca, cert: m.cert, key: m.key } : {}),
  });
  server.on('tlsClientError', (err, socket) => {
    log(`routing mesh: refused a tunnel from ${socket.remoteAddress ?? '?'}: ${err.message}`);
    socket.destroy();
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.on('error', () => socket.destroy());
    const why = peerRefusal(socket, tls.clusterID());
    if (why) {
      log(`routing mesh: refused a tunnel from ${socket.remoteAddress ?? '?'}: ${why}`);
      socket.destroy();
      return;
    }
    const reader = new FrameReader(MAX_CONTROL_FRAME);
    const timer = setTimeout(() => socket.destroy(), OPEN_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      if (frames.length === 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      const open = parseOpen(frames[0]!);
      if (typeof open === 'string') {
        socket.end(encodeJSON({ answer: 'refused', message: open }));
        return;
      }
      // frames after the open one are UDP datagrams sent eagerly; give them back as bytes
      const rest = Buffer.concat([...frames.slice(1).map((f) => lengthPrefixed(f)), reader.rest()]);
      handle(socket, open, rest);
    };
    socket.on('data', onData);
  });
  return server;
}

function lengthPrefixed(f: Buffer): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(f.length, 0);
  return Buffer.concat([head, f]);
}

/** Follow a renewed certificate or trust root: new streams use it. */
export function refreshTunnelServer(server: Server, tls: MeshTls): void {
  const m = tls.material();
  if (m?.cert && m.key) server.setSecureContext({ ca: m.ca, cert: m.cert, key: m.key, minVersion: 'TLSv1.2' });
}

/**
 * The dialer's TLS context, made once per certificate rather than from PEM text (parsing the key and
 * the trust root) for every proxied connection.
 */
let clientContext: { key: string; cert: string; ca: string; context: SecureContext } | undefined;
function clientSecureContext(m: { ca: string; cert: string; key: string }): SecureContext {
  if (clientContext?.key !== m.key || clientContext.cert !== m.cert || clientContext.ca !== m.ca)
    clientContext = {
      ...m,
      context: createSecureContext({ ca: m.ca, cert: m.cert, key: m.key, minVersion: 'TLSv1.2' }),
    };
  return clientContext.context;
}

export type TunnelOpen =
  | { answer: 'ok'; socket: TLSSocket; rest: Buffer }
  | { answer: 'draining' | 'refused' | 'unreachable'; message: string };

/** Opens a stream to `peer` for `req` and waits for the owning agent's answer. */
export function openTunnel(
  peer: MeshPeer,
  req: OpenRequest,
  tls: MeshTls,
  timeoutMs = OPEN_TIMEOUT_MS,
): Promise<TunnelOpen> {
  return new Promise((resolve) => {
    const m = tls.material();
    if (!m?.cert || !m.key) {
      resolve({ answer: 'unreachable', message: 'this node has no certificate for the mesh yet' });
      return;
    }
    let done = false;
    const finish = (r: TunnelOpen) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (r.answer !== 'ok') socket.destroy();
      resolve(r);
    };
    const socket = connect({
      host: peer.Addr,
      port: peer.Port,
      secureContext: clientSecureContext({ ca: m.ca, cert: m.cert, key: m.key }),
      // node certificates name their node ID (CN and a DNS SAN): the answer must come from that node
      servername: peer.NodeID,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
    });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => finish({ answer: 'unreachable', message: `no answer from node ${peer.NodeID} in ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('error', (err) => finish({ answer: 'unreachable', message: err.message }));
    socket.once('close', () => finish({ answer: 'unreachable', message: `node ${peer.NodeID} closed the tunnel` }));
    socket.once('secureConnect', () => {
      const why = peerRefusal(socket, tls.clusterID());
      if (why) return finish({ answer: 'unreachable', message: why });
      socket.write(encodeJSON(req));
    });
    const reader = new FrameReader(MAX_CONTROL_FRAME);
    const onData = (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (err) {
        return finish({ answer: 'unreachable', message: (err as Error).message });
      }
      if (frames.length === 0) return;
      socket.off('data', onData);
      socket.pause();
      const a: OpenAnswer | string = parseAnswer(frames[0]!);
      if (typeof a === 'string') return finish({ answer: 'unreachable', message: a });
      if (a.answer !== 'ok') return finish({ answer: a.answer, message: a.message ?? a.answer });
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      const rest = Buffer.concat([...frames.slice(1).map((f) => lengthPrefixed(f)), reader.rest()]);
      finish({ answer: 'ok', socket, rest });
    };
    socket.on('data', onData);
  });
}
