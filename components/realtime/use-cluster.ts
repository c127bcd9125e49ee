'use client';

import { useSyncExternalStore } from 'react';
import { clusterStore, EMPTY_VIEW, type ClusterView } from './client-store';

/** The live cluster view; re-renders on every applied frame. */
export function useClusterView(): ClusterView {
  return useSyncExternalStore(clusterStore.subscribe, clusterStore.getView, () => EMPTY_VIEW);
}
