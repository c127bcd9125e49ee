// UDP for the mesh's last hop as a Duplex of whole datagrams (each write is
// one datagram, each 'data' chunk is one): a connected udp4 socket in host
// mode, or a dial.sock stream of length-prefixed datagrams from the netns
// router (4-byte big-endian length, then the bytes; the tunnel's framing).
import { createSocket } from 'node:dgram';
import { Duplex } from 'node:stream';

/** An IPv4 UDP payload is at most 65,507 bytes. */
export const MAX_DATAGRAM = 65_507;

/** A UDP socket sending to host:port, as a Duplex of datagrams. */
export function udpDuplex(to: { host: string; port: number }): Duplex {
  const sock = createSocket('udp4');
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      sock.send(chunk, to.port, to.host, (err) => cb(err ?? null));
    },
    destroy(err, cb) {
      try {
        sock.close();
      } catch {
        /* closed already */
      }
      cb(err);
    },
  });
  sock.on('message', (m) => d.push(m));
  sock.on('error', (err) => d.destroy(err));
  return d;
}

/** A byte stream carrying length-prefixed datagrams, as a Duplex of datagrams. */
export function framedDatagrams(stream: Duplex): Duplex {
  let buf: Buffer = Buffer.alloc(0);
  const d = new Duplex({
    read() {
      stream.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      const head = Buffer.allocUnsafe(4);
      head.writeUInt32BE(chunk.length, 0);
      stream.write(Buffer.concat([head, chunk]), (err) => cb(err ?? null));
    },
    final(cb) {
      stream.end();
      cb();
    },
    destroy(err, cb) {
      stream.destroy();
      cb(err);
    },
  });
  stream.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0);
      if (len > MAX_DATAGRAM) return void d.destroy(new Error(`datagram of ${len} bytes exceeds ${MAX_DATAGRAM}`));
      if (buf.length < 4 + len) break;
      if (!d.push(buf.subarray(4, 4 + len))) stream.pause();
      buf = buf.subarray(4 + len);
    }
  });
  stream.on('end', () => d.push(null));
  stream.on('error', (err) => d.destroy(err));
  stream.on('close', () => d.destroy());
  return d;
}
