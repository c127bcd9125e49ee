// A mutating request refused before it reached the log (a 401/403 at a door, a
// 4xx from the control API) is an audit note, at the console and the Engine
// API alike. A refusal after a batch was proposed is that batch's record already.

import type { ServerResponse } from 'node:http';
import type { AuditSink } from '../api/audit';
import { currentAudit, type AuditContext } from '../store/audit-context';

const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Once the answer is sent: a mutating request answered with a 4xx that
 * proposed nothing is noted (its message, as the client got it, is the
 * result). The actor is the one the request ran as when it answered (a door
 * may set it after this is called), else `fallback`.
 */
export function noteRefusals(
  res: ServerResponse,
  method: string,
  asked: AuditContext | (() => AuditContext),
  sink: AuditSink | undefined,
): void {
  if (!sink || READS.has(method)) return;
  let message = '';
  const fallbackOf = typeof asked === 'function' ? asked : () => asked;
  let fallback = fallbackOf();
  let ctx = fallback;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((...a: unknown[]) => {
    fallback = fallbackOf();
    ctx = currentAudit() ?? fallback;
    // the refusal's JSON body is small: keep its message for the record
    if (res.statusCode >= 400 && res.statusCode < 500 && (typeof a[0] === 'string' || Buffer.isBuffer(a[0])))
      message = refusalMessage(String(a[0]));
    return end(...a);
  }) as ServerResponse['end'];
  res.once('finish', () => {
    if (res.statusCode < 400 || res.statusCode >= 500 || ctx.wrote || fallback.wrote) return;
    sink.note({
      actor: ctx.actor,
      action: ctx.action ?? fallback.action ?? method,
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
