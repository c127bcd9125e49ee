// The live charts' samples in the browser: the manager's ring as received on
// connect, then one sample a second appended (and the oldest dropped), as an
// external store for useSyncExternalStore. One immutable array per change.

import { METRIC_RING_SECONDS, type MetricSample, type MetricsFrame } from '@/server/api/metric-sample';

export class ClientSampleStore {
  private samples: readonly MetricSample[] = [];
  private listeners = new Set<() => void>();

  constructor(private readonly keepMs = METRIC_RING_SECONDS * 1000) {}

  get = (): readonly MetricSample[] => this.samples;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A frame from the socket: the whole ring (reset), or newer samples to append. */
  apply(frame: MetricsFrame): void {
    let next = frame.reset ? [...frame.samples] : [...this.samples];
    if (!frame.reset) {
      const last = next[next.length - 1]?.at ?? -Infinity;
      for (const s of frame.samples) if (s.at > last) next.push(s);
    }
    const newest = next[next.length - 1]?.at;
    if (newest !== undefined) next = next.filter((s) => s.at > newest - this.keepMs);
    this.samples = next;
    for (const l of this.listeners) l();
  }
}

export const sampleStore = new ClientSampleStore();
