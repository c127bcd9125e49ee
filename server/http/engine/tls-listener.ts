// The Engine API over TLS, as dockerd serves `-H tcp://…:2376 --tls[verify]`:
// with --tlsverify the handshake itself refuses a client without a certificate
// signed by --tlscacert (Go's RequireAndVerifyClientCert), so nothing reaches
// a route unauthenticated; with --tls alone any client is served.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isNodeCertificate } from '../../ca/client-certificate';
import { createServer, type Server } from 'node:https';
import type { Config } from '../../config';
import { holdResources, httpServerOptions, type HttpListenerLimits } from '../../net/http-listener';

/** A TLS handshake not finished within this is dropped (node's default waits 120 s). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface EngineTLSFiles {
  ca?: string;
  cert: string;
  key: string;
}

/** The PEM files the flags name, read once at start; a missing or unreadable file says which flag. */
export function readEngineTLS(cfg: Pick<Config, 'tlsVerify' | 'tlsCACert' | 'tlsCert' | 'tlsKey'>): EngineTLSFiles {
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`--${flag} ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    ...(cfg.tlsVerify ? { ca: read('tlscacert', cfg.tlsCACert) } : {}),
    cert: read('tlscert', cfg.tlsCert),
    key: read('tlskey', cfg.tlsKey),
  };
}

/** An HTTPS Engine API listener with the usual deadlines and limits; verifying clients when `files.ca` is set. */
export function createEngineTLSListener(
  files: EngineTLSFiles,
  limits: HttpListenerLimits,
  handler: RequestListener,
): Server {
  const verify = files.ca !== undefined;
  const server = createServer(
    {
      ...httpServerOptions(limits),
      cert: files.cert,
      key: files.key,
      ...(verify ? { ca: files.ca, requestCert: true, rejectUnauthorized: true } : {}),
      minVersion: 'TLSv1.2',
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
    verify ? refuseNodeCertificates(handler) : handler,
  );
  // refused TLS connections are closed unanswered: a TLS client could not read a plain-text 503
  holdResources(server, 'engine', limits, { plaintextRefusals: false });
  return server;
}

/** The client certificate the handshake verified, if the request came over TLS with one. */
export function peerCertificateOf(req: IncomingMessage): ReturnType<TLSSocket['getPeerCertificate']> | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  return peer && Object.keys(peer).length > 0 ? peer : undefined;
}

/**
 * A node's certificate is signed by the swarm CA too, but its key sits on that node (an agent's data dir on
 * another host): it must not be a way into the Engine API, so it is refused as a client certificate.
 */
function refuseNodeCertificates(handler: RequestListener): RequestListener {
  return (req, res) => {
    if (!isNodeCertificate(peerCertificateOf(req))) return handler(req, res);
    res.writeHead(403, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        message:
          'a swarm node certificate is not an Engine API client certificate: issue one with `swarmdeck cert issue`',
      }),
    );
  };
}
