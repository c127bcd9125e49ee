// The Engine API over TLS, as dockerd serves `-H tcp://…:2376 --tls[verify]`:
// with --tlsverify the handshake itself refuses a client without a certificate
// signed by --tlscacert (Go's RequireAndVerifyClientCert), so nothing reaches
// a route unauthenticated; with --tls alone any client is served.

import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
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
    handler,
  );
  // refused TLS connections are closed unanswered: a TLS client could not read a plain-text 503
  holdResources(server, 'engine', limits, { plaintextRefusals: false });
  return server;
}
