import { describe, expect, it } from 'vitest';
import type { MetricSample } from '@/server/api/metric-sample';
import { ClientSampleStore } from './sample-store';

const at = (sec: number) => ({ at: sec * 1000, tasksRunning: sec }) as MetricSample;

describe('the browser sample store', () => {
  it('takes the ring on connect, appends newer samples, and keeps only the last span', () => {
    const store = new ClientSampleStore(5000);
    let told = 0;
    store.subscribe(() => told++);
    store.apply({ reset: true, samples: [at(1), at(2), at(3)] });
    store.apply({ samples: [at(4)] });
    store.apply({ samples: [at(4)] }); // a repeat (a resume racing the live sample) is not doubled
    expect(store.get().map((s) => s.at / 1000)).toEqual([1, 2, 3, 4]);
    store.apply({ samples: [at(7)] });
    expect(store.get().map((s) => s.at / 1000)).toEqual([3, 4, 7]);
    // a reconnect replaces what we hold (another manager's ring, perhaps)
    store.apply({ reset: true, samples: [at(100)] });
    expect(store.get().map((s) => s.at / 1000)).toEqual([100]);
    expect(told).toBe(5);
  });
});
