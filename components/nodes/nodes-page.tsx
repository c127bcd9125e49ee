'use client';

import { RowLink } from '../ui/row-link';
import { useMemo } from 'react';
import { nodeName } from '../cluster/derive';
import { orderNodes } from '../overview/overview-model';
import { useClusterView } from '../realtime/use-cluster';
import { useTaskCounts } from '../realtime/counts-store';
import { useTaskScope } from '../realtime/task-scope';
import { Allowed } from '../session/session-provider';
import { formatBytes, formatCpus } from '../time/format';
import { Badge, type Tone } from '../ui/badge';
import { SkeletonRows } from '../ui/skeleton';
import { AddNodeButton } from './add-node-panel';
import { executorKind, executorLabel } from './node-view';

const STATE_TONE: Record<string, Tone> = { ready: 'ok', down: 'bad', disconnected: 'warn', unknown: 'neutral' };
const AVAIL_TONE: Record<string, Tone> = { active: 'ok', pause: 'warn', drain: 'bad' };

/** `docker node ls`, live: the leader first, then managers, then workers. */
export function NodesPage() {
  const view = useClusterView();
  const { node } = view.tables;
  const nodes = useMemo(() => orderNodes(node.values()), [node]);
  // running tasks per node come counted by the server: the page holds no tasks
  useTaskScope([]);
  const running = useTaskCounts().nodes;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Nodes</h1>
        <Allowed to="joinTokens">
          <AddNodeButton />
        </Allowed>
      </div>
      <div className="table-wrap">
        <table className="data-table nodes-table">
          <thead>
            <tr>
              <th scope="col">Hostname</th>
              <th scope="col">Status</th>
              <th scope="col">Availability</th>
              <th scope="col">Manager status</th>
              <th scope="col">Executor</th>
              <th scope="col">Resources</th>
              <th scope="col">Running tasks</th>
            </tr>
          </thead>
          <tbody>
            {!view.loaded ? <SkeletonRows rows={3} cols={7} /> : null}
            {nodes.map((n) => {
              const leader = n.ManagerStatus?.Leader === true;
              return (
                <tr key={n.ID} data-leader={leader || undefined} data-state={n.Status.State}>
                  <td>
                    <RowLink href={`/nodes/${encodeURIComponent(n.ID)}`} className="row-link" title={n.ID}>
                      {nodeName(n)}
                    </RowLink>
                  </td>
                  <td>
                    <Badge tone={STATE_TONE[n.Status.State] ?? 'neutral'}>{n.Status.State}</Badge>
                  </td>
                  <td>
                    <Badge tone={AVAIL_TONE[n.Spec.Availability] ?? 'neutral'}>{n.Spec.Availability}</Badge>
                  </td>
                  <td>
                    {leader ? (
                      <span className="node-title-leader">
                        <span aria-hidden="true">★</span> Leader
                      </span>
                    ) : (
                      (n.ManagerStatus?.Reachability ?? '')
                    )}
                  </td>
                  <td>{executorLabel(executorKind(n))}</td>
                  <td className="num">
                    {formatCpus(n.Description.Resources.NanoCPUs)} CPU ·{' '}
                    {formatBytes(n.Description.Resources.MemoryBytes)}
                  </td>
                  <td className="num">{running.get(n.ID) ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
