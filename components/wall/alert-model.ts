import type { Service, Task } from '@/server/api/types';
import type { WallColumn, WallService } from './wall-model';

/** What the alert strip can say, worst first in the strip. */
export type AlertKind = 'quorum' | 'node-down' | 'rollback' | 'update-paused' | 'below-desired' | 'pending';
export type AlertSeverity = 'bad' | 'warn';

export interface WallAlert {
  /** stable across renders, so an alert keeps its place while it lasts */
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  text: string;
}

export interface QuorumInput {
  hasQuorum: boolean;
  canLose: number;
  voters: number;
}

export interface AlertInput {
  /** the map: its nodes' conditions and its services' counts */
  model: { columns: readonly Omit<WallColumn, 'tasks'>[]; services: readonly WallService[] };
  services: ReadonlyMap<string, Service>;
  /** the pending tasks, grouped (pendingGroups) */
  pending: readonly PendingGroup[];
  quorum?: QuorumInput | null;
  /** when each service was first seen below its desired count (the caller keeps it between calls) */
  belowSince: ReadonlyMap<string, number>;
  now: number;
  /** a service below desired alerts only after this long: a rollout or a restart dips on purpose */
  graceMs: number;
}

export interface AlertResult {
  alerts: WallAlert[];
  belowSince: Map<string, number>;
}

export const DEFAULT_GRACE_MS = 30_000;

const ORDER: Record<AlertKind, number> = {
  quorum: 0,
  'node-down': 1,
  rollback: 2,
  'update-paused': 3,
  'below-desired': 4,
  pending: 5,
};

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * What needs attention on the wall, worst first. Pure: the grace period's
 * clock is the `belowSince` map the caller hands back on the next call.
 */
export function wallAlerts(input: AlertInput): AlertResult {
  const { model, services, quorum, now, graceMs } = input;
  const alerts: WallAlert[] = [];

  if (quorum && quorum.voters > 0) {
    if (!quorum.hasQuorum) {
      alerts.push({ key: 'quorum', kind: 'quorum', severity: 'bad', text: 'Quorum lost: changes are blocked' });
    } else if (quorum.canLose === 0 && quorum.voters > 1) {
      alerts.push({ key: 'quorum', kind: 'quorum', severity: 'bad', text: 'Quorum at risk: can lose 0 managers' });
    } else if (quorum.canLose === 0) {
      alerts.push({ key: 'quorum', kind: 'quorum', severity: 'warn', text: 'Single manager: can lose 0' });
    }
  }

  for (const c of model.columns) {
    if (c.condition === 'down' || c.condition === 'unknown' || c.condition === 'disconnected') {
      const role = c.leader ? 'Leader' : c.manager ? 'Manager' : 'Node';
      alerts.push({
        key: `node:${c.nodeID}`,
        kind: 'node-down',
        severity: 'bad',
        text: `${role} ${c.name} ${c.condition}`,
      });
    }
  }

  for (const s of services.values()) {
    const st = s.UpdateStatus?.State;
    const name = s.Spec.Name;
    if (st === 'rollback_started') {
      alerts.push({ key: `update:${s.ID}`, kind: 'rollback', severity: 'bad', text: `${name} rolling back` });
    } else if (st === 'rollback_paused') {
      alerts.push({ key: `update:${s.ID}`, kind: 'rollback', severity: 'bad', text: `${name} rollback paused` });
    } else if (st === 'paused') {
      alerts.push({ key: `update:${s.ID}`, kind: 'update-paused', severity: 'warn', text: `${name} update paused` });
    }
  }

  const belowSince = new Map<string, number>();
  for (const s of model.services) {
    if (s.running >= s.desired) continue;
    const since = input.belowSince.get(s.id) ?? now;
    belowSince.set(s.id, since);
    if (now - since >= graceMs) {
      alerts.push({
        key: `below:${s.id}`,
        kind: 'below-desired',
        severity: s.running === 0 ? 'bad' : 'warn',
        text: `${s.name} ${s.running}/${s.desired} running`,
      });
    }
  }

  for (const g of input.pending) {
    alerts.push({
      key: `pending:${g.serviceID}:${g.reason}`,
      kind: 'pending',
      severity: 'warn',
      text: `${g.service}: ${plural(g.count, 'task')} pending: ${g.reason}`,
    });
  }

  alerts.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.text.localeCompare(b.text));
  return { alerts, belowSince };
}

/** Tasks pending for one service and one reason: 500 stuck tasks are one alert, not 500. */
export interface PendingGroup {
  serviceID: string;
  /** the service's name */
  service: string;
  reason: string;
  count: number;
}

/** The tasks meant to run that are still pending, grouped by service and reason. */
export function pendingGroups(tasks: Iterable<Task>, services: ReadonlyMap<string, Service>): PendingGroup[] {
  const groups = new Map<string, PendingGroup>();
  for (const t of tasks) {
    if (t.Status.State !== 'pending' || t.DesiredState !== 'running') continue;
    const reason = t.Status.Err || t.Status.Message || 'pending';
    const key = `${t.ServiceID}:${reason}`;
    let g = groups.get(key);
    if (!g) {
      const service = services.get(t.ServiceID)?.Spec.Name ?? t.ServiceID.slice(0, 12);
      groups.set(key, (g = { serviceID: t.ServiceID, service, reason, count: 0 }));
    }
    g.count++;
  }
  return [...groups.values()];
}
