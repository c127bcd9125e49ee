// An HTTP listener that holds its resources: a request must send its headers
// and then its body within bounds, an idle keep-alive connection is closed,
// connections are limited in total and per peer, and every refusal the server
// itself makes (a malformed request, a timeout, a limit) is a JSON
// `{"message": ...}` like the APIs' own errors.

import { createServer, STATUS_CODES, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { gateConnections, type ConnectionGate, type ConnectionLimits } from './connection-gate';

export interface HttpListenerLimits extends ConnectionLimits {
  /** From the connection (or the previous response) to the end of the request's headers. */
  headersTimeoutMs: number;
  /** From the connection to the end of the request's body. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

/** How often node checks the header and request deadlines (its default is 30 s, too coarse to bound anything). */
const DEADLINE_CHECK_MS = 1_000;

/** A complete HTTP response, written straight to a socket the server will not answer on itself. */
export function rawJSONResponse(status: number, message: string, opts: { head?: boolean } = {}): string {
  const body = JSON.stringify({ message });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    // an answer to HEAD has no body, or the client reads it as the start of the next answer
    (opts.head ? '' : body)
  );
}

/** Whether the bytes node's parser refused began a HEAD request. */
function refusedHead(err: Error & { rawPacket?: Buffer }): boolean {
  return err.rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
}

/** What node's parser and deadlines refuse, in the APIs' words. */
function clientErrorAnswer(err: Error & { code?: string }): [number, string] {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request timed out: headers and body must arrive within the deadline'];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'request headers too large'];
    case 'HPE_URI_TOO_LONG':
      return [414, 'request URL too long'];
    default:
      return [400, `malformed HTTP request${err.code ? ` (${err.code})` : ''}`];
  }
}

export interface HttpListener {
  server: Server;
  gate: ConnectionGate;
}

/** The deadlines as node:http (and node:https) server options; the deadline check interval can only be set here. */
export function httpServerOptions(limits: HttpListenerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: DEADLINE_CHECK_MS,
  };
}

/**
 * JSON answers for what node's parser and deadlines refuse, and the connection limits, on a server built
 * with httpServerOptions. `plaintextRefusals: false` for a TLS server, whose refused connections are closed
 * unanswered (a TLS client could not read a plain-text 503).
 */
export function holdResources(
  server: Server,
  name: string,
  limits: HttpListenerLimits,
  opts: { log?: (line: string) => void; plaintextRefusals?: boolean } = {},
): ConnectionGate {
  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, message] = clientErrorAnswer(err);
    socket.end(rawJSONResponse(status, message, { head: refusedHead(err) }));
    socket.once('finish', () => socket.destroy());
  });
  return gateConnections(server, {
    name,
    maxConnections: limits.maxConnections,
    maxPerPeer: limits.maxPerPeer,
    refusal: opts.plaintextRefusals === false ? undefined : (message) => rawJSONResponse(503, message),
    log: opts.log,
  });
}

/** A plain HTTP listener with the deadlines and limits. */
export function createHttpListener(
  name: string,
  limits: HttpListenerLimits,
  handler?: RequestListener,
  opts: { log?: (line: string) => void } = {},
): HttpListener {
  const server = createServer(httpServerOptions(limits));
  if (handler) server.on('request', handler);
  return { server, gate: holdResources(server, name, limits, opts) };
}
