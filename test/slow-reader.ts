// Raw clients that stop reading: a follow-logs request, or a console
// WebSocket that completes the socket.io handshake, after which the socket is
// paused, so the kernel buffers fill and whatever the manager sends next
// stays in the manager (unless it bounds it). And the manager's memory, read
// from /proc.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface SlowReader {
  /** The client's port: the manager's end of the connection is found by it. */
  localPort: number;
  /** Bytes read before the pause, and after a resume. */
  received(): number;
  closed(): boolean;
  /** Reads again (everything the kernel and the manager held comes in). */
  resume(): void;
  destroy(): void;
}

function reader(
  port: number,
  request: string,
  pauseWhen: (got: string, socket: Socket) => boolean,
): Promise<SlowReader> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let got = '';
    let bytes = 0;
    let paused = false;
    let closed = false;
    const handle: SlowReader = {
      get localPort() {
        return socket.localPort ?? 0;
      },
      received: () => bytes,
      closed: () => closed,
      resume: () => socket.resume(),
      destroy: () => socket.destroy(),
    };
    socket.on('connect', () => socket.write(request));
    socket.on('data', (c: Buffer) => {
      bytes += c.length;
      if (paused) return;
      got += c.toString('latin1');
      try {
        if (!pauseWhen(got, socket)) return;
      } catch (err) {
        socket.destroy();
        reject(err as Error);
        return;
      }
      paused = true;
      socket.pause();
      resolve(handle);
    });
    socket.on('error', (err) => {
      if (!paused) reject(err);
    });
    socket.on('close', () => {
      closed = true;
      if (!paused) reject(new Error(`closed before the pause; got: ${got.slice(0, 300)}`));
    });
  });
}

/** A GET of a streaming path (follow logs) that reads the response head and then nothing. */
export function slowHttpReader(port: number, path: string, cookie?: string): Promise<SlowReader> {
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}\r\n`;
  return reader(port, request, (got) => {
    if (!got.includes('\r\n\r\n')) return false;
    if (!got.startsWith('HTTP/1.1 200')) throw new Error(`refused: ${got.slice(0, 300)}`);
    return true;
  });
}

/** One masked WebSocket text frame (a client's frames must be masked). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('short frames only');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * The console's socket.io over a raw WebSocket: upgrade, engine.io's open
 * packet, then the CONNECT packet of the default namespace; paused once the
 * snapshot begins to arrive. `cookie` is a logged-in session's (`name=value`).
 */
export function slowConsoleSocket(port: number, cookie: string): Promise<SlowReader> {
  const key = randomBytes(16).toString('base64');
  const request =
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n' +
    `Host: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  let connectSent = false;
  return reader(port, request, (got, socket) => {
    if (!got.includes('\r\n\r\n')) return false;
    if (!got.startsWith('HTTP/1.1 101')) throw new Error(`no upgrade: ${got.slice(0, 300)}`);
    // engine.io's open packet ("0{...}") came: open the console's namespace
    if (!connectSent && got.includes('0{"sid"')) {
      connectSent = true;
      socket.write(textFrame('40'));
    }
    return got.includes('"snapshot"');
  });
}

/** A process's resident memory in MiB (/proc/<pid>/status VmRSS). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for ${pid}`);
  return kb / 1024;
}

/**
 * Whether the manager still has its end of a loopback connection open
 * (ESTABLISHED in /proc/net/tcp): a server that closed it is in FIN_WAIT
 * even while the client, not reading, has not seen the close yet.
 */
export function serverEndOpen(serverPort: number, clientPort: number): boolean {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  const local = `0100007F:${hex(serverPort)}`;
  const remote = `:${hex(clientPort)}`;
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2]?.endsWith(remote)) return f[3] === '01';
  }
  return false;
}
