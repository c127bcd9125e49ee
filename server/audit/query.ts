// Searching the audit log (`GET /api/audit`, `/api/audit/export`): a text
// search over every field, the actor (its kind or name), the action, the
// result (ok or failed) and a time window; the newest first, cut at a limit.

import { actorLabel, isOkResult, type AuditRecordBody } from '../api/audit';
import type { AuditRecord } from '../store/audit-record';

export interface AuditQuery {
  q?: string;
  actor?: string;
  action?: string;
  result?: 'ok' | 'failed';
  /** ms since the epoch, inclusive */
  since?: number;
  until?: number;
  limit?: number;
}

export const AUDIT_PAGE_DEFAULT = 200;
export const AUDIT_PAGE_MAX = 5000;

/** A time as the console or a script gives it: ISO 8601, or a number of seconds (or ms) since the epoch. */
function parseTime(v: string, field: string): number {
  const n = Number(v);
  if (v.trim() !== '' && Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new Error(`${field}: "${v.slice(0, 40)}" is not a time (ISO 8601 or seconds since the epoch)`);
  return t;
}

/** The query from URL parameters; throws an Error naming the field that is wrong. */
export function parseAuditQuery(p: URLSearchParams): AuditQuery {
  const out: AuditQuery = {};
  const text = (k: 'q' | 'actor' | 'action') => {
    const v = p.get(k)?.trim();
    if (v) out[k] = v.slice(0, 200);
  };
  text('q');
  text('actor');
  text('action');
  const result = p.get('result');
  if (result) {
    if (result !== 'ok' && result !== 'failed')
      throw new Error(`result: must be ok or failed, not "${result.slice(0, 20)}"`);
    out.result = result;
  }
  const since = p.get('since');
  if (since) out.since = parseTime(since, 'since');
  const until = p.get('until');
  if (until) out.until = parseTime(until, 'until');
  const limit = p.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > AUDIT_PAGE_MAX)
      throw new Error(`limit: must be a whole number from 1 to ${AUDIT_PAGE_MAX}`);
    out.limit = n;
  }
  return out;
}

export function recordBody(r: AuditRecord): AuditRecordBody {
  return {
    index: r.index,
    time: new Date(r.time).toISOString(),
    actor: r.actor,
    action: r.action,
    ...(r.target !== undefined ? { target: r.target } : {}),
    ...(r.changes !== undefined ? { changes: r.changes } : {}),
    result: r.result,
  };
}

const has = (hay: string | undefined, needle: string) => hay !== undefined && hay.toLowerCase().includes(needle);

function matches(r: AuditRecord, q: AuditQuery): boolean {
  if (q.since !== undefined && r.time < q.since) return false;
  if (q.until !== undefined && r.time > q.until) return false;
  if (q.result && isOkResult(r.result) !== (q.result === 'ok')) return false;
  const label = actorLabel(r.actor);
  if (q.actor) {
    const a = q.actor.toLowerCase();
    if (r.actor.kind !== a && !has(label, a)) return false;
  }
  if (q.action && !has(r.action, q.action.toLowerCase())) return false;
  if (q.q) {
    const t = q.q.toLowerCase();
    const role = 'role' in r.actor ? r.actor.role : undefined;
    const peer = r.actor.kind === 'engine-client' ? r.actor.peer : undefined;
    const fields = [label, r.actor.kind, role, peer, r.action, r.target, r.changes, r.result];
    if (!fields.some((f) => has(f, t))) return false;
  }
  return true;
}

/** The records that match, newest first, at most `limit` (default 200); `total` counts all that match. */
export function searchAudit(
  records: readonly AuditRecord[],
  q: AuditQuery,
  limitDefault = AUDIT_PAGE_DEFAULT,
): { records: AuditRecordBody[]; total: number } {
  const limit = q.limit ?? limitDefault;
  const out: AuditRecordBody[] = [];
  let total = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (!matches(r, q)) continue;
    total++;
    if (out.length < limit) out.push(recordBody(r));
  }
  return { records: out, total };
}
