'use client';

import type { Labels } from '@/server/api/types';
import { useClusterView } from '../realtime/use-cluster';

/** The swarm's labels, which hold Swarmdeck's cluster settings (the replica limit…); undefined before the first load. */
export function useClusterLabels(): Labels | undefined {
  const { cluster } = useClusterView().tables;
  return cluster.values().next().value?.Spec.Labels;
}
