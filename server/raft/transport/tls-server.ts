// The cluster port's listener: HTTPS that asks every caller for a client
// certificate but lets the handshake finish without one (swarmkit's
// VerifyClientCertIfGiven), because joiners have none yet; admission
// (handshake.ts) then decides. Its certificate follows the node's renewals.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { TlsMaterial } from './handshake';

/** A TLS handshake not finished within this is dropped (node's default waits 120 s). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** `http` carries the listener's HTTP deadlines (headers, request, keep-alive). */
export function createClusterServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  http: ServerOptions = {},
): Server {
  return createServer(
    {
      ...http,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
    handler,
  );
}

/** Serve new connections with `m` (existing ones keep theirs); a process without a certificate serves none. */
export function setServerMaterial(server: Server, m: TlsMaterial | undefined): void {
  if (!m?.cert || !m.key) return;
  server.setSecureContext({ ca: m.ca, cert: m.cert, key: m.key });
}
