'use client';

import { useSyncExternalStore } from 'react';
import type { CountsFrame } from '@/server/api/realtime';
import type { ReplicaCounts } from '@/server/api/replica-counts';

/** REPLICAS per service and running tasks per node, as the gateway counts them over every task. */
export interface TaskCounts {
  /** A whole set arrived (the socket sends one on connect). */
  loaded: boolean;
  services: ReadonlyMap<string, ReplicaCounts>;
  nodes: ReadonlyMap<string, number>;
}

const EMPTY: TaskCounts = { loaded: false, services: new Map(), nodes: new Map() };

function merged<V>(held: ReadonlyMap<string, V>, delta: Record<string, V | null>, reset: boolean): Map<string, V> {
  const out = new Map(reset ? [] : held);
  for (const [id, v] of Object.entries(delta)) {
    if (v === null) out.delete(id);
    else out.set(id, v);
  }
  return out;
}

export class ClientCountsStore {
  private counts: TaskCounts = EMPTY;
  private listeners = new Set<() => void>();

  get = (): TaskCounts => this.counts;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  apply(frame: CountsFrame): void {
    const reset = !!frame.reset;
    this.counts = {
      loaded: this.counts.loaded || reset,
      services: merged(this.counts.services, frame.services, reset),
      nodes: merged(this.counts.nodes, frame.nodes, reset),
    };
    for (const l of this.listeners) l();
  }
}

export const countsStore = new ClientCountsStore();

export function useTaskCounts(): TaskCounts {
  return useSyncExternalStore(countsStore.subscribe, countsStore.get, () => EMPTY);
}
