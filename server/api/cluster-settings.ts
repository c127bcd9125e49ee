// Swarmdeck's cluster-level knobs, kept as cluster labels so every manager
// (and the console) reads the same value from the replicated cluster object.
// No docker CLI flag sets swarm labels (`docker swarm update` has none): the
// console's Swarm settings and `POST /swarmdeck/settings` on the Engine API
// write them (through raft, as a swarm update). Pure: the control API checks
// against them, the schemas refuse bad values, the console's form checks
// before it sends.

import type { SwarmSettingsBody } from './console';
import type { Labels, ServiceSpec } from './types';

export interface ClusterSetting {
  label: string;
  default: number;
  min: number;
  max: number;
}

/** Spec versions kept per service (see server/manager/spec-history.ts). */
export const SPEC_HISTORY_SETTING: ClusterSetting = {
  label: 'swarmdeck.spec-history-limit',
  default: 20,
  min: 2,
  max: 500,
};

/**
 * Tasks one service may ask for (Replicas). The default is what one service
 * is measured to carry here: 10,000 replicas converge on 3 managers in 3.5 s
 * at 0.5 GiB per manager (bench/RESULTS.md); every task is a ~1 KiB object
 * written about four times through raft. The ceiling is the most tasks ever
 * measured on this code (100,000, at 2 GiB per manager): beyond it no
 * setting is known to hold.
 */
export const MAX_REPLICAS_SETTING: ClusterSetting = {
  label: 'swarmdeck.max-replicas',
  default: 10_000,
  min: 1,
  max: 100_000,
};

export const CLUSTER_SETTINGS: readonly ClusterSetting[] = [SPEC_HISTORY_SETTING, MAX_REPLICAS_SETTING];

/** The settings by the names the console and `/swarmdeck/settings` use. */
export const SETTING_NAMES: Readonly<Record<keyof SwarmSettingsBody, ClusterSetting>> = {
  maxReplicas: MAX_REPLICAS_SETTING,
  specHistoryLimit: SPEC_HISTORY_SETTING,
};

/** The cluster labels with the given settings written into them (an omitted one is left as it is). */
export function labelsWithSettings(labels: Labels, body: SwarmSettingsBody): Labels {
  const out = { ...labels };
  for (const [name, s] of Object.entries(SETTING_NAMES)) {
    const v = body[name as keyof SwarmSettingsBody];
    if (v !== undefined) out[s.label] = String(v);
  }
  return out;
}

/** Every setting's value as the cluster's labels give it. */
export function settingsOf(labels: Labels | undefined): Required<SwarmSettingsBody> {
  return {
    maxReplicas: settingValue(MAX_REPLICAS_SETTING, labels),
    specHistoryLimit: settingValue(SPEC_HISTORY_SETTING, labels),
  };
}

/** The label's value if it is a whole number in range, else undefined. */
function parseSetting(s: ClusterSetting, raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  const n = Number(raw.trim());
  return n >= s.min && n <= s.max ? n : undefined;
}

/** The setting as the cluster's labels give it (the default when unset or out of range). */
export function settingValue(s: ClusterSetting, labels: Labels | undefined): number {
  return parseSetting(s, labels?.[s.label]) ?? s.default;
}

/** Why a label value is refused at `swarm update` (rpc-wrapped by the schema), or undefined. */
export function settingProblem(s: ClusterSetting, raw: string): string | undefined {
  if (parseSetting(s, raw) !== undefined) return undefined;
  return `label ${s.label}=${raw}: must be a whole number from ${s.min} to ${s.max}`;
}

/**
 * The replica limit's refusal for a spec, or undefined: names the field, the
 * limit and how to raise it. A global service runs one task per node, so
 * only replicated counts are limited (a replicated job's: its TotalCompletions, one slot each).
 */
export function replicaLimitProblem(spec: Pick<ServiceSpec, 'Mode'>, limit: number): string | undefined {
  const job = spec.Mode.ReplicatedJob?.TotalCompletions;
  const replicas = spec.Mode.Replicated?.Replicas ?? job;
  if (replicas === undefined || replicas <= limit) return undefined;
  const field = job === undefined ? 'Mode.Replicated.Replicas' : 'Mode.ReplicatedJob.TotalCompletions';
  return (
    `${field}: ${replicas} replicas is more than this swarm's limit of ${limit} per service; ` +
    `raise the limit (up to ${MAX_REPLICAS_SETTING.max}) in the console's Swarm settings, ` +
    `or set the cluster label ${MAX_REPLICAS_SETTING.label}=<N> with POST /swarm/update`
  );
}
