// The audit page's filters as the URL parameters GET /api/audit and
// /api/audit/export take, and how an actor reads in the table. Pure, tested.

import { actorLabel, isOkResult, type Actor, type AuditRecordBody } from '@/server/api/audit';

export const ACTOR_KINDS = ['account', 'share-link', 'engine-client', 'control-loop', 'agent', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const WINDOWS = { any: 0, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type Window = keyof typeof WINDOWS;

export interface AuditFilters {
  q: string;
  actor: ActorKind | '';
  result: 'ok' | 'failed' | '';
  window: Window;
}

export const NO_FILTERS: AuditFilters = { q: '', actor: '', result: '', window: 'any' };

/** The query string for the filters; `now` fixes the window's start. */
export function auditParams(f: AuditFilters, now: number, limit?: number): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.actor) p.set('actor', f.actor);
  if (f.result) p.set('result', f.result);
  if (WINDOWS[f.window] > 0) p.set('since', new Date(now - WINDOWS[f.window]).toISOString());
  if (limit !== undefined) p.set('limit', String(limit));
  return p.toString();
}

export const ACTOR_KIND_TEXT: Record<ActorKind, string> = {
  account: 'account',
  'share-link': 'share link',
  'engine-client': 'Engine API',
  'control-loop': 'control loop',
  agent: 'agent',
  system: 'manager',
};

/** The name shown for an actor, and its detail on hover (role, peer). */
export function describeActor(a: Actor): { name: string; detail: string } {
  const name = actorLabel(a);
  const detail: string[] = [ACTOR_KIND_TEXT[a.kind]];
  if ((a.kind === 'account' || a.kind === 'engine-client') && a.role) detail.push(`role ${a.role}`);
  if (a.kind === 'engine-client' && a.peer) detail.push(`from ${a.peer}`);
  return { name, detail: detail.join(' · ') };
}

export const isFailed = (r: Pick<AuditRecordBody, 'result'>) => !isOkResult(r.result);

/** A key per record that stays with it as newer ones arrive above (the notes of one entry share its index). */
export function recordKeys(records: readonly Pick<AuditRecordBody, 'index'>[]): string[] {
  const seen = new Map<number, number>();
  return records.map((r) => {
    const n = seen.get(r.index) ?? 0;
    seen.set(r.index, n + 1);
    return `${r.index}.${n}`;
  });
}
