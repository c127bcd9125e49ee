// The live charts' data: one sample a second of the numbers GET /metrics
// exposes, pushed to consoles over the realtime socket. Plain types and
// constants shared by the sampler (server/metrics) and the browser.

/** How often the manager samples its metrics (and pushes the newest sample). */
export const METRIC_SAMPLE_MS = 1000;
/** How much history the manager keeps and a console receives on connect. */
export const METRIC_RING_SECONDS = 300;

/**
 * The upper bounds (seconds) of the Engine API latency histogram's buckets, without +Inf.
 * GET /metrics declares its histogram with them, so a sample's buckets line up with its `le` labels.
 */
export const API_LATENCY_BUCKETS_S: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Engine API routes that stream until the client hangs up (`docker events`, `service logs -f`):
 * their "latency" is how long someone watched, so the latency chart leaves them out.
 */
export const STREAMING_ROUTES: readonly string[] = ['/events', '/services/{id}/logs', '/tasks/{id}/logs'];

/**
 * One second's values, each read from the series GET /metrics serves at that moment (named beside each
 * field). Counters stay cumulative: the console turns them into rates. Nothing here is secret.
 */
export interface MetricSample {
  /** The manager's clock when sampled, ms since the epoch. */
  at: number;
  /** swarmdeck_raft_term */
  term: number;
  /** swarmdeck_raft_commit_index */
  commitIndex: number;
  /** swarmdeck_raft_apply_lag */
  applyLag: number;
  /** swarmdeck_raft_leader_changes_total */
  leaderChanges: number;
  /** swarmdeck_raft_proposals_total */
  proposals: number;
  /** swarmdeck_service_tasks_running (what the overview's "Tasks running" counts) */
  tasksRunning: number;
  /** swarmdeck_service_tasks_desired */
  tasksDesired: number;
  /** swarmdeck_nodes{state="ready"} */
  nodesReady: number;
  /** sum of swarmdeck_nodes */
  nodes: number;
  /** sum of swarmdeck_engine_api_requests_total */
  apiRequests: number;
  /**
   * swarmdeck_engine_api_request_duration_seconds_bucket summed by `le` over every route but the
   * {@link STREAMING_ROUTES}: cumulative counts, one per {@link API_LATENCY_BUCKETS_S} bound, then +Inf.
   */
  apiLatencyBuckets: number[];
  /** swarmdeck_console_socket_clients */
  socketClients: number;
}

/**
 * The `metrics` socket event: on connect (and reconnect) the whole ring with `reset`, so charts are
 * full at once; then each second's newest sample alone.
 */
export interface MetricsFrame {
  reset?: true;
  samples: MetricSample[];
}
