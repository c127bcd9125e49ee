'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { naturalCompare, nodeName } from '../cluster/derive';
import { AddNodeButton } from '../nodes/add-node-panel';
import { useClusterView } from '../realtime/use-cluster';
import { Allowed } from '../session/session-provider';
import { ServicesTable } from '../services/services-table';
import { NodeCard, NodeCardSkeleton } from './node-card';
import { SwarmSettings } from './swarm-settings';

export function OverviewPage() {
  const view = useClusterView();
  const { node, task, service } = view.tables;
  const nodes = useMemo(() => [...node.values()].sort((a, b) => naturalCompare(nodeName(a), nodeName(b))), [node]);
  const stats = useMemo(() => {
    const runningByNode = new Map<string, number>();
    let running = 0;
    let wanted = 0;
    for (const t of task.values()) {
      if (t.DesiredState === 'running') wanted++;
      if (t.Status.State === 'running' && t.DesiredState === 'running') {
        running++;
        runningByNode.set(t.NodeID, (runningByNode.get(t.NodeID) ?? 0) + 1);
      }
    }
    return { runningByNode, running, wanted };
  }, [task]);
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
        <Stat label="Tasks running" value={view.loaded ? `${stats.running}/${stats.wanted}` : ''} />
      </section>

      <section aria-labelledby="nodes-h" className="section">
        <h2 id="nodes-h">Nodes</h2>
        <div className="node-grid">
          {!view.loaded ? [0, 1, 2, 3].map((i) => <NodeCardSkeleton key={i} />) : null}
          {nodes.map((n) => (
            <NodeCard key={n.ID} node={n} running={stats.runningByNode.get(n.ID) ?? 0} />
          ))}
        </div>
      </section>

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
