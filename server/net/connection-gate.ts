// Connection limits for one listener: at most `maxConnections` open at once,
// and at most `maxPerPeer` from one remote address, so that one client (or one
// attacker) holding connections open cannot take every file descriptor, nor
// every slot of the listener from the other clients. A connection over a limit
// gets a short refusal and is closed before the server's own handler sees it.

import type { Server, Socket } from 'node:net';

export interface ConnectionLimits {
  maxConnections: number;
  maxPerPeer: number;
}

/**
 * Refused connections are kept a moment so the client can read why; past this
 * many at once (a flood), further ones are dropped without an answer.
 */
const MAX_LINGERING = 256;
const LINGER_MS = 2_000;
/** One log line per listener per this long, however many refusals. */
const LOG_EVERY_MS = 10_000;

export interface GateOptions extends ConnectionLimits {
  /** For log lines: `engine`, `console`, `cluster`. */
  name: string;
  /** The bytes that tell a refused client why (an HTTP 503, say), or undefined to just close. */
  refusal?: (message: string) => string | undefined;
  log?: (line: string) => void;
}

export interface ConnectionGate {
  /** Open admitted connections: in total and per remote address. */
  open(): { total: number; peers: number; refused: number };
}

/** `::ffff:127.0.0.2` and `127.0.0.2` are one peer. */
export function peerAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '?';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * Put `server`'s connection handling behind the limits. Call once the server
 * is built (an http.Server registers its own connection listener when it is
 * constructed): the listeners present now only see admitted connections.
 */
export function gateConnections(server: Server, opts: GateOptions): ConnectionGate {
  const inner = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const perPeer = new Map<string, number>();
  let total = 0;
  let lingering = 0;
  let refused = 0;
  let lastLog = 0;
  let unlogged = 0;
  const log = opts.log ?? ((line: string) => console.warn(line));
  // a backstop for connections the gate never sees (refusals lingering included)
  server.maxConnections = opts.maxConnections + MAX_LINGERING;

  const refuse = (socket: Socket, peer: string, why: string) => {
    refused++;
    unlogged++;
    const now = Date.now();
    if (now - lastLog >= LOG_EVERY_MS) {
      log(`swarmdeck: ${opts.name} port refused ${unlogged} connection(s), the last from ${peer}: ${why}`);
      lastLog = now;
      unlogged = 0;
    }
    socket.on('error', () => {});
    const answer = opts.refusal?.(`${why}; try again later`);
    if (!answer || lingering >= MAX_LINGERING) {
      socket.destroy();
      return;
    }
    lingering++;
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => {
      lingering--;
      clearTimeout(timer);
    });
    // read and discard what the client sends, so closing does not reset the answer away
    socket.resume();
    socket.end(answer);
  };

  server.on('connection', (socket: Socket) => {
    const peer = peerAddress(socket);
    const mine = perPeer.get(peer) ?? 0;
    if (total >= opts.maxConnections) {
      refuse(socket, peer, `too many connections (${opts.maxConnections})`);
      return;
    }
    if (mine >= opts.maxPerPeer) {
      refuse(socket, peer, `too many connections from ${peer} (${opts.maxPerPeer})`);
      return;
    }
    total++;
    perPeer.set(peer, mine + 1);
    socket.once('close', () => {
      total--;
      const left = (perPeer.get(peer) ?? 1) - 1;
      if (left > 0) perPeer.set(peer, left);
      else perPeer.delete(peer);
    });
    for (const listener of inner) listener.call(server, socket);
  });

  return { open: () => ({ total, peers: perPeer.size, refused }) };
}
