'use client';

import { useMemo, useSyncExternalStore } from 'react';
import type { RaftView } from '@/server/api/raft-view';
import type { ClusterView } from '../realtime/client-store';
import { useClusterView } from '../realtime/use-cluster';
import { singleManagerView } from './derive';
import { raftStore, type RaftState } from './raft-store';

export function useRaftState(): RaftState | null {
  return useSyncExternalStore(raftStore.subscribe, raftStore.get, () => null);
}

export interface RaftPanelData {
  /** null while the first load is in flight. */
  view: RaftView | null;
  events: RaftState['events'];
  receivedAt: number;
  /** The manager runs no raft group: the view is derived from the store. */
  single: boolean;
}

/** The raft view pushed by the manager, or a single-manager view from the store when it sends none. */
export function useRaftPanel(): RaftPanelData {
  return useRaftPanelOf(useClusterView());
}

/**
 * useRaftPanel over a view the caller already holds: the wall passes its paced view, so the single-manager
 * fallback does not subscribe it to every frame the socket brings (twenty a second under churn).
 */
export function useRaftPanelOf(cluster: ClusterView): RaftPanelData {
  const raft = useRaftState();
  const fallback = useMemo(
    () => (cluster.loaded ? singleManagerView(cluster.tables.node.values(), cluster.index) : null),
    [cluster.loaded, cluster.tables.node, cluster.index],
  );
  if (raft) return { view: raft.view, events: raft.events, receivedAt: raft.receivedAt, single: false };
  return { view: fallback, events: [], receivedAt: 0, single: true };
}
