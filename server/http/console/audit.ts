// The console's audit log (issue #12 §2): `GET /api/audit` searches it (newest
// first), `GET /api/audit/export` hands the matching records over as JSON lines
// (oldest first, as a log file reads). Admins only: the role gate is the
// accounts part's, in front of every /api route.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditListBody } from '../../api/audit';
import { AUDIT_PAGE_MAX, parseAuditQuery, searchAudit } from '../../audit/query';
import type { ManagerContext } from '../../manager/context';
import type { AuditContext } from '../../store/audit-context';
import { noteRefusals } from '../audit-refusals';
import { HttpError } from '../http-error';

export const AUDIT_EXPORT_NAME = 'swarmdeck-audit.jsonl';

function query(search: string | undefined) {
  try {
    return parseAuditQuery(new URLSearchParams(search ?? ''));
  } catch (err) {
    throw new HttpError(400, err instanceof Error ? err.message : String(err));
  }
}

/** `/api/audit[/export]`; `rest` is the path after /api/audit. */
export function serveAudit(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ManagerContext,
  rest: string[],
  search: string | undefined,
): void {
  if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
  const records = ctx.store.view.audit.list();
  if (rest.length === 0) {
    const body: AuditListBody = searchAudit(records, query(search));
    const data = JSON.stringify(body);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(data),
    });
    res.end(data);
    return;
  }
  if (rest.length !== 1 || rest[0] !== 'export')
    throw new HttpError(404, `no such console API route: GET /api/audit/${rest.join('/')}`);
  const found = searchAudit(records, query(search), AUDIT_PAGE_MAX).records.reverse();
  const data = found.map((r) => JSON.stringify(r) + '\n').join('');
  res.writeHead(200, {
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="${AUDIT_EXPORT_NAME}"`,
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(data),
  });
  res.end(data);
}

/**
 * Note the console's refused writes (no session, the wrong role, a 4xx from
 * the control API). Returns the setter the gate calls once it knows who is
 * asking: the context it hands back is the one the request runs as, so a
 * refusal after its write reached the log (that write's record) is not noted twice.
 */
export function watchConsoleRefusals(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ManagerContext,
  path: string,
): (asking: AuditContext) => AuditContext {
  const method = req.method ?? 'GET';
  // a login notes itself, success and failure, with the account it named
  if (method === 'POST' && path === '/api/session') return (asking) => asking;
  let asked: AuditContext = {
    actor: { kind: 'system', name: `console visitor from ${req.socket.remoteAddress ?? 'an unknown address'}` },
    action: `${method} ${path}`.slice(0, 300),
  };
  noteRefusals(res, method, () => asked, ctx.audit);
  return (asking) => (asked = asking);
}
