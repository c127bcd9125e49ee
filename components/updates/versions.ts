// Spec-history helpers for the UI: version labels, which version a task ran,
// and what each recorded rollout came to.

import type { ServiceVersionSummary } from '@/server/api/console';
import type { SpecCause, Task, UpdateState } from '@/server/api/types';

/** `v3`: the service's version number, stable while the oldest versions are pruned. */
export const versionLabel = (v: { Seq: number }): string => `v${v.Seq}`;

export const imageOf = (v: { Spec: ServiceVersionSummary['Spec'] }): string => v.Spec.TaskTemplate.ContainerSpec.Image;

export const CAUSE_TEXT: Record<SpecCause, string> = {
  create: 'created',
  update: 'update',
  reapply: 're-applied (resume)',
  rollback: 'rollback',
  'auto-rollback': 'automatic rollback',
  restore: 'restore',
};

/**
 * The version a task ran: the newest record with the task's SpecVersion that
 * existed when the task was created (a rollback records the older SpecIndex again).
 */
export function versionIndexForTask(versions: readonly ServiceVersionSummary[], task: Task): number | undefined {
  const idx = task.SpecVersion?.Index;
  if (idx === undefined) return undefined;
  let fallback: number | undefined;
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    if (v.SpecIndex !== idx) continue;
    if (v.CreatedAt <= task.CreatedAt) return i;
    fallback = i;
  }
  return fallback;
}

export interface RolloutRow {
  versionIndex: number;
  version: ServiceVersionSummary;
  /** The rollout's last state, or superseded: a newer spec arrived while it was still running. */
  outcome: UpdateState | 'superseded';
  startedAt?: string;
  durationMs?: number;
  failures: number;
}

/** Every recorded rollout, newest first, with how it ended and how long it took. */
export function rolloutRows(versions: readonly ServiceVersionSummary[], now: number): RolloutRow[] {
  const out: RolloutRow[] = [];
  versions.forEach((v, i) => {
    const u = v.Update;
    if (!u) return;
    const next = versions[i + 1];
    const running = u.State === 'updating' || u.State === 'rollback_started';
    const start = u.StartedAt ? Date.parse(u.StartedAt) : NaN;
    const endAt = u.CompletedAt ?? next?.CreatedAt;
    const end = endAt ? Date.parse(endAt) : now;
    out.push({
      versionIndex: i,
      version: v,
      outcome: running && next ? 'superseded' : u.State,
      startedAt: u.StartedAt,
      durationMs: Number.isNaN(start) || Number.isNaN(end) ? undefined : Math.max(0, end - start),
      failures: u.Failures,
    });
  });
  return out.reverse();
}

/** "1m 05s", "12s", "0.4s": a rollout's length, compact. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
