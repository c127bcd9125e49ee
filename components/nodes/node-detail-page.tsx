'use client';

import Link from 'next/link';
import { useMemo, type ReactNode } from 'react';
import type { Node } from '@/server/api/types';
import { nodeName } from '../cluster/derive';
import { NodeActions } from '../overview/node-actions';
import { useClusterView } from '../realtime/use-cluster';
import { formatBytes, formatCpus } from '../time/format';
import { Age } from '../ui/age';
import { Badge, type Tone } from '../ui/badge';
import { NodeLabels } from './node-labels';
import { NodeTasks } from './node-tasks';
import {
  executorKind,
  executorLabel,
  labelText,
  networkMode,
  networkModeLabel,
  nodeTasks,
  sortedLabels,
} from './node-view';
import { RemoveNode } from './remove-node';
import { isLeader } from '../overview/overview-model';
import { NotFoundPage } from '../ui/not-found-page';
import { FaultBanner } from '../faults/fault-banner';
import { EventTimeline } from '../events/event-timeline';
import { eventsStamp, useObjectEvents } from '../events/use-object-events';

const STATE_TONE: Record<string, Tone> = { ready: 'ok', down: 'bad', disconnected: 'warn', unknown: 'neutral' };
const AVAIL_TONE: Record<string, Tone> = { active: 'ok', pause: 'warn', drain: 'bad' };
const NBSP = '\u00a0';

function findNode(nodes: ReadonlyMap<string, Node>, ref: string): Node | undefined {
  const direct = nodes.get(ref);
  if (direct) return direct;
  for (const n of nodes.values()) if (n.Description.Hostname === ref || n.Spec.Name === ref) return n;
  return undefined;
}

function Fact({
  label,
  children,
  title,
  className,
}: {
  label: string;
  children: ReactNode;
  title?: string;
  className?: string;
}) {
  return (
    <div className={className}>
      <dt>{label}</dt>
      <dd title={title}>{children}</dd>
    </div>
  );
}

function NodeFacts({ node }: { node: Node | undefined }) {
  const d = node?.Description;
  const kind = node ? executorKind(node) : undefined;
  const mode = node ? networkMode(node) : undefined;
  const demoting = node && node.Spec.Role !== node.Role;
  return (
    <dl className="facts node-detail-facts card" aria-label="Node facts">
      <Fact label="ID" title={node?.ID} className="fact-id">
        <span className="mono ellipsis-block">{node?.ID ?? NBSP}</span>
      </Fact>
      <Fact label="Hostname" title={d?.Hostname}>
        <span className="ellipsis-block">{d?.Hostname ?? NBSP}</span>
      </Fact>
      <Fact label="Role">
        {node ? (
          <>
            {node.Role}
            {demoting ? <span className="muted"> → {node.Spec.Role} (pending)</span> : null}
            {node.ManagerStatus ? <span className="muted"> · {node.ManagerStatus.Reachability}</span> : null}
          </>
        ) : (
          NBSP
        )}
      </Fact>
      <Fact label="Status">
        {node ? <Badge tone={STATE_TONE[node.Status.State] ?? 'neutral'}>{node.Status.State}</Badge> : NBSP}
      </Fact>
      <Fact label="Availability">
        {node ? <Badge tone={AVAIL_TONE[node.Spec.Availability] ?? 'neutral'}>{node.Spec.Availability}</Badge> : NBSP}
      </Fact>
      <Fact label="Address">
        <span className="mono">{node?.Status.Addr || NBSP}</span>
      </Fact>
      {node?.ManagerStatus?.Addr ? (
        <Fact label="Manager address">
          <span className="mono">{node.ManagerStatus.Addr}</span>
        </Fact>
      ) : null}
      <Fact label="Platform">{d ? `${d.Platform.OS}/${d.Platform.Architecture}` : NBSP}</Fact>
      <Fact label="Resources">
        <span className="num">
          {d ? `${formatCpus(d.Resources.NanoCPUs)} CPU · ${formatBytes(d.Resources.MemoryBytes)}` : NBSP}
        </span>
      </Fact>
      <Fact label="Executor" title={kind ? `engine label com.swarmdeck.executor=${kind}` : undefined}>
        {node ? <Badge tone={kind === 'sim' ? 'info' : 'neutral'}>{executorLabel(kind)}</Badge> : NBSP}
      </Fact>
      <Fact label="Task network" title={mode ? `engine label com.swarmdeck.network.mode=${mode}` : undefined}>
        {node ? <Badge tone="neutral">{networkModeLabel(mode)}</Badge> : NBSP}
      </Fact>
      <Fact label="Engine">{d?.Engine.EngineVersion || NBSP}</Fact>
      <Fact label="Joined">
        <Age at={node?.CreatedAt} />
      </Fact>
      <Fact label="Status message" className="fact-wide">
        <span className="status-message">{node ? node.Status.Message || '—' : NBSP}</span>
      </Fact>
    </dl>
  );
}

