// One manager's Prometheus metrics: its own Registry (never prom-client's global
// one: tests run several managers in one process). Gauges are read from the
// store and the raft member when scraped; counters and histograms are fed by
// the edges (Engine API requests) and the control loops (pass timings) through
// the small observer interfaces below, so those layers never import this one.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TASK_STATES, type NodeAvailability, type NodeRole, type NodeState } from '../api/types';
import type { ManagerContext } from '../manager/context';
import { API_LATENCY_BUCKETS_S } from '../api/metric-sample';
import { serviceTaskCounts, type ServiceTaskCounts } from './service-tasks';

const NODE_STATES: readonly NodeState[] = ['unknown', 'down', 'ready', 'disconnected'];
const NODE_AVAILABILITIES: readonly NodeAvailability[] = ['active', 'pause', 'drain'];
const NODE_ROLES: readonly NodeRole[] = ['manager', 'worker'];

/** Where the Engine API reports each answered request. */
export interface RequestObserver {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** Where a control loop reports each pass (the scheduler, the updater...). */
export interface PassObserver {
  observePass(loop: string, seconds: number, ok: boolean): void;
}

export interface ManagerMetrics extends RequestObserver, PassObserver {
  readonly registry: Registry;
  /** The exposition body and its Content-Type (prom-client's, exactly). */
  scrape(): Promise<{ contentType: string; body: string }>;
  /** Stop listening to the raft member. */
  close(): void;
}

export interface MetricsSources {
  /** Open console sockets (the realtime gateway's count); absent without a console. */
  socketClients?: () => number;
}

export function createManagerMetrics(ctx: ManagerContext, sources: MetricsSources = {}): ManagerMetrics {
  const registry = new Registry();
  const registers = [registry];

  const raft = () => ctx.raftHealth?.();
  new Gauge({
    name: 'swarmdeck_raft_term',
    help: "This manager's current raft term.",
    registers,
    collect() {
      const h = raft();
      if (h) this.set(h.term);
    },
  });
  new Gauge({
    name: 'swarmdeck_raft_commit_index',
    help: 'Highest raft log index this manager knows to be committed.',
    registers,
    collect() {
      const h = raft();
      if (h) this.set(h.commit);
    },
  });
  new Gauge({
    name: 'swarmdeck_raft_applied_index',
    help: 'Highest raft log index applied to the store.',
    registers,
    collect() {
      const h = raft();
      if (h) this.set(h.applied);
    },
  });
  new Gauge({
    name: 'swarmdeck_raft_apply_lag',
    help: 'Committed raft entries not yet applied to the store (commit index - applied index).',
    registers,
    collect() {
      const h = raft();
      if (h) this.set(Math.max(0, h.commit - h.applied));
    },
  });
  new Gauge({
    name: 'swarmdeck_raft_is_leader',
    help: '1 when this manager is the raft leader, else 0.',
    registers,
    collect() {
      const h = raft();
      if (h) this.set(h.role === 'leader' ? 1 : 0);
    },
  });
  const leaderChanges = new Counter({
    name: 'swarmdeck_raft_leader_changes_total',
    help: 'Times this manager saw the raft leader change (including to no leader) since it started.',
    registers,
  });
  // counted as they happen: the raft view says whenever term, leader or roles change
  let lastLeader = ctx.raft?.view().leader;
  const stopWatching = ctx.raft?.onChange(() => {
    const leader = ctx.raft!.view().leader;
    if (leader !== lastLeader) leaderChanges.inc();
    lastLeader = leader;
  });

  // counted by the store as it proposes: read when scraped
  new Counter({
    name: 'swarmdeck_raft_proposals_total',
    help: 'Raft entries this manager proposed.',
    registers,
    collect() {
      this.reset();
      this.inc(ctx.store.proposals.total);
    },
  });
  new Counter({
    name: 'swarmdeck_raft_proposals_failed_total',
    help: 'Raft entries this manager proposed that were refused or lost (not leader, lost leadership, conflicts).',
    registers,
    collect() {
      this.reset();
      this.inc(ctx.store.proposals.failed);
    },
  });

  new Gauge({
    name: 'swarmdeck_tasks',
    help: 'Tasks in the store by observed state.',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = new Map<string, number>(TASK_STATES.map((s) => [s, 0]));
      for (const t of ctx.store.view.list('task')) counts.set(t.Status.State, (counts.get(t.Status.State) ?? 0) + 1);
      this.reset();
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  // both gauges below read one count per store state: a sample or a scrape reads them together, and each
  // count walks every task (twice 10,000 tasks a second while a big service converged)
  let counted: { index: number; counts: ServiceTaskCounts } | undefined;
  const serviceCounts = (): ServiceTaskCounts => {
    const index = ctx.store.view.index;
    if (counted?.index !== index) counted = { index, counts: serviceTaskCounts(ctx.store.view) };
    return counted.counts;
  };
  new Gauge({
    name: 'swarmdeck_service_tasks_desired',
    help: 'Tasks the long-running services ask for: replicas, or for a global service its tasks meant to run.',
    registers,
    collect() {
      this.set(serviceCounts().desired);
    },
  });
  new Gauge({
    name: 'swarmdeck_service_tasks_running',
    help: "Running tasks of the long-running services, at most each one's desired count (the console's Tasks running).",
    registers,
    collect() {
      this.set(serviceCounts().running);
    },
  });
  new Gauge({
    name: 'swarmdeck_nodes',
    help: 'Nodes in the store by status, availability and observed role.',
    labelNames: ['state', 'availability', 'role'],
    registers,
    collect() {
      this.reset();
      // every combination is present (zero when empty), so a node going down moves a series rather than adding one
      for (const state of NODE_STATES)
        for (const availability of NODE_AVAILABILITIES)
          for (const role of NODE_ROLES) this.set({ state, availability, role }, 0);
      for (const n of ctx.store.view.list('node'))
        this.inc({ state: n.Status.State, availability: n.Spec.Availability, role: n.Role });
    },
  });

  if (sources.socketClients) {
    const count = sources.socketClients;
    new Gauge({
      name: 'swarmdeck_console_socket_clients',
      help: 'Console (socket.io) clients connected to this manager.',
      registers,
      collect() {
        this.set(count());
      },
    });
  }

  const requests = new Counter({
    name: 'swarmdeck_engine_api_requests_total',
    help: 'Engine API requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'swarmdeck_engine_api_request_duration_seconds',
    help: 'Engine API request latency until the answer is complete, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: [...API_LATENCY_BUCKETS_S],
    registers,
  });
  const passSeconds = new Histogram({
    name: 'swarmdeck_control_loop_pass_duration_seconds',
    help: 'Time one pass of a control loop (scheduler, updater...) took on the leader.',
    labelNames: ['loop'],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const passFailures = new Counter({
    name: 'swarmdeck_control_loop_pass_failures_total',
    help: 'Control loop passes that failed (and were retried).',
    labelNames: ['loop'],
    registers,
  });

  const observePass = (loop: string, seconds: number, ok: boolean) => {
    passSeconds.observe({ loop }, seconds);
    if (!ok) passFailures.inc({ loop });
  };
  const stopTimings = ctx.passTimings?.listen(observePass);

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    observePass,
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close() {
      stopWatching?.();
      stopTimings?.();
    },
  };
}
