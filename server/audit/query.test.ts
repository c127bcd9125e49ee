import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../store/audit-record';
import { parseAuditQuery, searchAudit } from './query';

const T = Date.parse('2026-12-06T10:00:00Z');
const records: AuditRecord[] = [
  {
    index: 10,
    seq: 0,
    time: T,
    actor: { kind: 'control-loop', name: 'scheduler' },
    action: 'update task ×3',
    changes: 'update task ×3',
    target: 'task web.1',
    result: 'ok',
  },
  {
    index: 11,
    seq: 0,
    time: T + 60_000,
    actor: { kind: 'account', id: 'a', name: 'ann', role: 'operator' },
    action: 'POST /api/services/x/scale',
    changes: 'update service',
    target: 'service web',
    result: 'ok',
  },
  {
    index: 12,
    seq: 0,
    time: T + 120_000,
    actor: { kind: 'engine-client', subject: 'CN=bob,OU=viewer', role: 'viewer', peer: '10.0.0.9:4000' },
    action: 'POST /services/create',
    result: 'refused (403): permission denied',
  },
  {
    index: 12,
    seq: 1,
    time: T + 120_000,
    actor: { kind: 'agent', nodeID: 'node-7' },
    action: 'update task',
    changes: 'update task',
    result: 'ok',
  },
];
const find = (s: string) => searchAudit(records, parseAuditQuery(new URLSearchParams(s)));
const indexes = (s: string) => find(s).records.map((r) => `${r.index}.${r.actor.kind}`);

describe('audit search', () => {
  it('lists the newest first with ISO times, cut at the limit, counting every match', () => {
    const r = find('limit=2');
    expect(r.total).toBe(4);
    expect(r.records.map((x) => x.index)).toEqual([12, 12]);
    expect(r.records[1]).toEqual({
      index: 12,
      time: '2026-12-06T10:02:00.000Z',
      actor: records[2]!.actor,
      action: 'POST /services/create',
      result: 'refused (403): permission denied',
    });
  });

  it('filters by text, actor (kind or name), action, result and time', () => {
    expect(indexes('q=web')).toEqual(['11.account', '10.control-loop']);
    expect(indexes('q=10.0.0.9')).toEqual(['12.engine-client']);
    expect(indexes('actor=control-loop')).toEqual(['10.control-loop']);
    expect(indexes('actor=ANN')).toEqual(['11.account']);
    expect(indexes('actor=node-7')).toEqual(['12.agent']);
    expect(indexes('action=scale')).toEqual(['11.account']);
    expect(indexes('result=failed')).toEqual(['12.engine-client']);
    expect(indexes('result=ok&q=task')).toEqual(['12.agent', '10.control-loop']);
    expect(indexes('since=2026-12-06T10:01:00Z&until=2026-12-06T10:01:30Z')).toEqual(['11.account']);
    expect(indexes(`since=${(T + 120_000) / 1000}`)).toEqual(['12.agent', '12.engine-client']);
  });

  it('takes "ok" with a detail as a success', () => {
    const login: AuditRecord = {
      index: 13,
      seq: 0,
      time: T,
      actor: { kind: 'account', id: 'a', name: 'ann', role: 'operator' },
      action: 'login',
      result: 'ok (from 10.0.0.2)',
    };
    const okay = (q: string) => searchAudit([login], parseAuditQuery(new URLSearchParams(q))).total;
    expect([okay('result=ok'), okay('result=failed')]).toEqual([1, 0]);
    expect(okay('q=okay')).toBe(0);
  });

  it('names the parameter that is wrong', () => {
    expect(() => find('result=maybe')).toThrow(/^result: must be ok or failed/);
    expect(() => find('since=yesterday')).toThrow(/^since: "yesterday" is not a time/);
    expect(() => find('limit=0')).toThrow(/^limit: must be a whole number/);
    expect(() => find('limit=1e9')).toThrow(/^limit/);
  });
});
