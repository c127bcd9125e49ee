// A child process that opens many slow connections to one listener and holds
// them, so the test process's own descriptors are not what runs out. Each
// connection comes from one of the given 127.0.0.x addresses (distinct peers)
// and then stalls:
// - `half-request`: sends half a request line, then nothing;
// - `silent`: connects and sends nothing at all (on the TLS cluster port: no
//   ClientHello, so the listener holds it until its handshake deadline);
// - `parked-frame`: opens TLS to the cluster port (no client certificate, as a
//   joiner), upgrades to a cluster connection with a join token, sends a frame
//   header promising `frameBytes` and a few bytes of it, then nothing (or, with
//   `trickleMs`, one more byte now and then). The cluster port refuses a
//   connection past its limits by closing it before the TLS handshake ends.
// It prints its tally as one JSON line every 100 ms (and a last one on exit).
//
//   node --import tsx test/slow-client-holder.ts '{"port":2375,"count":2000,"from":["127.0.0.2"],"mode":"half-request"}'

import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export interface HolderConfig {
  port: number;
  count: number;
  from: string[];
  mode: 'half-request' | 'parked-frame' | 'silent';
  /** parked-frame: the join token to upgrade with. */
  token?: string;
  /** parked-frame: the length the frame header promises. */
  frameBytes?: number;
  /** parked-frame: send one more byte of the frame this often (a trickle) instead of falling silent. */
  trickleMs?: number;
}

export interface HolderTally {
  /** Connections opened (TCP connect completed). */
  opened: number;
  /** Connect attempts that failed. */
  failed: number;
  /** Answered with the listener's 503 refusal (or, on the TLS cluster port, closed before the handshake ended). */
  refused: number;
  /** Admitted: upgraded (parked-frame), or not refused within the first second (half-request). */
  admitted: number;
  /** Closed by the server, in all. */
  closed: number;
  /** Closed admitted connections, and how long the slowest of them stayed open. */
  closedAdmitted: number;
  /** The most admitted connections open at one time (what the listener's limits bound). */
  maxOpenAdmitted: number;
  maxAdmittedOpenMs: number;
  /** What the server said when closing admitted connections (first bytes, deduplicated). */
  farewells: string[];
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as HolderConfig;
const tally: HolderTally = {
  opened: 0,
  failed: 0,
  refused: 0,
  admitted: 0,
  closed: 0,
  closedAdmitted: 0,
  maxOpenAdmitted: 0,
  maxAdmittedOpenMs: 0,
  farewells: [],
};
const sockets: Socket[] = [];

function frameHeader(bytes: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(bytes, 0);
  return h;
}

function upgradeRequest(i: number): string {
  return (
    'GET /cluster HTTP/1.1\r\n' +
    `Host: 127.0.0.1:${cfg.port}\r\n` +
    'Connection: Upgrade\r\nUpgrade: swarmdeck-cluster/1\r\n' +
    `x-swarmdeck-raft-id: slowclient${i}\r\nx-swarmdeck-addr: 127.0.0.1:9\r\nx-swarmdeck-conn: oneshot\r\n` +
    `Authorization: Swarm-Join ${cfg.token}\r\n\r\n`
  );
}

function hold(i: number): Promise<void> {
  return new Promise((resolve) => {
    const localAddress = cfg.from[i % cfg.from.length];
    const tls = cfg.mode === 'parked-frame';
    // no client certificate and no verification: a joiner before it has pinned the root
    const socket = tls
      ? // tls.connect passes net.connect's options (localAddress) on; its type leaves them out
        tlsConnect({ host: '127.0.0.1', port: cfg.port, localAddress, rejectUnauthorized: false } as ConnectionOptions)
      : connect({ host: '127.0.0.1', port: cfg.port, localAddress });
    sockets.push(socket);
    let secured = false;
    let got = '';
    let admitted = false;
    let openedAt = 0;
    const admit = () => {
      if (admitted) return;
      admitted = true;
      tally.admitted++;
      tally.maxOpenAdmitted = Math.max(tally.maxOpenAdmitted, tally.admitted - tally.closedAdmitted);
    };
    socket.on('connect', () => {
      tally.opened++;
      openedAt = Date.now();
      if (cfg.mode === 'half-request') {
        socket.write('GET /_ping HT');
        // not refused at once: the listener took it
        setTimeout(() => {
          if (!socket.destroyed && !got) admit();
        }, 1_000).unref();
      }
      resolve();
    });
    socket.on('secureConnect', () => {
      secured = true;
      socket.write(upgradeRequest(i));
    });
    socket.on('data', (c: Buffer) => {
      const first = !got;
      got += c.toString('latin1');
      if (first && got.startsWith('HTTP/1.1 503')) tally.refused++;
      if (cfg.mode === 'parked-frame' && !admitted && got.includes('\r\n\r\n') && got.startsWith('HTTP/1.1 101')) {
        admit();
        socket.write(Buffer.concat([frameHeader(cfg.frameBytes ?? 60_000), Buffer.from('{"t":"req","id":1,"p":"')]));
        if (cfg.trickleMs) {
          const drip = setInterval(() => socket.write('x'), cfg.trickleMs);
          socket.once('close', () => clearInterval(drip));
        }
      }
    });
    socket.on('error', () => {
      if (!openedAt) {
        tally.failed++;
        resolve();
      }
    });
    socket.on('close', () => {
      tally.closed++;
      if (tls && openedAt && !secured) tally.refused++;
      if (!admitted) return;
      tally.closedAdmitted++;
      tally.maxAdmittedOpenMs = Math.max(tally.maxAdmittedOpenMs, Date.now() - openedAt);
      // what came after the 101 (a cluster error frame) or the whole answer (an HTTP 408)
      const tail = got.includes('HTTP/1.1 101') ? got.slice(got.indexOf('\r\n\r\n') + 4 + 4) : got;
      const farewell = tail.replace(/\r\n(Date|Content-Length): [^\r]*/g, '').slice(0, 200);
      if (!tally.farewells.includes(farewell) && tally.farewells.length < 5) tally.farewells.push(farewell);
    });
  });
}

const report = () => process.stdout.write(JSON.stringify(tally) + '\n');
const timer = setInterval(report, 100);
process.on('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  clearInterval(timer);
  report();
  process.exit(0);
});

// open in batches so the listen backlog never overflows (a dropped SYN is retried only after a second)
for (let i = 0; i < cfg.count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, cfg.count - i) }, (_, k) => hold(i + k)));
}
