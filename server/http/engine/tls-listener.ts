// The Engine API over TLS, as dockerd serves `-H tcp://…:2376 --tls[verify]`:
// with --tlsverify the handshake itself refuses a client without a certificate
// signed by --tlscacert (Go's RequireAndVerifyClientCert), so nothing reaches
// a route unauthenticated; with --tls alone any client is served.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { clientIdentity, isNodeCertificate, type ClientIdentity } from '../../ca/client-certificate';
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
    verify ? identifyClients(handler) : handler,
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

const identities = new WeakMap<IncomingMessage, ClientIdentity>();

/** Who sent a request over --tlsverify (its certificate's name and role); undefined for an unidentified local client. */
export function engineClientOf(req: IncomingMessage): ClientIdentity | undefined {
  return identities.get(req);
}

const refuse = (res: Parameters<RequestListener>[1], message: string) => {
  res.writeHead(403, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ message }));
};

/**
 * Every request over --tlsverify carries a verified certificate; it must name a person and a role. A node's
 * certificate is signed by the swarm CA too, but its key sits on that node (an agent's data dir on another
 * host): it must not be a way into the Engine API. A certificate without a role (OU=viewer|operator|admin)
 * is refused rather than guessed at.
 */
function identifyClients(handler: RequestListener): RequestListener {
  return (req, res) => {
    const peer = peerCertificateOf(req);
    if (isNodeCertificate(peer))
      return refuse(
        res,
        'a swarm node certificate is not an Engine API client certificate: issue one with `swarmdeck cert issue`',
      );
    const who = clientIdentity(peer);
    if (!who)
      return refuse(
        res,
        'the client certificate names no Engine API role (OU=viewer, operator or admin): issue one with `swarmdeck cert issue`',
      );
    identities.set(req, who);
    return handler(req, res);
  };
}
