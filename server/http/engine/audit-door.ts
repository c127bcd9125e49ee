// The Engine API door's part in the audit log (issue #12 §2): every request
// runs as its client — the certificate subject and role under --tlsverify, else
// how it came in — so the write path stamps its batches with it; a mutating
// request refused before it reached the log (a 403 for the role, a 4xx from
// the control API) is noted.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Actor } from '../../api/audit';
import { engineClientOf } from './tls-listener';

export { noteRefusals } from '../audit-refusals';

/** Who sent the request: a verified certificate's subject and role, or the way it came in. */
export function engineActor(req: IncomingMessage): Actor {
  const peer = req.socket.remoteAddress ? `${req.socket.remoteAddress}:${req.socket.remotePort ?? ''}` : undefined;
  const client = engineClientOf(req);
  if (client) return { kind: 'engine-client', subject: client.subject, role: client.role, ...(peer ? { peer } : {}) };
  const subject = (req.socket as Partial<TLSSocket>).encrypted ? 'no client certificate (TLS)' : 'local (no TLS)';
  return { kind: 'engine-client', subject, ...(peer ? { peer } : {}) };
}
