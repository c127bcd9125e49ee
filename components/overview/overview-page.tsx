'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { tasksByService } from '../cluster/derive';
import { LiveCharts } from '../charts/live-charts';
import { AddNodeButton } from '../nodes/add-node-panel';
import { useClusterView } from '../realtime/use-cluster';
import { useTaskCounts } from '../realtime/counts-store';
import { useTaskScope } from '../realtime/task-scope';
import { Allowed } from '../session/session-provider';
import { ServicesTable } from '../services/services-table';
import { NodeCard, NodeCardSkeleton } from './node-card';
import { orderNodes, servicesUpdating, tasksHeadline, type TasksHeadline } from './overview-model';
import { RunningUpdates } from './running-updates';
import { SwarmSettings } from './swarm-settings';

export function OverviewPage() {
  const view = useClusterView();
  const counted = useTaskCounts();
  const { node, task, service } = view.tables;
  const nodes = useMemo(() => orderNodes(node.values()), [node]);
  const updating = useMemo(() => servicesUpdating(service.values()), [service]);
  // the page holds the tasks of running updates only (their strips); the rest is counted by the server
  useTaskScope(updating.map((s) => s.ID));
  const byService = useMemo(() => tasksByService(task.values()), [task]);
  const headline = useMemo(
    () => tasksHeadline(service.values(), (s) => counted.services.get(s.ID) ?? { running: 0, desired: 0 }),
    [service, counted],
  );
  const runningByNode = counted.nodes;
  const ready = nodes.filter((n) => n.Status.State === 'ready').length;
  const managers = nodes.filter((n) => n.Spec.Role === 'manager').length;

  return (
    <div className="page">
      <div className="page-head">
        <h1>Overview</h1>
        <Allowed to="joinTokens">
          <AddNodeButton />
        </Allowed>
      </div>
      <section className="stat-row" aria-label="Cluster summary">
        <Stat label="Nodes ready" value={view.loaded ? `${ready}/${nodes.length}` : ''} />
        <Stat label="Managers" value={view.loaded ? String(managers) : ''} />
        <Stat label="Services" value={view.loaded ? String(service.size) : ''} />
        <TasksStat headline={view.loaded && counted.loaded ? headline : undefined} />
      </section>

      <section aria-labelledby="live-h" className="section">
        <h2 id="live-h">Last 5 minutes</h2>
        <LiveCharts set="overview" label="Live metrics" />
      </section>

      <section aria-labelledby="nodes-h" className="section">
        <h2 id="nodes-h">Nodes</h2>
        <div className="node-grid">
          {!view.loaded ? [0, 1, 2, 3].map((i) => <NodeCardSkeleton key={i} />) : null}
          {nodes.map((n) => (
            <NodeCard key={n.ID} node={n} running={runningByNode.get(n.ID) ?? 0} />
          ))}
        </div>
      </section>

      <RunningUpdates services={updating} byService={byService} nodes={node} />

      <section aria-labelledby="services-h" className="section">
        <div className="section-head">
          <h2 id="services-h">Services</h2>
          <Allowed to="createService">
            <Link href="/services/new" className="btn btn-primary">
              Create service
            </Link>
          </Allowed>
        </div>
        <ServicesTable compact />
      </section>

      <Allowed to="swarmSettings">
        <section aria-labelledby="settings-h" className="section">
          <h2 id="settings-h">Swarm settings</h2>
          <SwarmSettings />
        </section>
      </Allowed>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat card">
      <div className="stat-value num">{value || <span className="skeleton" />}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

/** Running against desired, and which services are short (the first few by name, the rest counted). */
function TasksStat({ headline }: { headline: TasksHeadline | undefined }) {
  const short = headline?.degraded ?? [];
  const shown = short.slice(0, 3);
  return (
    <div className="stat card" data-degraded={short.length > 0 || undefined}>
      <div className="stat-value num" data-testid="tasks-running">
        {headline ? `${headline.running}/${headline.desired}` : <span className="skeleton" />}
      </div>
      <div className="stat-label">Tasks running</div>
      {short.length > 0 ? (
        <p className="stat-note" data-testid="degraded-services">
          <span className="sr-only">Below desired: </span>
          {shown.map((d, i) => (
            <span key={d.id}>
              {i > 0 ? ', ' : null}
              <Link href={`/services/${d.id}`}>{d.name}</Link>{' '}
              <span className="num">
                {d.running}/{d.desired}
              </span>
            </span>
          ))}
          {short.length > shown.length ? <span> and {short.length - shown.length} more</span> : null}
        </p>
      ) : null}
    </div>
  );
}
