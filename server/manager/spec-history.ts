// Spec history: every spec a service has had, as `serviceVersion` objects
// written in the same transaction that makes the spec current (so they are
// replicated and persisted like everything else), newest N kept per service.
// The updater records each rollout's status and events on the newest one.

import { SPEC_HISTORY_SETTING, settingValue } from '../api/cluster-settings';
import { newID } from '../api/ids';
import type { Cluster, Service, ServiceVersion, SpecCause, UpdateEvent, UpdateStatus } from '../api/types';
import type { MemoryStore } from '../store/memory-store';
import type { Tx } from '../store/tx';

/** Versions kept per service unless the cluster's label says otherwise. */
export const DEFAULT_SPEC_HISTORY_LIMIT = SPEC_HISTORY_SETTING.default;
/** Cluster label that sets how many versions each service keeps (2–500): the console or `POST /swarmdeck/settings`. */
export const SPEC_HISTORY_LABEL = SPEC_HISTORY_SETTING.label;
/** Events kept on one rollout: enough for a 100+ slot update's steps without growing unbounded. */
export const MAX_UPDATE_EVENTS = 400;

export function specHistoryLimit(cluster: Cluster | undefined): number {
  return settingValue(SPEC_HISTORY_SETTING, cluster?.Spec.Labels);
}

/** A service's recorded versions, oldest first. */
export function versionsOf(view: MemoryStore, serviceID: string): ServiceVersion[] {
  return view
    .list('serviceVersion')
    .filter((v) => v.ServiceID === serviceID)
    .sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt) || a.Version.Index - b.Version.Index);
}

/** The record of the spec the service runs now (the newest one with its SpecIndex), if any. */
export function currentVersion(view: MemoryStore, service: Service): ServiceVersion | undefined {
  const idx = service.SpecVersion?.Index ?? 0;
  const all = versionsOf(view, service.ID);
  for (let i = all.length - 1; i >= 0; i--) if (all[i]!.SpecIndex === idx) return all[i];
  return undefined;
}

/**
 * Records `service` (as it will be after this transaction) as a new version,
 * and drops the oldest beyond the cluster's limit. Call it in the transaction
 * that writes the service.
 */
export function recordSpecVersion(
  tx: Tx,
  view: MemoryStore,
  service: Service,
  cause: SpecCause,
  restoredFrom?: number,
): ServiceVersion {
  // pruning drops the oldest only, so the newest kept record holds the highest number
  const existing = versionsOf(view, service.ID).filter((v) => tx.get('serviceVersion', v.ID));
  const record: ServiceVersion = {
    ID: newID(),
    Version: { Index: 0 },
    CreatedAt: tx.now,
    UpdatedAt: tx.now,
    ServiceID: service.ID,
    Seq: (existing.at(-1)?.Seq ?? 0) + 1,
    SpecIndex: service.SpecVersion?.Index ?? 0,
    Spec: service.Spec,
    Cause: cause,
    ...(restoredFrom !== undefined ? { RestoredFrom: restoredFrom } : {}),
  };
  tx.create('serviceVersion', record);
  const limit = specHistoryLimit(view.list('cluster')[0]);
  for (const old of existing.slice(0, Math.max(0, existing.length + 1 - limit))) tx.delete('serviceVersion', old.ID);
  return record;
}

/** Deletes every version of a removed service (in the transaction that removes it). */
export function forgetVersions(tx: Tx, view: MemoryStore, serviceID: string): void {
  for (const v of versionsOf(view, serviceID)) tx.delete('serviceVersion', v.ID);
}

/**
 * Sets the rollout status on the service's current version and appends
 * `events` (bounded: the oldest go first). No-op when the version is unknown
 * (a service from before spec history).
 */
export function recordRollout(
  tx: Tx,
  view: MemoryStore,
  service: Service,
  status: UpdateStatus | undefined,
  events: UpdateEvent[] = [],
): void {
  const cur = currentVersion(view, service);
  if (!cur) return;
  const latest = tx.get('serviceVersion', cur.ID);
  if (!latest) return;
  const prev = latest.Update;
  const merged = [...(prev?.Events ?? []), ...events];
  const next: ServiceVersion = {
    ...latest,
    Update: {
      ...(prev ?? { State: status?.State ?? 'updating', Message: '' }),
      ...(status ?? {}),
      Events: merged.length > MAX_UPDATE_EVENTS ? merged.slice(merged.length - MAX_UPDATE_EVENTS) : merged,
    },
  };
  tx.update('serviceVersion', next);
}
