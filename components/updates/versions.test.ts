import { describe, expect, it } from 'vitest';
import type { ServiceVersionSummary } from '@/server/api/console';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { formatDuration, rolloutRows, versionIndexForTask } from './versions';

const svc = fixtureService();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const version = (id: string, specIndex: number, at: number, over: Partial<ServiceVersionSummary> = {}) =>
  ({
    ID: id,
    Version: { Index: 1 },
    CreatedAt: T(at),
    UpdatedAt: T(at),
    ServiceID: svc.ID,
    SpecIndex: specIndex,
    Spec: svc.Spec,
    Cause: 'update',
    ...over,
  }) as ServiceVersionSummary;
const rollout = (State: 'updating' | 'completed' | 'paused', start: number, end?: number) => ({
  State,
  Message: '',
  StartedAt: T(start),
  ...(end !== undefined ? { CompletedAt: T(end) } : {}),
  EventCount: 3,
  Failures: State === 'paused' ? 1 : 0,
});

describe('versionIndexForTask', () => {
  // v1 create (spec 0), v2 update (spec 10), v3 rollback back to spec 0
  const versions = [
    version('a', 0, 0, { Cause: 'create' }),
    version('b', 10, 10),
    version('c', 0, 20, { Cause: 'rollback' }),
  ];
  const task = (specIndex: number, at: number) =>
    fixtureTask(svc, { SpecVersion: { Index: specIndex }, CreatedAt: T(at) });

  it('maps a task to the version that was current when it was created', () => {
    expect(versionIndexForTask(versions, task(0, 5))).toBe(0);
    expect(versionIndexForTask(versions, task(10, 12))).toBe(1);
    expect(versionIndexForTask(versions, task(0, 25))).toBe(2);
    expect(versionIndexForTask(versions, task(99, 25))).toBeUndefined();
    expect(versionIndexForTask(versions, fixtureTask(svc))).toBeUndefined();
  });
});

describe('rolloutRows', () => {
  it('lists rollouts newest first; one a newer spec replaced mid-way is superseded', () => {
    const rows = rolloutRows(
      [
        version('a', 0, 0, { Cause: 'create' }),
        version('b', 10, 10, { Update: rollout('updating', 10) }),
        version('c', 20, 30, { Update: rollout('completed', 30, 95) }),
        version('d', 30, 100, { Update: rollout('paused', 100) }),
      ],
      Date.UTC(2026, 0, 1, 12, 2, 0),
    );
    expect(rows.map((r) => [r.version.ID, r.outcome, r.durationMs, r.failures])).toEqual([
      ['d', 'paused', 20_000, 1],
      ['c', 'completed', 65_000, 0],
      ['b', 'superseded', 20_000, 0],
    ]);
  });

  it('formats durations compactly', () => {
    expect(formatDuration(400)).toBe('0.4s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_660_000)).toBe('1h 01m');
  });
});
