// The Engine API door's part in the audit log (issue #12 §2): every request
// runs as its client — the certificate subject and role under --tlsverify, else
// how it came in — so the write path stamps its batches with it; a mutating
// request refused before it reached the log (a 403 for the role, a 4xx from
// the control API) is noted.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Actor, AuditSink } from '../../api/audit';
import type { AuditContext } from '../../store/audit-context';
import { engineClientOf } from './tls-listener';

/** Who sent the request: a verified certificate's subject and role, or the way it came in. */
export function engineActor(req: IncomingMessage): Actor {
  const peer = req.socket.remoteAddress ? `${req.socket.remoteAddress}:${req.socket.remotePort ?? ''}` : undefined;
  const client = engineClientOf(req);
  if (client) return { kind: 'engine-client', subject: client.subject, role: client.role, ...(peer ? { peer } : {}) };
  const subject = (req.socket as Partial<TLSSocket>).encrypted ? 'no client certificate (TLS)' : 'local (no TLS)';
  return { kind: 'engine-client', subject, ...(peer ? { peer } : {}) };
}

const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Once the answer is sent: a mutating request answered with a 4xx that
 * proposed nothing is noted (its message, as the client got it, is the result).
 */
export function noteRefusals(
  res: ServerResponse,
  method: string,
  ctx: AuditContext,
  sink: AuditSink | undefined,
): void {
  if (!sink || READS.has(method)) return;
  let message = '';
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  // the refusal's JSON body is small: keep its message for the record
  res.end = ((...a: unknown[]) => {
    if (res.statusCode >= 400 && res.statusCode < 500 && (typeof a[0] === 'string' || Buffer.isBuffer(a[0])))
      message = refusalMessage(String(a[0]));
    return end(...a);
  }) as ServerResponse['end'];
  res.once('finish', () => {
    if (res.statusCode < 400 || res.statusCode >= 500 || ctx.wrote) return;
    sink.note({
      actor: ctx.actor,
      action: ctx.action ?? method,
      result: `refused (${res.statusCode}): ${message || 'no message'}`.slice(0, 300),
    });
  });
}

function refusalMessage(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    return typeof m === 'string' ? m : '';
  } catch {
    return '';
  }
}
