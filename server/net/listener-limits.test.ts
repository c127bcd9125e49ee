import { describe, expect, it } from 'vitest';
import { LISTENER_LIMITS, listenerLimits } from './listener-limits';

describe('listenerLimits', () => {
  it('keeps the defaults when the descriptors are there', () => {
    expect(listenerLimits(20_000)).toEqual(LISTENER_LIMITS);
    expect(listenerLimits(undefined)).toEqual(LISTENER_LIMITS);
  });

  it('shrinks every listener to fit a 1024 limit, leaving the process its own descriptors', () => {
    const l = listenerLimits(1024);
    const total = l.console.maxConnections + l.engine.maxConnections + l.cluster.maxConnections;
    expect(total).toBeLessThanOrEqual(1024 - 256);
    expect(l.engine).toMatchObject({ maxConnections: 128, maxPerPeer: 32 });
    expect(l.cluster).toMatchObject({ maxConnections: 512, maxPerPeer: 128 });
    // timeouts do not change
    expect(l.engine.headersTimeoutMs).toBe(LISTENER_LIMITS.engine.headersTimeoutMs);
  });
});
