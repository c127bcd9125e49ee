'use client';

import { useSyncExternalStore } from 'react';
import { clusterStore, EMPTY_VIEW, type ClusterView } from '../realtime/client-store';
import { browserPaceClock, PacedStore } from './paced-view';

let paced: PacedStore<ClusterView> | null = null;

/** The live cluster view at the wall's pace (paced-view.ts): at most one redraw every WALL_PACE_MS. */
export function useWallView(): ClusterView {
  paced ??= new PacedStore(clusterStore, browserPaceClock);
  return useSyncExternalStore(paced.subscribe, paced.getView, () => EMPTY_VIEW);
}
