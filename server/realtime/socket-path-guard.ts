// engine.io owns /socket.io/ on the console's server, but it answers a polling
// request made with a method other than GET or POST with a bare 500, and (with
// destroyUpgrade off, so Next's dev server can take its HMR socket) it leaves an
// upgrade on any other path unanswered. These put a JSON 4xx in both places.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { rawJSONResponse } from '../net/http-listener';

export const SOCKET_PATH = '/socket.io/';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Call after socket.io is attached: its listener is then the one wrapped. */
export function guardSocketMethods(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(SOCKET_PATH) && req.method !== 'GET' && req.method !== 'POST') {
      req.resume();
      const body = JSON.stringify({
        message: `method ${String(req.method).slice(0, 32)} is not allowed on ${SOCKET_PATH}`,
      });
      res.writeHead(405, { 'Content-Type': 'application/json', Allow: 'GET, POST' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    for (const l of listeners) l.call(server, req, res);
  });
}

/** A production console serves one WebSocket, socket.io's: any other upgrade gets a 404 and is closed. */
export function refuseOtherUpgrades(server: Server): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (req.url?.startsWith(SOCKET_PATH)) return;
    socket.on('error', () => {});
    socket.end(rawJSONResponse(404, 'no WebSocket is served on this path'));
  });
}
