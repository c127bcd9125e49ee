import { describe, expect, it } from 'vitest';
import type { Actor } from '../api/audit';
import { AuditLog } from './audit-log';
import type { AuditRecord } from './audit-record';

const person: Actor = { kind: 'account', id: 'a1', name: 'ann', role: 'admin' };
const loop: Actor = { kind: 'control-loop', name: 'scheduler' };
let index = 0;
const rec = (actor: Actor, note = false): AuditRecord => ({
  index: ++index,
  seq: 0,
  time: 1_765_000_000_000 + index,
  actor,
  action: note ? 'login' : 'update service',
  ...(note ? {} : { changes: 'update service' }),
  result: 'ok',
});

describe('audit log', () => {
  it("keeps people's writes apart: control-loop churn and a flood of notes never push them out", () => {
    const log = new AuditLog({ people: 5, notes: 4, machinery: 3 });
    const mine = [rec(person), rec(person)];
    log.append(mine);
    for (let i = 0; i < 500; i++) log.append([rec(loop), rec({ kind: 'system', name: 'x' }, true)]);
    const kept = log.list();
    expect(kept.filter((r) => r.actor.kind === 'account')).toEqual(mine);
    expect(kept.filter((r) => r.actor.kind === 'control-loop')).toHaveLength(3);
    expect(kept.filter((r) => r.changes === undefined)).toHaveLength(4);
    expect(log.size).toBe(9);
    // oldest first, in log order across the rings
    expect(kept.map((r) => r.index)).toEqual([...kept.map((r) => r.index)].sort((a, b) => a - b));
    // a person's write ages out only behind other people's writes
    for (let i = 0; i < 6; i++) log.append([rec(person)]);
    expect(log.list().filter((r) => r.actor.kind === 'account')).toHaveLength(5);
    expect(log.list().some((r) => r.index === mine[1]!.index)).toBe(false);
  });

  it('round-trips through a snapshot image and leaves out unsound records', () => {
    const log = new AuditLog();
    log.append([rec(person), rec(loop), rec({ kind: 'agent', nodeID: 'n1' }, true)]);
    const img = JSON.parse(JSON.stringify(log.image()));
    const back = new AuditLog();
    expect(back.restore(img)).toBe(0);
    expect(back.list()).toEqual(log.list());
    img.people.push({ index: 'x' }, { ...rec(person), actor: { kind: 'nobody' } }, { ...rec(person), result: 7 });
    const again = new AuditLog();
    expect(again.restore(img)).toBe(3);
    expect(again.list()).toEqual(log.list());
    // an image from before the log existed: empty
    expect(new AuditLog().restore(undefined)).toBe(0);
  });
});