export function NodeDetailPage({ id }: { id: string }) {
  const view = useClusterView();
  const { node: nodes, task, service } = view.tables;
  const node = findNode(nodes, id);
  const nid = node?.ID;
  const tasks = useMemo(
    () => (nid ? nodeTasks(task.values(), service, nid) : { active: [], finished: [] }),
    [task, service, nid],
  );

  // the node's events (its own and its tasks'), read again when the socket changes either
  const subject = useMemo(() => (nid ? { kind: 'node' as const, id: nid } : undefined), [nid]);
  const nodeTaskList = useMemo(() => (nid ? [...task.values()].filter((t) => t.NodeID === nid) : []), [task, nid]);
  const eventLog = useObjectEvents(subject, eventsStamp(node?.Version.Index, nodeTaskList));

  if (view.loaded && !node) {
    return <NotFoundPage kind="node" id={id} back={{ href: '/', label: 'Back to overview' }} />;
  }

  const name = node ? nodeName(node) : '';
  const engineLabels = sortedLabels(node?.Description.Engine.Labels);
  return (
    <div className="page node-detail">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/">Overview</Link> <span aria-hidden="true">/</span> <Link href="/nodes">nodes</Link>
      </nav>
      <div className="page-head">
        <h1 className="node-title">
          {node ? (
            <>
              <span className="status-dot" data-tone={STATE_TONE[node.Status.State] ?? 'neutral'} aria-hidden="true" />
              {name}
            </>
          ) : (
            <span className="skeleton skeleton-title" />
          )}
        </h1>
        {node?.ManagerStatus?.Leader ? (
          <span className="node-title-leader" data-testid="leader-pill" title="This manager is the raft leader">
            <span aria-hidden="true">★</span> Raft leader
          </span>
        ) : null}
        {node ? <NodeActions node={node} hostname={name} /> : null}
      </div>
      <FaultBanner faults={node?.Faults} kind="node" />
      <NodeFacts node={node} />
      <div className="node-detail-grid">
        {node ? (
          <NodeLabels node={node} name={name} />
        ) : (
          <section className="card node-section skeleton-card" aria-hidden="true" />
        )}
        <section className="card node-section" aria-labelledby="engine-labels-h">
          <div className="node-section-head">
            <h2 id="engine-labels-h">Engine labels</h2>
            <span className="muted section-hint">
              from the agent&apos;s <span className="mono">--label</span> flags · read-only
            </span>
          </div>
          <ul className="labels" aria-label="Engine labels">
            {node && engineLabels.length === 0 ? <li className="muted label-none">no engine labels</li> : null}
            {engineLabels.map(([k, v]) => (
              <li key={k} className="label-chip mono">
                {labelText(k, v)}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <NodeTasks active={tasks.active} finished={tasks.finished} loaded={view.loaded} />
      {node ? <EventTimeline title="Events" events={eventLog.data?.events} loaded={!eventLog.isPending} /> : null}
      {/* the leader cannot remove itself: docker refuses, so the console does not offer it */}
      {node && !isLeader(node) ? <RemoveNode node={node} name={name} /> : null}
    </div>
  );
}
