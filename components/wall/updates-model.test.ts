import { describe, expect, it } from 'vitest';
import type { Service } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import type { ProgressMemo, SlotCell } from '../updates/progress-model';
import { FINISHED_SHOWN_MS, keepSameCells, STATUS_GAP_HOLD_MS, wallRollouts, type HeldRollouts } from './updates-model';

const cell = (slot: number, state: SlotCell['state'], taskID = `t${slot}`): SlotCell => ({
  key: `slot:${slot}`,
  label: String(slot),
  state,
  taskID,
  monitoring: false,
});

describe('keepSameCells', () => {
  it('keeps the previous object for every cell that reads the same, and only those', () => {
    const prev = [cell(1, 'running'), cell(2, 'old'), cell(3, 'old')];
    const next = keepSameCells(prev, [cell(1, 'running'), cell(2, 'starting', 'u2'), cell(3, 'old')]);
    expect(next).not.toBe(prev);
    expect(next[0]).toBe(prev[0]);
    expect(next[1]).not.toBe(prev[1]);
    expect(next[1]!.state).toBe('starting');
    expect(next[2]).toBe(prev[2]);
  });

  it('hands back the previous array when nothing moved, and a new one when a slot came or went', () => {
    const prev = [cell(1, 'running'), cell(2, 'old')];
    expect(keepSameCells(prev, [cell(1, 'running'), cell(2, 'old')])).toBe(prev);
    expect(keepSameCells(prev, [cell(1, 'running')])).toEqual([prev[0]]);
    expect(keepSameCells(prev, [cell(1, 'running'), cell(2, 'old'), cell(3, 'old')])).toHaveLength(3);
    expect(keepSameCells(undefined, prev)).toBe(prev);
  });
});

describe('wallRollouts', () => {
  const T = '2026-01-01T12:00:00.000Z';
  const svc = (id: string, name: string, state?: 'updating' | 'completed'): Service => ({
    ...fixtureService({ ID: id }),
    Spec: { ...fixtureService().Spec, Name: name, Mode: { Replicated: { Replicas: 2 } } },
    ...(state ? { UpdateStatus: { State: state, Message: '', StartedAt: T } } : {}),
  });

  it('works out the rollouts under way by name, keeping a memo per service while it lasts', () => {
    const web = svc('w', 'web', 'updating');
    const api = svc('a', 'api', 'updating');
    const idle = svc('i', 'idle');
    const tasks = [web, api, idle].flatMap((s) =>
      [1, 2].map((slot) => fixtureTask(s, { ID: `${s.ID}${slot}`, Slot: slot, NodeID: 'n1' })),
    );
    const services = new Map([web, api, idle].map((s) => [s.ID, s]));
    const memos = new Map<string, ProgressMemo>();
    const first = wallRollouts(services, tasks, new Map(), Date.parse(T), memos);
    expect(first.map((r) => [r.service.Spec.Name, r.model.total])).toEqual([
      ['api', 2],
      ['web', 2],
    ]);
    expect([...memos.keys()].sort()).toEqual(['a', 'w']);
    // the same tasks a second later: the memo hands back the same cells
    const again = wallRollouts(services, tasks, new Map(), Date.parse(T) + 1000, memos);
    expect(again[1]!.model.cells[0]).toBe(first[1]!.model.cells[0]);
    // web's rollout completes: it stays on the wall, marked completed, for FINISHED_SHOWN_MS; then its memo goes
    const done = Date.parse(T) + 2000;
    services.set('w', {
      ...web,
      UpdateStatus: { State: 'completed', Message: '', StartedAt: T, CompletedAt: new Date(done).toISOString() },
    });
    const finished = wallRollouts(services, tasks, new Map(), done + FINISHED_SHOWN_MS - 1, memos);
    expect(finished.map((r) => [r.service.ID, r.model.phase])).toEqual([
      ['a', 'updating'],
      ['w', 'completed'],
    ]);
    expect(wallRollouts(services, tasks, new Map(), done + FINISHED_SHOWN_MS, memos).map((r) => r.service.ID)).toEqual([
      'a',
    ]);
    expect([...memos.keys()]).toEqual(['a']);
    // a finished state with no time it finished is not shown (nothing says it is recent)
    services.set('a', { ...api, UpdateStatus: { State: 'rollback_completed', Message: '', StartedAt: T } });
    expect(wallRollouts(services, tasks, new Map(), done, memos).map((r) => r.service.ID)).toEqual(['w']);
  });

  it('keeps a rollout on the wall through the moment a new update clears its status, as it last read', () => {
    const web = svc('w', 'web', 'updating');
    const tasks = [1, 2].map((slot) => fixtureTask(web, { ID: `w${slot}`, Slot: slot, NodeID: 'n1' }));
    const services = new Map([[web.ID, web]]);
    const memos = new Map<string, ProgressMemo>();
    const held: HeldRollouts = new Map();
    const t = Date.parse(T);
    const before = wallRollouts(services, tasks, new Map(), t, memos, held);
    expect(before).toHaveLength(1);
    // `docker service update`: the status is cleared until the updater starts the new rollout
    const { UpdateStatus: _cleared, ...bare } = web;
    services.set('w', bare);
    const gap = wallRollouts(services, tasks, new Map(), t + 1000, memos, held);
    expect(gap).toEqual(before);
    expect(gap[0]!.model.phase).toBe('updating');
    // a status that stays cleared past the hold: the rollout goes, and its memo
    expect(wallRollouts(services, tasks, new Map(), t + STATUS_GAP_HOLD_MS, memos, held)).toEqual([]);
    expect(memos.size).toBe(0);
    // a service never on the wall is not held: no status, nothing shown
    expect(wallRollouts(services, tasks, new Map(), t + STATUS_GAP_HOLD_MS + 1, memos, new Map())).toEqual([]);
  });
});
