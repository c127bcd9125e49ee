// Engine labels a Swarmdeck node sets on itself (NodeDescription.Engine.Labels), in the
// reverse-DNS form Docker asks labels to take, beside NETWORK_MODE_LABEL (network-view.ts):
// `docker node inspect` shows them and constraints select on them
// (`--constraint engine.labels.com.swarmdeck.executor==process`).

/** How the node runs tasks: `process` (real OS processes) or `sim` (simulated). */
export const EXECUTOR_LABEL = 'com.swarmdeck.executor';
export type ExecutorKind = 'process' | 'sim';

/** The label's name before 0.2: nodes stored by an older version still carry it. */
const LEGACY_EXECUTOR_LABEL = 'swarmdeck.executor';

/** The node's executor as its labels say, whichever name they use. */
export function executorOf(labels: Record<string, string> | undefined): string | undefined {
  return labels?.[EXECUTOR_LABEL] || labels?.[LEGACY_EXECUTOR_LABEL] || undefined;
}

/** The engine version simulated workers report (server/manager/bootstrap.ts): what marks a node as simulated. */
export const SIM_ENGINE_VERSION = 'swarmdeck-sim';
