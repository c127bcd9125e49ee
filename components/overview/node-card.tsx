'use client';

import { RowLink } from '../ui/row-link';
import type { Node } from '@/server/api/types';
import { isSimulated, nodeName } from '../cluster/derive';
import { formatBytes, formatCpus, shortID } from '../time/format';
import { Badge, type Tone } from '../ui/badge';
import { NodeActions } from './node-actions';

const STATE_TONE: Record<string, Tone> = { ready: 'ok', down: 'bad', disconnected: 'warn', unknown: 'neutral' };
const AVAIL_TONE: Record<string, Tone> = { active: 'ok', pause: 'warn', drain: 'bad' };

export function NodeCard({ node, running }: { node: Node; running: number }) {
  const name = nodeName(node);
  const labels = Object.entries(node.Spec.Labels ?? {});
  const leader = node.ManagerStatus?.Leader === true;
  const sim = isSimulated(node);
  return (
    <article
      className="card node-card"
      data-state={node.Status.State}
      data-leader={leader || undefined}
      aria-label={leader ? `Node ${name}, raft leader` : `Node ${name}`}
    >
      {leader ? <LeaderRibbon /> : null}
      <header className="node-head">
        <span className="status-dot" data-tone={STATE_TONE[node.Status.State] ?? 'neutral'} aria-hidden="true" />
        <h3 className="node-name" title={name}>
          <RowLink href={`/nodes/${encodeURIComponent(node.ID)}`} className="node-link">
            {name}
          </RowLink>
        </h3>
        {sim ? (
          <Badge tone="info" title="Simulated executor: tasks are not real containers">
            Simulated
          </Badge>
        ) : null}
      </header>
      <dl className="node-facts">
        <div>
          <dt>Role</dt>
          <dd>
            {node.Spec.Role}
            {node.ManagerStatus && !leader ? <span className="muted"> · {node.ManagerStatus.Reachability}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={STATE_TONE[node.Status.State] ?? 'neutral'}>{node.Status.State}</Badge>
          </dd>
        </div>
        <div>
          <dt>Availability</dt>
          <dd>
            <Badge tone={AVAIL_TONE[node.Spec.Availability] ?? 'neutral'}>{node.Spec.Availability}</Badge>
          </dd>
        </div>
        <div>
          <dt>Running tasks</dt>
          <dd className="num strong" data-testid="node-running">
            {running}
          </dd>
        </div>
        <div>
          <dt>Resources</dt>
          <dd className="num">
            {formatCpus(node.Description.Resources.NanoCPUs)} CPU ·{' '}
            {formatBytes(node.Description.Resources.MemoryBytes)}
          </dd>
        </div>
        <div>
          <dt>ID</dt>
          <dd className="mono" title={node.ID}>
            {shortID(node.ID)}
          </dd>
        </div>
      </dl>
      <ul className="labels" aria-label="Node labels">
        {labels.length === 0 ? <li className="muted label-none">no labels</li> : null}
        {labels.map(([k, v]) => (
          <li key={k} className="label-chip mono">
            {k}
            {v ? `=${v}` : ''}
          </li>
        ))}
      </ul>
      <NodeActions node={node} hostname={name} />
    </article>
  );
}

/** The leader is read at a glance: a full-width band in the accent colour, with a glyph as well as colour. */
export function LeaderRibbon() {
  return (
    <div className="leader-ribbon" data-testid="leader-ribbon" title="This manager is the raft leader">
      <span aria-hidden="true" className="leader-glyph">
        ★
      </span>
      Raft leader
    </div>
  );
}

export function NodeCardSkeleton() {
  return (
    <div className="card node-card skeleton-card" aria-hidden="true">
      <span className="skeleton" style={{ width: '60%' }} />
      <span className="skeleton" />
      <span className="skeleton" />
      <span className="skeleton" style={{ width: '40%' }} />
    </div>
  );
}
