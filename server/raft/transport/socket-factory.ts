// How a dialer gets its byte stream: mutual TLS with this node's certificate,
// verified against the swarm's root (or, while joining, the root the join
// token pinned, without a client certificate).

import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import type { TlsMaterial } from './handshake';

export interface SocketFactory {
  connect(host: string, port: number): Socket;
}

/** A node dials managers by role, not by address: every manager certificate names `swarm-manager`. */
export const MANAGER_SERVER_NAME = 'swarm-manager';
/** A joiner dials the CA: every manager certificate also names `swarm-ca` (swarmkit CARole). */
export const CA_SERVER_NAME = 'swarm-ca';

const tune = <S extends Socket>(socket: S): S => {
  socket.setNoDelay(true);
  // The kernel notices a vanished peer even when neither side is writing.
  socket.setKeepAlive(true, 10_000);
  return socket;
};

/**
 * TLS to a manager with the material read now (so a renewed certificate serves the next dial). The
 * parsed context is kept until the material changes: parsing keys and certificates on every dial
 * would cost more than the handshake.
 */
export function tlsSocketFactory(material: () => TlsMaterial | undefined): SocketFactory {
  let cached: { ca: string; cert?: string; key?: string; context: SecureContext } | undefined;
  const contextFor = (m: TlsMaterial): SecureContext => {
    if (cached?.ca !== m.ca || cached.cert !== m.cert || cached.key !== m.key) {
      const context = createSecureContext({ ca: m.ca, cert: m.cert, key: m.key, minVersion: 'TLSv1.2' });
      cached = { ca: m.ca, cert: m.cert, key: m.key, context };
    }
    return cached.context;
  };
  return {
    connect(host, port) {
      const m = material();
      if (!m) throw new Error('this node has no TLS credentials for the cluster port yet');
      return tune(
        tlsConnect({
          host,
          port,
          secureContext: contextFor(m),
          servername: m.cert ? MANAGER_SERVER_NAME : CA_SERVER_NAME,
          rejectUnauthorized: true,
        }),
      );
    },
  };
}

/** Plain TCP: only for tests that must speak to the port the way an attacker would. */
export const tcpSocketFactory: SocketFactory = {
  connect: (host, port) => tune(tcpConnect({ host, port })),
};

/** Split `host:port` (IPv6 as `[::1]:2377`). */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`invalid cluster address "${addr}" (want host:port)`);
  }
  return { host: m[1]!, port };
}
