// How a dialer gets its byte stream. Plain TCP today; mutual TLS (a later
// security issue) is another factory returning a tls.TLSSocket — nothing else
// in the transport changes, and `attach()` works the same on an https.Server.

import { connect, type Socket } from 'node:net';

export interface SocketFactory {
  connect(host: string, port: number): Socket;
}

export const tcpSocketFactory: SocketFactory = {
  connect(host, port) {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    // The kernel notices a vanished peer even when neither side is writing.
    socket.setKeepAlive(true, 10_000);
    return socket;
  },
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
