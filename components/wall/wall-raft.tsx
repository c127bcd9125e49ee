'use client';

import { memo } from 'react';
import { LiveCharts } from '../charts/live-charts';
import { ManagersTable } from '../raft/managers-table';
import { quorumSentence } from '../raft/derive';
import type { ClusterView } from '../realtime/client-store';
import { useRaftPanelOf } from '../raft/use-raft';

/**
 * Raft and quorum health: the quorum in one sentence, the managers' table (read-only), then its live charts.
 * Only this view follows every Raft frame; the single-manager fallback reads the wall's paced view.
 */
export const WallRaft = memo(function WallRaft({ view: cluster }: { view: ClusterView }) {
  const { view, receivedAt, single } = useRaftPanelOf(cluster);
  const tone = !view ? 'unknown' : !view.hasQuorum ? 'bad' : view.quorum.canLose === 0 ? 'warn' : 'ok';
  return (
    <div className="wall-raft" role="region" aria-label="Raft and quorum">
      <p className="wall-quorum" data-tone={tone}>
        {view ? quorumSentence(view) : '–'}
      </p>
      <ManagersTable view={view} receivedAt={receivedAt} single={single} />
      <LiveCharts set="raft" label="Raft over the last 5 minutes" />
    </div>
  );
});
