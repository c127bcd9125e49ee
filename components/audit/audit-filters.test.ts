import { describe, expect, it } from 'vitest';
import { auditParams, describeActor, NO_FILTERS, recordKeys } from './audit-filters';

describe('audit page filters', () => {
  it('become the API parameters, the window as a since time', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(auditParams(NO_FILTERS, now)).toBe('');
    expect(auditParams({ q: ' web ', actor: 'control-loop', result: 'failed', window: '1h' }, now, 500)).toBe(
      'q=web&actor=control-loop&result=failed&since=2026-12-06T11%3A00%3A00.000Z&limit=500',
    );
  });

  it('describe an actor by name, with its kind, role and peer on hover', () => {
    expect(
      describeActor({ kind: 'engine-client', subject: 'CN=ann,OU=operator', role: 'operator', peer: '10.0.0.2:5000' }),
    ).toEqual({ name: 'CN=ann,OU=operator', detail: 'Engine API · role operator · from 10.0.0.2:5000' });
    expect(describeActor({ kind: 'agent', nodeID: 'n1' })).toEqual({ name: 'n1', detail: 'agent' });
  });

  it('key the records so a row keeps its key as newer ones arrive', () => {
    expect(recordKeys([{ index: 9 }, { index: 7 }, { index: 7 }])).toEqual(['9.0', '7.0', '7.1']);
    expect(recordKeys([{ index: 12 }, { index: 9 }, { index: 7 }, { index: 7 }]).slice(1)).toEqual([
      '9.0',
      '7.0',
      '7.1',
    ]);
  });
});
