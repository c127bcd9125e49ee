import { describe, expect, it } from 'vitest';
import { service, task } from './dns-fixtures';
import { hasHealthCheck, servesTraffic } from './serving';

const svc = service('s', 'web');
const hc = { Test: ['CMD-SHELL', 'curl -f localhost'] };
const at = (o: Parameters<typeof task>[2]) => task('t', svc, o);

describe('which tasks DNS points at', () => {
  it('serves only RUNNING tasks', () => {
    for (const state of ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting'] as const) {
      expect(servesTraffic(at({ state, nets: {} })), state).toBe(false);
    }
    for (const state of ['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'] as const) {
      expect(servesTraffic(at({ state, nets: {} })), state).toBe(false);
    }
    expect(servesTraffic(at({ state: 'running', nets: {} }))).toBe(true);
  });

  it('drops a running task as soon as it is told to stop, before SIGTERM', () => {
    for (const desired of ['shutdown', 'remove', 'orphaned'] as const) {
      expect(servesTraffic(at({ desired, nets: {} })), desired).toBe(false);
    }
    // a running job task (desired COMPLETE) still serves
    expect(servesTraffic(at({ desired: 'complete', nets: {} }))).toBe(true);
  });

  it('with a health check, serves only while healthy', () => {
    expect(servesTraffic(at({ healthcheck: hc, nets: {} }))).toBe(false); // no verdict yet
    expect(servesTraffic(at({ healthcheck: hc, health: 'starting', nets: {} }))).toBe(false);
    expect(servesTraffic(at({ healthcheck: hc, health: 'unhealthy', nets: {} }))).toBe(false);
    expect(servesTraffic(at({ healthcheck: hc, health: 'healthy', nets: {} }))).toBe(true);
  });

  it('counts a check from the spec (not NONE, not empty) or from a reported verdict', () => {
    expect(hasHealthCheck(at({ healthcheck: hc, nets: {} }))).toBe(true);
    expect(hasHealthCheck(at({ healthcheck: { Test: ['NONE'] }, nets: {} }))).toBe(false);
    expect(hasHealthCheck(at({ healthcheck: { Test: [] }, nets: {} }))).toBe(false);
    expect(hasHealthCheck(at({ nets: {} }))).toBe(false);
    expect(hasHealthCheck(at({ health: 'unhealthy', nets: {} }))).toBe(true);
    expect(servesTraffic(at({ healthcheck: { Test: ['NONE'] }, nets: {} }))).toBe(true);
  });
});
